from django.urls import path

from bangfu.awards import views

app_name = "awards"
urlpatterns = [
    path("awards/", views.round_list, name="rounds"),
    path("awards/new/", views.round_new, name="round_new"),
    path("awards/public/", views.public_index, name="public_index"),
    path("awards/public/<slug:code>/", views.public_round, name="public_round"),
    path("awards/public/<slug:code>/objection/<int:pk>/", views.public_objection, name="public_objection"),
    path("awards/nominations/<int:pk>/", views.nomination_detail, name="nomination"),
    path("awards/nominations/<int:pk>/attachment/", views.nomination_attachment, name="attachment"),
    path("awards/objections/<int:pk>/answer/", views.objection_answer, name="objection_answer"),
    path("awards/<slug:code>/", views.round_detail, name="round"),
    path("awards/<slug:code>/status/", views.round_status, name="round_status"),
    path("awards/<slug:code>/nominate/", views.nominate, name="nominate"),
    path("awards/<slug:code>/types/", views.award_type_new, name="award_type_new"),
    path("awards/<slug:code>/panel/", views.panel_add, name="panel_add"),
]
