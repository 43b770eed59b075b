from django.utils.translation import gettext_lazy as _

from bangfu.accounts.models import Role
from bangfu.registry.selectors import HOUSEHOLD_ROLES

NAV_ITEMS = [
    ("registry:household_list", _("建档立卡户"), HOUSEHOLD_ROLES),
    ("registry:import_list", _("导入建档立卡"), (Role.COUNTY_ADMIN,)),
]
