from django.utils.translation import gettext_lazy as _

from bangfu.accounts.scopes import STAFF_ROLES

NAV_ITEMS = [
    ("subsidies:terms", _("雨露计划"), STAFF_ROLES),
    ("subsidies:technician", _("百工技师工程"), STAFF_ROLES),
    ("subsidies:sanzhi", _("三支一扶"), STAFF_ROLES),
    ("subsidies:milestones", _("补助项目进度"), STAFF_ROLES),
]
