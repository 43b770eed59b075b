from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CharityConfig(AppConfig):
    name = "bangfu.charity"
    label = "charity"
    verbose_name = _("扶贫日捐赠")
