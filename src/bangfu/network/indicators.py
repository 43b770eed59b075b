"""Figures of the social assistance network for the work plan (monthly ledger, bulletin).

With `query.organisation`: registrations and claims count what the unit's invitation brought in,
sales count what the unit bought (consumption assistance); needs are posted by villages, so a
unit's `needs_posted` is 0."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from bangfu.lib.indicators import STOCK, IndicatorQuery, indicator
from bangfu.lib.money import to_cents
from bangfu.network.models import Claim, ClaimStatus, Need, Order, OrderStatus, Supporter


def _sales(query: IndicatorQuery) -> Q:
    q = Q(county=query.county, placed_on__gte=query.start, placed_on__lt=query.end) & ~Q(
        status=OrderStatus.CANCELLED
    )
    if query.organisation is not None:
        q &= Q(buyer_organisation=query.organisation)
    return q


def _claims(query: IndicatorQuery) -> Q:
    q = Q(county=query.county)
    if query.organisation is not None:
        q &= Q(supporter__invited_by=query.organisation)
    return q


@indicator(
    "network.supporter_registrations", label=_("爱心人士注册量"), unit="人", source_url_name="network:stats"
)
def supporter_registrations(query: IndicatorQuery) -> Decimal:
    rows = Supporter.objects.filter(
        county=query.county, registered_on__gte=query.start, registered_on__lt=query.end
    )
    if query.organisation is not None:
        rows = rows.filter(invited_by=query.organisation)
    return Decimal(rows.count())


@indicator("network.needs_posted", label=_("发布贫困户需求数"), unit="个")
def needs_posted(query: IndicatorQuery) -> Decimal:
    if query.organisation is not None:
        return Decimal(0)
    return Decimal(
        Need.objects.filter(
            county=query.county, published_on__gte=query.start, published_on__lt=query.end
        ).count()
    )


@indicator("network.needs_matched", label=_("已对接贫困户需求数"), unit="个")
def needs_matched(query: IndicatorQuery) -> Decimal:
    rows = Claim.objects.filter(_claims(query), claimed_on__gte=query.start, claimed_on__lt=query.end)
    return Decimal(rows.values("need_id").distinct().count())


@indicator("network.needs_fulfilled", label=_("已完成贫困户需求数"), unit="个")
def needs_fulfilled(query: IndicatorQuery) -> Decimal:
    rows = Claim.objects.filter(
        _claims(query),
        status=ClaimStatus.CONFIRMED,
        confirmed_on__gte=query.start,
        confirmed_on__lt=query.end,
    )
    return Decimal(rows.count())


@indicator("network.need_match_rate", label=_("需求对接率"), unit="%", kind=STOCK)
def need_match_rate(query: IndicatorQuery) -> Decimal:
    posted = needs_posted(query)
    if not posted:
        return Decimal(0)
    return (needs_matched(query) * 100 / posted).quantize(Decimal("0.1"))


@indicator(
    "network.product_sales_amount", label=_("扶贫农产品销售额"), unit="元", source_url_name="network:stats"
)
def product_sales_amount(query: IndicatorQuery) -> Decimal:
    total = Order.objects.filter(_sales(query)).aggregate(s=Sum("amount"))["s"]
    return to_cents(total)


@indicator("network.certified_product_sales_amount", label=_("认定扶贫产品销售额"), unit="元")
def certified_product_sales_amount(query: IndicatorQuery) -> Decimal:
    total = Order.objects.filter(_sales(query), product__certified=True).aggregate(s=Sum("amount"))["s"]
    return to_cents(total)


@indicator("network.product_orders", label=_("扶贫农产品订单数"), unit="笔")
def product_orders(query: IndicatorQuery) -> Decimal:
    return Decimal(Order.objects.filter(_sales(query)).count())
