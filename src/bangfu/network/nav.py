from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import STAFF_ROLES

# The menu group's label: shorter than the app's verbose name in English.
NAV_LABEL = pgettext_lazy("nav", "社会扶贫网")
NAV_ITEMS = [
    ("network:stats", _("社会扶贫网"), STAFF_ROLES),
    (
        "network:manage_products",
        _("农产品"),
        (Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK, Role.VILLAGE_OFFICER, Role.INSPECTOR),
    ),
    (
        "network:manage_needs",
        _("贫困户需求"),
        (Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK, Role.VILLAGE_OFFICER, Role.INSPECTOR),
    ),
    ("network:orders", _("订单"), (*STAFF_ROLES, Role.SUPPORTER)),
    ("network:invitations", _("邀请码"), (Role.COUNTY_ADMIN, Role.INSPECTOR, Role.UNIT_REPORTER)),
    ("network:me", _("我的帮扶"), (Role.SUPPORTER,)),
    ("network:needs", _("需求认领"), (Role.SUPPORTER,)),
    ("network:catalogue", _("农产品商城"), (Role.SUPPORTER, Role.UNIT_REPORTER)),
]
