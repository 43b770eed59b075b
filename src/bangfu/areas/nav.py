from django.utils.translation import gettext_lazy as _

from bangfu.accounts.scopes import STAFF_ROLES

NAV_ITEMS = [("areas:list", _("区划"), STAFF_ROLES)]
