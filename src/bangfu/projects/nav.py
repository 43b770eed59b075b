from django.utils.translation import gettext_lazy as _

from bangfu.accounts.scopes import STAFF_ROLES

NAV_ITEMS = [
    ("projects:list", _("帮扶项目"), STAFF_ROLES),
    ("projects:disbursements", _("资金拨付"), STAFF_ROLES),
    ("projects:evaluations", _("项目评估"), STAFF_ROLES),
]
