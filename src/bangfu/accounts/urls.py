from django.contrib.auth import views as auth_views
from django.urls import path

from bangfu.accounts import views

app_name = "accounts"

urlpatterns = [
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/active/<int:active>/", views.user_set_active, name="user_set_active"),
    path("users/<int:pk>/password/", views.user_set_password, name="user_set_password"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("changes/", views.change_list, name="changes"),
    path("changes/<int:pk>/confirm/", views.change_confirm, name="change_confirm"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
]
