"""Poverty Alleviation Day figures for the work plan (task 三(五)4 of the 2020 plan)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from bangfu.charity.models import Donation, DonorKind, Spending, SpendingStatus
from bangfu.lib.indicators import IndicatorQuery, indicator
from bangfu.lib.money import ZERO


def _donations(query: IndicatorQuery):  # type: ignore[no-untyped-def]
    rows = Donation.objects.filter(
        voided_at__isnull=True,
        county__code__startswith=query.county.prefix,
        donated_on__gte=query.start,
        donated_on__lt=query.end,
    )
    if query.organisation is not None:
        rows = rows.filter(campaign__organiser=query.organisation)
    return rows


@indicator("charity.donations_raised", label=_("扶贫日捐赠金额（含物资折价）"), unit="元")
def donations_raised(query: IndicatorQuery) -> Decimal:
    return _donations(query).aggregate(t=Sum("amount"))["t"] or ZERO


@indicator("charity.donors", label=_("扶贫日捐赠人次"), unit="人次")
def donors(query: IndicatorQuery) -> Decimal:
    counts = _donations(query).aggregate(
        named=Count(
            "donor_name", distinct=True, filter=Q(donor_kind=DonorKind.ORGANISATION) | Q(publish_name=True)
        ),
        anonymous=Count("pk", filter=Q(donor_kind=DonorKind.PERSON, publish_name=False)),
    )
    return Decimal(counts["named"] + counts["anonymous"])


@indicator("charity.funds_spent", label=_("扶贫日捐赠资金使用金额"), unit="元")
def funds_spent(query: IndicatorQuery) -> Decimal:
    """Approved spending, by the date of the second approval."""
    rows = Spending.objects.filter(
        county__code__startswith=query.county.prefix,
        status=SpendingStatus.APPROVED,
        decided_at__date__gte=query.start,
        decided_at__date__lt=query.end,
    )
    if query.organisation is not None:
        rows = rows.filter(campaign__organiser=query.organisation)
    return rows.aggregate(t=Sum("amount"))["t"] or ZERO
