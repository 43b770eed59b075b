from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from bangfu.api import api
from bangfu.core import views as core_views
from bangfu.modules import provided

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("bangfu.accounts.urls")),
    path("audit/", include("bangfu.audit.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
]
# Each domain app's urls.py carries its own path prefixes (see bangfu.modules).
urlpatterns += [
    path("", include((module.urlpatterns, label), namespace=label)) for label, module in provided("urls")
]

handler404 = core_views.page_not_found
handler403 = core_views.permission_denied
handler500 = core_views.server_error
