from django.urls import path

from bangfu.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("monitoring/", views.index, name="index"),
    path("monitoring/new/", views.create, name="create"),
    path("monitoring/households/<int:pk>/", views.household, name="household"),
    path("monitoring/households/<int:pk>/<slug:action>/", views.household_action, name="household_action"),
    path("monitoring/leads/", views.leads, name="leads"),
    path("monitoring/leads/<int:pk>/decide/", views.decide_lead, name="decide_lead"),
    path("monitoring/department-lists/", views.department_list, name="department_list"),
    path("monitoring/export.xlsx", views.export, name="export"),
    path("monitoring/reconcile/", views.reconcile_view, name="reconcile"),
]
