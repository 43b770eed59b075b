from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "bangfu.accounts"
    label = "accounts"
    verbose_name = _("用户")

    def ready(self) -> None:
        # Registers the attention source (accounts is not a domain app, bangfu.modules).
        from bangfu.accounts import attention  # noqa: F401
