from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import STAFF_ROLES

REPORT_ROLES = (Role.COUNTY_ADMIN, Role.INSPECTOR, Role.UNIT_REPORTER)
COVERAGE_ROLES = (Role.COUNTY_ADMIN, Role.INSPECTOR, Role.TOWNSHIP_CLERK)

# The menu group's label: shorter than the app's verbose name in English.
NAV_LABEL = pgettext_lazy("nav", "帮扶单位")
NAV_ITEMS = [
    ("partners:organisations", _("单位"), STAFF_ROLES),
    ("partners:pairings", _("结对帮扶"), STAFF_ROLES),
    ("partners:visits", _("工作组走访"), STAFF_ROLES),
    ("partners:compliance", _("走访达标"), REPORT_ROLES),
    ("partners:coverage", _("帮扶覆盖"), COVERAGE_ROLES),
    ("partners:cadres", _("帮扶干部"), REPORT_ROLES),
    ("partners:figures", _("帮扶投入"), REPORT_ROLES),
    ("partners:settings", _("帮扶设置"), (Role.COUNTY_ADMIN,)),
]
