from django.urls import path

from bangfu.partners import views

app_name = "partners"
urlpatterns = [
    path("partners/organisations/", views.organisation_list, name="organisations"),
    path("partners/organisations/import/", views.organisation_import, name="organisation_import"),
    path("partners/organisations/<str:code>/", views.organisation_detail, name="organisation"),
    path("partners/organisations/<str:code>/contacts/", views.contact_create, name="contact_create"),
    path(
        "partners/organisations/<str:code>/parent/",
        views.organisation_set_parent,
        name="organisation_set_parent",
    ),
    path("partners/settings/", views.partner_settings, name="settings"),
    path("partners/cadres/", views.cadre_list, name="cadres"),
    path("partners/cadres/new/", views.cadre_create, name="cadre_create"),
    path("partners/cadres/<int:pk>/edit/", views.cadre_edit, name="cadre_edit"),
    path("partners/cadres/import/", views.cadre_import, name="cadre_import"),
    path("partners/pairings/", views.pairing_list, name="pairings"),
    path("partners/pairings/new/", views.pairing_create, name="pairing_create"),
    path("partners/pairings/<int:pk>/", views.pairing_detail, name="pairing"),
    path("partners/pairings/<int:pk>/end/", views.pairing_end, name="pairing_end"),
    path(
        "partners/pairings/<int:pk>/change-helper/", views.pairing_change_helper, name="pairing_change_helper"
    ),
    path("partners/pairings/<int:pk>/figures/", views.pairing_figures, name="pairing_figures"),
    path(
        "partners/pairings/<int:pk>/kinship-visits/", views.kinship_visit_create, name="kinship_visit_create"
    ),
    path("partners/visits/", views.visit_list, name="visits"),
    path("partners/visits/new/", views.visit_create, name="visit_create"),
    path("partners/compliance/", views.compliance, name="compliance"),
    path("partners/coverage/", views.coverage, name="coverage"),
    path("partners/figures/", views.figures, name="figures"),
]
