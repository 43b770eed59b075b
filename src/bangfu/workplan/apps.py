from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkplanConfig(AppConfig):
    name = "bangfu.workplan"
    label = "workplan"
    verbose_name = _("工作台账")
