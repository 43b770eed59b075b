from django.urls import path

from bangfu.partners import views

app_name = "partners"
urlpatterns = [path("partners/organisations/", views.organisation_list, name="organisations")]
