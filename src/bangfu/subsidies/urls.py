from __future__ import annotations

from django.urls import path

from bangfu.subsidies import views

app_name = "subsidies"
urlpatterns = [
    path("subsidies/yulu/", views.term_list, name="terms"),
    path("subsidies/milestones/", views.milestone_list, name="milestones"),
    path("subsidies/milestones/schedule/", views.milestone_schedule, name="milestone_schedule"),
    path("subsidies/milestones/<int:pk>/complete/", views.milestone_complete, name="milestone_complete"),
    path("subsidies/sanzhi/", views.sanzhi_list, name="sanzhi"),
    path("subsidies/sanzhi/<int:year>/", views.sanzhi_plan, name="sanzhi_plan"),
    path("subsidies/sanzhi/applicants/<int:pk>/advance/", views.sanzhi_advance, name="sanzhi_advance"),
]
