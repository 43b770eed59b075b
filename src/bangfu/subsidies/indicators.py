"""Subsidy figures for the work plan (monthly ledger, bulletin, dashboard).

Money and counts of the period [start, end). With `query.organisation`: a township's own
organisation gets its township's figures; any other organisation the county-wide figure (the
programmes are run county-wide by their lead unit)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from bangfu.lib.indicators import STOCK, IndicatorQuery, indicator
from bangfu.lib.money import ZERO
from bangfu.subsidies.models import (
    PlacementStatus,
    SanzhiApplicant,
    SanzhiPayment,
    SanzhiPlacement,
    SanzhiStage,
    TechnicianEnrolment,
    TechnicianFunding,
    TechnicianStatus,
    YuluPayment,
    YuluTerm,
)


def _area_prefix(query: IndicatorQuery) -> str:
    org = query.organisation
    if org is not None and org.org_type == "township" and org.area is not None:
        return org.area.prefix
    return query.county.prefix


@indicator(
    "subsidies.yulu_students_paid", label=_("雨露计划发放人数"), unit="人", source_url_name="subsidies:terms"
)
def yulu_students_paid(query: IndicatorQuery) -> Decimal:
    count = YuluPayment.objects.filter(
        county=query.county,
        village__code__startswith=_area_prefix(query),
        paid_on__gte=query.start,
        paid_on__lt=query.end,
    ).count()
    return Decimal(count)


@indicator(
    "subsidies.yulu_amount_paid", label=_("雨露计划发放金额"), unit="元", source_url_name="subsidies:terms"
)
def yulu_amount_paid(query: IndicatorQuery) -> Decimal:
    total = YuluPayment.objects.filter(
        county=query.county,
        village__code__startswith=_area_prefix(query),
        paid_on__gte=query.start,
        paid_on__lt=query.end,
    ).aggregate(total=Sum("amount"))["total"]
    return total or ZERO


@indicator(
    "subsidies.yulu_missing",
    label=_("雨露计划应补未补人数"),
    unit="人",
    source_url_name="subsidies:terms",
    kind=STOCK,
)
def yulu_missing(query: IndicatorQuery) -> Decimal:
    """Eligible students of the latest term started before the period's end still unpaid."""
    from bangfu.subsidies.selectors import reconcile_yulu

    term = (
        YuluTerm.objects.filter(county=query.county, start_date__lt=query.end).order_by("-start_date").first()
    )
    if term is None:
        return Decimal(0)
    rec = reconcile_yulu(term).restricted_to(_area_prefix(query))
    return Decimal(len(rec.missing))


@indicator("subsidies.technician_studying", label=_("百工技师工程在读学员"), unit="人", kind=STOCK)
def technician_studying(query: IndicatorQuery) -> Decimal:
    count = TechnicianEnrolment.objects.filter(
        county=query.county,
        village__code__startswith=_area_prefix(query),
        start_date__lt=query.end,
        status__in=[TechnicianStatus.STUDYING, TechnicianStatus.ENROLLED],
    ).count()
    return Decimal(count)


@indicator("subsidies.technician_funding", label=_("百工技师工程资助金额"), unit="元")
def technician_funding(query: IndicatorQuery) -> Decimal:
    total = TechnicianFunding.objects.filter(
        enrolment__county=query.county,
        enrolment__village__code__startswith=_area_prefix(query),
        paid_on__gte=query.start,
        paid_on__lt=query.end,
    ).aggregate(total=Sum("amount"))["total"]
    return total or ZERO


@indicator(
    "subsidies.sanzhi_hired",
    label=_("三支一扶录用人数"),
    unit="人",
    source_url_name="subsidies:sanzhi",
    kind=STOCK,
)
def sanzhi_hired(query: IndicatorQuery) -> Decimal:
    count = SanzhiApplicant.objects.filter(
        plan__county=query.county,
        plan__year=query.start.year,
        post__township__code__startswith=_area_prefix(query),
        stage=SanzhiStage.HIRED,
    ).count()
    return Decimal(count)


@indicator(
    "subsidies.sanzhi_on_post",
    label=_("三支一扶在岗人数"),
    unit="人",
    source_url_name="subsidies:sanzhi",
    kind=STOCK,
)
def sanzhi_on_post(query: IndicatorQuery) -> Decimal:
    count = (
        SanzhiPlacement.objects.filter(
            county=query.county,
            end_date__gte=query.end,
            township__code__startswith=_area_prefix(query),
            start_date__lt=query.end,
        )
        .exclude(status=PlacementStatus.LEFT)
        .count()
    )
    return Decimal(count)


@indicator("subsidies.sanzhi_subsidy_paid", label=_("三支一扶补贴发放金额"), unit="元")
def sanzhi_subsidy_paid(query: IndicatorQuery) -> Decimal:
    total = SanzhiPayment.objects.filter(
        placement__county=query.county,
        placement__township__code__startswith=_area_prefix(query),
        paid_on__gte=query.start,
        paid_on__lt=query.end,
    ).aggregate(total=Sum("amount"))["total"]
    return total or ZERO
