from django.utils.translation import gettext_lazy as _

from bangfu.charity.selectors import CHARITY_ROLES

NAV_ITEMS = [("charity:campaigns", _("扶贫日捐赠"), CHARITY_ROLES)]
