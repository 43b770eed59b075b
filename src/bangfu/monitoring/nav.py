from django.utils.translation import gettext_lazy as _

from bangfu.registry.selectors import HOUSEHOLD_ROLES

NAV_ITEMS = [
    ("monitoring:index", _("监测对象"), HOUSEHOLD_ROLES),
    ("monitoring:leads", _("监测线索"), HOUSEHOLD_ROLES),
]
