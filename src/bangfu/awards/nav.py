from django.utils.translation import gettext_lazy as _

from bangfu.accounts.scopes import STAFF_ROLES

NAV_ITEMS = [("awards:rounds", _("先进评选"), STAFF_ROLES)]
