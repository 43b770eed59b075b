from django.utils.translation import gettext_lazy as _

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import STAFF_ROLES

OVERSIGHT = (Role.COUNTY_ADMIN, Role.INSPECTOR)
NAV_ITEMS = [
    ("workplan:dashboard", _("工作看板"), OVERSIGHT),
    ("workplan:plan", _("工作方案"), STAFF_ROLES),
    ("workplan:reports", _("工作台账"), STAFF_ROLES),
    ("workplan:completeness", _("报送情况"), OVERSIGHT),
    ("workplan:oversight", _("督办"), OVERSIGHT),
    ("workplan:assessment", _("考核"), OVERSIGHT),
    ("workplan:my_assessment", _("本单位考核"), (Role.UNIT_REPORTER,)),
    ("workplan:notifications", _("通知"), STAFF_ROLES),
]
