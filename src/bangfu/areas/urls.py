from django.urls import path

from bangfu.areas import views

app_name = "areas"
urlpatterns = [
    path("areas/", views.area_list, name="list"),
    path("areas/<str:code>/", views.area_detail, name="detail"),
]
