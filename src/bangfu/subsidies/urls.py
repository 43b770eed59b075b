from __future__ import annotations

from django.urls import path

from bangfu.subsidies import views

app_name = "subsidies"
urlpatterns = [
    path("subsidies/yulu/", views.term_list, name="terms"),
    path("subsidies/yulu/<str:code>/", views.term_detail, name="term"),
    path("subsidies/yulu/<str:code>/settings/", views.term_edit, name="term_edit"),
    path("subsidies/yulu/<str:code>/paid-list/", views.paid_list_upload, name="paid_list"),
    path("subsidies/yulu/<str:code>/applications/", views.application_list, name="applications"),
    path("subsidies/yulu/<str:code>/batches/", views.batch_create, name="batch_create"),
    path(
        "subsidies/yulu/<str:code>/reconciliation.xlsx", views.reconciliation_file, name="reconciliation_file"
    ),
    path("subsidies/yulu/applications/<int:pk>/review/", views.application_review, name="application_review"),
    path("subsidies/yulu/batches/<int:pk>/paid/", views.batch_paid, name="batch_paid"),
    path("subsidies/yulu/batches/<int:pk>/bank-file.xlsx", views.batch_file, name="batch_file"),
    path("subsidies/milestones/", views.milestone_list, name="milestones"),
    path("subsidies/milestones/schedule/", views.milestone_schedule, name="milestone_schedule"),
    path("subsidies/milestones/<int:pk>/complete/", views.milestone_complete, name="milestone_complete"),
    path("subsidies/technician/", views.technician, name="technician"),
    path("subsidies/technician/<int:year>/actions/", views.technician_action, name="technician_action"),
    path(
        "subsidies/technician/enrolments/<int:pk>/status/", views.technician_status, name="technician_status"
    ),
    path("subsidies/sanzhi/", views.sanzhi_list, name="sanzhi"),
    path("subsidies/sanzhi/<int:year>/", views.sanzhi_plan, name="sanzhi_plan"),
    path("subsidies/sanzhi/<int:year>/actions/", views.sanzhi_action, name="sanzhi_action"),
    path("subsidies/sanzhi/applicants/<int:pk>/advance/", views.sanzhi_advance, name="sanzhi_advance"),
]
