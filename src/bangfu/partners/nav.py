from django.utils.translation import gettext_lazy as _

from bangfu.accounts.scopes import STAFF_ROLES

NAV_ITEMS = [("partners:organisations", _("单位"), STAFF_ROLES)]
