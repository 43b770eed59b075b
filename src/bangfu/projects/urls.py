from django.urls import path

from bangfu.projects import views

app_name = "projects"
# Fixed paths come before "projects/<code>/".
urlpatterns = [
    path("projects/", views.project_list, name="list"),
    path("projects/new/", views.project_create, name="create"),
    path("projects/disbursements/", views.disbursement_list, name="disbursements"),
    path("projects/disbursements/<int:pk>/approve/", views.disbursement_approve, name="disbursement_approve"),
    path("projects/disbursements/<int:pk>/reject/", views.disbursement_reject, name="disbursement_reject"),
    path("projects/disbursements/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("projects/attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("projects/evaluations/", views.evaluation_list, name="evaluations"),
    path("projects/evaluations/schedule/", views.evaluation_schedule, name="evaluation_schedule"),
    path(
        "projects/evaluations/schedule-pairings/",
        views.evaluation_schedule_pairings,
        name="evaluation_schedule_pairings",
    ),
    path("projects/evaluations/<int:pk>/", views.evaluation_detail, name="evaluation"),
    path("projects/rectifications/<int:pk>/close/", views.rectification_close, name="rectification_close"),
    path("projects/plans/", views.plan_list, name="plans"),
    path("projects/plans/new/", views.plan_create, name="plan_create"),
    path("projects/reports/ledger.xlsx", views.report_ledger, name="report_ledger"),
    path("projects/reports/fund-flow.xlsx", views.report_fund_flow, name="report_fund_flow"),
    path("projects/<str:code>/", views.project_detail, name="detail"),
    path("projects/<str:code>/edit/", views.project_edit, name="edit"),
    path("projects/<str:code>/status/", views.project_status, name="status"),
    path("projects/<str:code>/allocations/new/", views.allocation_create, name="allocation_create"),
    path(
        "projects/<str:code>/allocations/<int:pk>/reverse/",
        views.allocation_reverse,
        name="allocation_reverse",
    ),
    path("projects/<str:code>/disbursements/new/", views.disbursement_create, name="disbursement_create"),
]
