from django.urls import path, re_path

from bangfu.charity import views

app_name = "charity"
urlpatterns = [
    path("charity/", views.campaign_list, name="campaigns"),
    path("charity/new/", views.campaign_new, name="campaign_new"),
    path("charity/<slug:code>/", views.campaign_detail, name="campaign"),
    path("charity/<slug:code>/status/", views.campaign_status, name="campaign_status"),
    path("charity/<slug:code>/donations/new/", views.donation_new, name="donation_new"),
    path("charity/<slug:code>/donations/import/", views.donation_import, name="donation_import"),
    path("charity/<slug:code>/spending/new/", views.spending_new, name="spending_new"),
    path("charity/donations/<int:pk>/receipt/", views.donation_receipt, name="receipt"),
    path("charity/donations/<int:pk>/void/", views.donation_void, name="donation_void"),
    path("charity/spending/<int:pk>/", views.spending_detail, name="spending"),
    path("charity/spending/<int:pk>/reverse/", views.spending_reverse, name="spending_reverse"),
    # Public, no login.
    path("disclosure/", views.disclosure_index, name="disclosure"),
    path("disclosure/<slug:code>/", views.disclosure_detail, name="disclosure_campaign"),
    re_path(
        r"^disclosure/(?P<code>[-a-zA-Z0-9_]+)/(?P<what>donations\.csv|spending\.csv|disclosure\.json|disclosure\.xlsx)$",
        views.disclosure_download,
        name="disclosure_download",
    ),
]
