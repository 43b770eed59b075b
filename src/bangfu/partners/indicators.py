"""Partners figures for the work plan (monthly ledger, bulletin, assessment).

Every figure is one or a few aggregate queries over [query.start, query.end) in query.county;
with query.organisation it counts what that organisation did (as helper)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from bangfu.lib.indicators import FLOW, STOCK, IndicatorQuery, indicator
from bangfu.partners.models import AdminLevel, KinshipVisit, Pairing, PairingKind, Visit
from bangfu.partners.selectors import (
    active_on,
    figures_totals,
    households_without_kinship_cadre,
    villages_without_designated_helper,
)


@indicator(
    "partners.work_team_visits", label=_("工作组走访次数"), unit="次", source_url_name="partners:visits"
)
def work_team_visits(query: IndicatorQuery) -> Decimal:
    visits = Visit.objects.filter(county=query.county, date__gte=query.start, date__lt=query.end)
    if query.organisation is not None:
        visits = visits.filter(organisation=query.organisation)
    return Decimal(visits.count())


@indicator("partners.kinship_visits", label=_("结对认亲走访次数"), unit="次")
def kinship_visits(query: IndicatorQuery) -> Decimal:
    visits = KinshipVisit.objects.filter(county=query.county, date__gte=query.start, date__lt=query.end)
    if query.organisation is not None:
        visits = visits.filter(cadre__organisation=query.organisation)
    return Decimal(visits.count())


def _last_day(query: IndicatorQuery) -> date:
    return query.end - timedelta(days=1)


@indicator(
    "partners.villages_without_designated_helper", label=_("无定点帮扶单位的贫困村"), unit="个", kind=STOCK
)
def villages_without_helper(query: IndicatorQuery) -> Decimal:
    return Decimal(villages_without_designated_helper(query.county, on=_last_day(query)).count())


@indicator(
    "partners.households_without_kinship_cadre", label=_("无结对干部的建档立卡户"), unit="户", kind=STOCK
)
def households_without_cadre(query: IndicatorQuery) -> Decimal:
    return Decimal(households_without_kinship_cadre(query.county, on=_last_day(query)).count())


@indicator("partners.kinship_households", label=_("结对认亲户数"), unit="户", kind=STOCK)
def kinship_households(query: IndicatorQuery) -> Decimal:
    pairings = active_on(
        Pairing.objects.filter(county=query.county, kind=PairingKind.KINSHIP), _last_day(query)
    )
    if query.organisation is not None:
        pairings = pairings.filter(helper_cadre__organisation=query.organisation)
    return Decimal(pairings.values("target_household").distinct().count())


@indicator(
    "partners.active_pairings", label=_("在帮结对数（定点、东西部、对口、万企）"), unit="个", kind=STOCK
)
def active_pairings(query: IndicatorQuery) -> Decimal:
    pairings = active_on(
        Pairing.objects.filter(county=query.county).filter(~Q(kind=PairingKind.KINSHIP)), _last_day(query)
    )
    if query.organisation is not None:
        pairings = pairings.filter(helper_organisation=query.organisation)
    return Decimal(pairings.count())


def _active_of_kind(kind: str) -> Callable[[IndicatorQuery], Decimal]:
    def compute(query: IndicatorQuery) -> Decimal:
        pairings = active_on(Pairing.objects.filter(county=query.county, kind=kind), _last_day(query))
        if query.organisation is not None:
            pairings = pairings.filter(helper_organisation=query.organisation)
        return Decimal(pairings.count())

    return compute


indicator("partners.east_west_pairings", label=_("东西部协作在帮结对数"), unit="对", kind=STOCK)(
    _active_of_kind(PairingKind.EAST_WEST)
)
indicator("partners.enterprise_pairings", label=_("村企结对数（万企帮万村）"), unit="对", kind=STOCK)(
    _active_of_kind(PairingKind.ENTERPRISE)
)


# --- pairing inputs (帮扶投入), from the monthly records of every organisation pairing -------------------
# Each is a flow: what the pairings put in within the period (本月 / 全年累计), per kind of
# pairing, and for the provincial designated units (plan 3.1.1) on their own.
FIGURES = {
    "funds": (_("帮扶资金"), "元"),  # the three sources together
    "funds_direct": (_("直接投入资金"), "元"),
    "funds_in_kind": (_("捐物折价"), "元"),
    "funds_introduced": (_("引进资金"), "元"),
    "training_sessions": (_("培训期数"), "期"),
    "people_trained": (_("培训人次"), "人次"),
    "labour_transferred": (_("劳务转移人数"), "人"),
    "consumption": (_("消费扶贫金额"), "元"),
    "enterprises_introduced": (_("引进企业数"), "个"),
    "investment": (_("实际投资"), "元"),
    "cadres_seconded": (_("选派挂职干部"), "人"),
    "specialists_seconded": (_("选派专技人才"), "人"),
}
KIND_PREFIX = {
    PairingKind.DESIGNATED: ("designated", _("定点帮扶")),
    PairingKind.EAST_WEST: ("east_west", _("东西部协作")),
    PairingKind.COUNTERPART: ("counterpart", _("对口帮扶")),
    PairingKind.ENTERPRISE: ("enterprise", _("万企帮万村")),
}


def _figure(kind: str, field: str, helper_level: str = "") -> Callable[[IndicatorQuery], Decimal]:
    def compute(query: IndicatorQuery) -> Decimal:
        totals = figures_totals(
            query.county,
            query.start,
            query.end,
            kinds=[kind],
            organisation=query.organisation,
            helper_level=helper_level,
        )
        return Decimal(totals[field])

    compute.__name__ = f"{helper_level}{kind}_{field}"
    return compute


for _kind, (_prefix, _kind_label) in KIND_PREFIX.items():
    for _field, (_label, _unit) in FIGURES.items():
        indicator(
            f"partners.{_prefix}_{_field}",
            label=format_lazy("{}·{}", _kind_label, _label),
            unit=_unit,
            source_url_name="partners:figures",
            kind=FLOW,
        )(_figure(_kind, _field))
for _field, (_label, _unit) in FIGURES.items():
    indicator(
        f"partners.provincial_designated_{_field}",
        label=format_lazy("{}·{}", _("省级定点帮扶"), _label),
        unit=_unit,
        source_url_name="partners:figures",
        kind=FLOW,
    )(_figure(PairingKind.DESIGNATED, _field, AdminLevel.PROVINCIAL))


# --- designated assistance (定点帮扶), from pairings + registry: never typed --------------------------
def designated_village_ids(query: IndicatorQuery, *, level: str = "") -> QuerySet[Pairing, Any]:
    """Target villages of designated pairings running on the period's last day (of helpers of
    `level`, e.g. provincial, when given; of `query.organisation` when given)."""
    pairings = active_on(
        Pairing.objects.filter(county=query.county, kind=PairingKind.DESIGNATED, target_area__isnull=False),
        _last_day(query),
    )
    if level:
        pairings = pairings.filter(helper_organisation__admin_level=level)
    if query.organisation is not None:
        pairings = pairings.filter(helper_organisation=query.organisation)
    return pairings.values("target_area").distinct()


def _designated(level: str, what: str) -> Callable[[IndicatorQuery], Decimal]:
    def compute(query: IndicatorQuery) -> Decimal:
        from bangfu.registry.models import Household, Member

        villages = designated_village_ids(query, level=level)
        if what == "villages":
            return Decimal(villages.count())
        households = Household.objects.filter(county=query.county, active=True, village__in=villages)
        if what == "households":
            return Decimal(households.count())
        if what == "exited_households":
            return Decimal(households.filter(exited=True).count())
        return Decimal(Member.objects.filter(active=True, household__in=households).count())

    compute.__name__ = f"designated_{level or 'all'}_{what}"
    return compute


DESIGNATED_FIGURES = {
    "villages": (_("定点帮扶贫困村数"), "个"),
    "households": (_("定点帮扶建档立卡户数"), "户"),
    "people": (_("定点帮扶建档立卡人口"), "人"),
    "exited_households": (_("定点帮扶已脱贫户数"), "户"),
}
for _what, (_label, _unit) in DESIGNATED_FIGURES.items():
    indicator(
        f"partners.designated_{_what}",
        label=_label,
        unit=_unit,
        kind=STOCK,
        source_url_name="partners:pairings",
    )(_designated("", _what))
    indicator(
        f"partners.provincial_designated_{_what}",
        label=format_lazy("{}{}", _("省级"), _label),
        unit=_unit,
        kind=STOCK,
        source_url_name="partners:pairings",
    )(_designated(AdminLevel.PROVINCIAL, _what))
