from django.urls import path

from bangfu.registry import views

app_name = "registry"
urlpatterns = [
    path("registry/households/", views.household_list, name="household_list"),
    path("registry/households/<str:number>/", views.household_detail, name="household_detail"),
    path("registry/members/<int:pk>/reveal-id/", views.reveal_member_id, name="reveal_id"),
    path("registry/imports/", views.import_list, name="import_list"),
    path("registry/imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("registry/imports/<int:pk>/errors.xlsx", views.import_errors, name="import_errors"),
]
