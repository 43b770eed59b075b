from django.urls import path

from bangfu.workplan import views

app_name = "workplan"
urlpatterns = [
    path("workplan/", views.plan_view, name="plan"),
    path("workplan/upload/", views.plan_upload, name="plan_upload"),
    path("workplan/tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("workplan/milestones/<int:pk>/complete/", views.milestone_complete, name="milestone_complete"),
    path("workplan/reports/", views.report_list, name="reports"),
    path("workplan/reports/bulk-accept/", views.report_bulk_accept, name="bulk_accept"),
    path("workplan/reports/<int:pk>/", views.report_detail, name="report"),
    path(
        "workplan/reports/<int:pk>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path("workplan/reports/<int:pk>/<str:action>/", views.report_review, name="review"),
    path("workplan/gather/", views.gather_view, name="gather"),
    path("workplan/gather/pass/", views.gather_pass, name="gather_pass"),
    path("workplan/completeness/", views.completeness_view, name="completeness"),
    path("workplan/oversight/", views.oversight_view, name="oversight"),
    path("workplan/oversight/remind/", views.send_reminders_view, name="send_reminders"),
    path("workplan/notifications/", views.notifications_view, name="notifications"),
    path("workplan/settings/", views.settings_view, name="settings"),
    path("workplan/assessment/", views.assessment_view, name="assessment"),
    path("workplan/assessment/mine/", views.my_assessment, name="my_assessment"),
    path("workplan/dashboard/", views.dashboard, name="dashboard"),
    path("workplan/bulletin/", views.bulletin_download, name="bulletin"),
]
