from __future__ import annotations

from django.urls import path

from bangfu.documents import views

app_name = "documents"
urlpatterns = [
    path("documents/", views.index, name="index"),
    path("documents/settings/", views.settings_view, name="settings"),
    path("documents/notices/yulu/<str:code>/", views.yulu_notice, name="yulu_notice"),
    path("documents/notices/awards/<slug:code>/publicity/", views.award_publicity, name="award_publicity"),
    path("documents/notices/awards/<slug:code>/result/", views.award_result, name="award_result"),
    path("documents/notices/charity/<slug:code>/", views.donation_use, name="donation_use"),
]
