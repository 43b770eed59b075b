"""Area figures for the work plan."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from bangfu.areas.models import Area, Level
from bangfu.lib.indicators import STOCK, IndicatorQuery, indicator


@indicator("areas.registered_poor_villages", label=_("建档立卡贫困村数"), unit="个", kind=STOCK)
def registered_poor_villages(query: IndicatorQuery) -> Decimal:
    count = Area.objects.filter(
        level=Level.VILLAGE, registered_poor=True, code__startswith=query.county.prefix
    ).count()
    return Decimal(count)
