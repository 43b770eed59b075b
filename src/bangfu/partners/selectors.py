"""Reads of the partners app: coverage, compliance, reminders and cooperation figures.

Other apps (monthly ledger, bulletin) read pairings and figures through these functions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from bangfu.areas.models import Area, Level
from bangfu.lib.clock import today
from bangfu.lib.money import ZERO, to_cents
from bangfu.lib.periods import quarter_bounds, quarter_of
from bangfu.partners.models import (
    FIGURE_FIELDS,
    FUND_SOURCES,
    MONEY_FIELDS,
    KinshipVisit,
    Organisation,
    Pairing,
    PairingFigures,
    PairingKind,
    Visit,
)
from bangfu.partners.services import visit_rule
from bangfu.registry.models import Household


def active_on(pairings: QuerySet[Pairing], day: date) -> QuerySet[Pairing]:
    return pairings.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))


def active_in(pairings: QuerySet[Pairing], start: date, end: date) -> QuerySet[Pairing]:
    """Pairings running at some time in [start, end)."""
    return pairings.filter(start_date__lt=end).filter(Q(end_date__isnull=True) | Q(end_date__gte=start))


# --- coverage -------------------------------------------------------------------------------------
def villages_without_designated_helper(county: Area, *, on: date | None = None) -> QuerySet[Area]:
    """Registered poor villages of the county with no designated helper unit running on `on`."""
    day = on or today()
    helpers = active_on(Pairing.objects.filter(kind=PairingKind.DESIGNATED, target_area=OuterRef("pk")), day)
    return (
        Area.objects.filter(level=Level.VILLAGE, registered_poor=True, code__startswith=county.prefix)
        .exclude(Exists(helpers))
        .select_related("parent")
        .order_by("code")
    )


def designated_helpers_by_village(county: Area, *, on: date | None = None) -> dict[int, list[Organisation]]:
    day = on or today()
    result: dict[int, list[Organisation]] = {}
    pairings = active_on(Pairing.objects.filter(county=county, kind=PairingKind.DESIGNATED), day)
    for p in pairings.select_related("helper_organisation"):
        assert p.target_area_id is not None and p.helper_organisation is not None
        result.setdefault(p.target_area_id, []).append(p.helper_organisation)
    return result


# --- compliance -----------------------------------------------------------------------------------
@dataclass
class ComplianceRow:
    organisation: Organisation
    quarters: list[int]
    total: int
    compliant: bool
    # Per quarter: "ok", "missed" (ended below the rule), "open" (current, not yet met), "future".
    states: list[str] = field(default_factory=list)
    # The year judged against the whole rule by the office clock: "ok" (the year is over, every
    # quarter met and the yearly total reached), "missed" (a quarter ended below the rule, or the
    # year ended short of the yearly total) or "open" (进行中: nothing failed yet, not yet judged).
    # `compliant` stays "no failure so far" (the API's meaning); the pages show the verdict.
    verdict: str = "open"

    @property
    def cells(self) -> list[tuple[int, str]]:
        return list(zip(self.quarters, self.states, strict=True))

    def verdict_for(self, quarter: int | None) -> str:
        """The verdict for the period shown: the year (None) or one quarter (1–4), whose state
        is its own verdict ("future" for a quarter not yet begun)."""
        return self.verdict if quarter is None else self.states[quarter - 1]


def year_verdict(states: list[str], year_over: bool, total_reached: bool = True) -> str:
    if "missed" in states:
        return "missed"
    if not year_over:
        return "open"
    return "ok" if total_reached else "missed"


def compliance_matrix(
    county: Area, year: int, *, organisations: QuerySet[Organisation] | None = None, on: date | None = None
) -> list[ComplianceRow]:
    """Organisation × quarter counts of qualifying work-team visits in `year`.

    Rows: every organisation with a designated pairing running in the year (plus any organisation
    that visited), limited to `organisations` when given. A visit qualifies when its team size is
    within the county's current range. `compliant`: every ended quarter reaches the quarterly
    minimum and, once the year is over, the yearly total reaches the yearly minimum."""
    day = on or today()
    rule = visit_rule(county)
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    visits = Visit.objects.filter(
        county=county,
        date__gte=start,
        date__lt=end,
        team_size__gte=rule.team_min,
        team_size__lte=rule.team_max,
    )
    if organisations is not None:
        visits = visits.filter(organisation__in=organisations)
    bounds = [quarter_bounds(year, q) for q in (1, 2, 3, 4)]
    counts: Any = visits.values("organisation_id").annotate(
        **{f"q{i + 1}": Count("id", filter=Q(date__gte=a, date__lt=b)) for i, (a, b) in enumerate(bounds)}
    )
    by_org = {row["organisation_id"]: [row["q1"], row["q2"], row["q3"], row["q4"]] for row in counts}
    helper_ids = set(
        active_in(Pairing.objects.filter(county=county, kind=PairingKind.DESIGNATED), start, end).values_list(
            "helper_organisation_id", flat=True
        )
    )
    orgs = Organisation.objects.filter(pk__in=helper_ids | set(by_org)).only(
        "id", "code", "name", "county_id"
    )
    if organisations is not None:
        orgs = orgs.filter(pk__in=organisations.values("pk"))
    rows = []
    for org in orgs.order_by("code"):
        quarters = by_org.get(org.pk, [0, 0, 0, 0])
        states = []
        for q, (q_start, q_end) in enumerate(bounds, start=1):
            if quarters[q - 1] >= rule.per_quarter:
                states.append("ok")
            elif q_end <= day:
                states.append("missed")
            elif q_start <= day:
                states.append("open")
            else:
                states.append("future")
        total = sum(quarters)
        compliant = "missed" not in states and (end > day or total >= rule.per_year)
        verdict = year_verdict(states, end <= day, total >= rule.per_year)
        rows.append(ComplianceRow(org, quarters, total, compliant, states, verdict))
    return rows


class Ref(NamedTuple):
    pk: int
    code: str
    name: str


@dataclass
class Reminder:
    organisation: Ref
    villages: list[Ref]


def not_yet_visited_this_quarter(
    county: Area, *, on: date | None = None, organisations: QuerySet[Organisation] | None = None
) -> list[Reminder]:
    """Designated helper units with no qualifying visit yet in the current quarter, with the
    villages they help (for reminders). One query; rows are plain tuples, not model instances."""
    day = on or today()
    q_start, q_end = quarter_bounds(day.year, quarter_of(day))
    rule = visit_rule(county)
    visited = Visit.objects.filter(
        county=county,
        date__gte=q_start,
        date__lt=q_end,
        team_size__gte=rule.team_min,
        team_size__lte=rule.team_max,
    ).values("organisation_id")
    pairings = active_on(Pairing.objects.filter(county=county, kind=PairingKind.DESIGNATED), day).exclude(
        helper_organisation_id__in=visited
    )
    if organisations is not None:
        pairings = pairings.filter(helper_organisation__in=organisations)
    result: dict[int, Reminder] = {}
    for org_id, org_code, org_name, area_id, area_code, area_name in pairings.order_by(
        "helper_organisation__code", "target_area__code"
    ).values_list(
        "helper_organisation_id",
        "helper_organisation__code",
        "helper_organisation__name",
        "target_area_id",
        "target_area__code",
        "target_area__name",
    ):
        reminder = result.setdefault(org_id, Reminder(Ref(org_id, org_code, org_name), []))
        reminder.villages.append(Ref(area_id, area_code, area_name))
    return list(result.values())


# --- pairing inputs (帮扶投入) ------------------------------------------------------------------------
def _totals(sums: dict[str, Any]) -> dict[str, Any]:
    """Sums of FIGURE_FIELDS (None for no rows) as Decimal yuan / int counts, plus `funds`: the
    three fund sources together."""
    totals: dict[str, Any] = {
        f: to_cents(sums.get(f)) if f in MONEY_FIELDS else int(sums.get(f) or 0) for f in FIGURE_FIELDS
    }
    totals["funds"] = sum((totals[f] for f in FUND_SOURCES), ZERO)
    return totals


def figures_totals(
    county: Area,
    start: date,
    end: date,
    *,
    kinds: Iterable[str] | None = None,
    organisation: Organisation | None = None,
    helper_level: str = "",
) -> dict[str, Any]:
    """Sums of the monthly inputs for months in [start, end), optionally of some pairing kinds,
    of one helper organisation and of helpers of one administrative level (e.g. the provincial
    designated units). Used by the named indicators and the monthly ledger."""
    rows = PairingFigures.objects.filter(
        pairing__county=county, month__gte=start.replace(day=1), month__lt=end
    )
    if kinds is not None:
        rows = rows.filter(pairing__kind__in=list(kinds))
    if organisation is not None:
        rows = rows.filter(pairing__helper_organisation=organisation)
    if helper_level:
        rows = rows.filter(pairing__helper_organisation__admin_level=helper_level)
    return _totals(rows.aggregate(**{f: Sum(f) for f in FIGURE_FIELDS}))


@dataclass
class PartnerYear:
    organisation: Organisation
    kind: str
    totals: dict[str, Any]
    pairings: int

    @property
    def kind_label(self) -> str:
        return str(PairingKind(self.kind).label)


def figures_by_partner(
    county: Area, year: int, *, organisations: QuerySet[Organisation] | None = None
) -> list[PartnerYear]:
    """Yearly roll-up of the monthly figures per helper organisation and pairing kind."""
    rows = PairingFigures.objects.filter(
        pairing__county=county, month__gte=date(year, 1, 1), month__lt=date(year + 1, 1, 1)
    )
    if organisations is not None:
        rows = rows.filter(pairing__helper_organisation__in=organisations)
    grouped: list[Any] = list(
        rows.values("pairing__helper_organisation_id", "pairing__kind")
        .annotate(pairings=Count("pairing_id", distinct=True), **{f: Sum(f) for f in FIGURE_FIELDS})
        .order_by("pairing__kind", "pairing__helper_organisation_id")
    )
    orgs = Organisation.objects.in_bulk([g["pairing__helper_organisation_id"] for g in grouped])
    result = []
    for g in grouped:
        result.append(
            PartnerYear(
                orgs[g["pairing__helper_organisation_id"]], g["pairing__kind"], _totals(g), g["pairings"]
            )
        )
    return result


def figures_by_month(pairing: Pairing, year: int) -> list[PairingFigures]:
    return list(
        PairingFigures.objects.filter(
            pairing=pairing, month__gte=date(year, 1, 1), month__lt=date(year + 1, 1, 1)
        )
    )


# --- kinship (结对认亲) ------------------------------------------------------------------------------
def households_without_kinship_cadre(county: Area, *, on: date | None = None) -> QuerySet[Household]:
    """Registered (active) households of the county with no kinship cadre on `on`."""
    day = on or today()
    cadres = active_on(Pairing.objects.filter(kind=PairingKind.KINSHIP, target_household=OuterRef("pk")), day)
    return (
        Household.objects.filter(county=county, active=True)
        .exclude(Exists(cadres))
        .select_related("village", "village__parent")
        .order_by("village__code", "number")
    )


def kinship_load(county: Area, *, on: date | None = None) -> dict[int, int]:
    """Running kinship pairings per cadre id."""
    day = on or today()
    rows = (
        active_on(Pairing.objects.filter(county=county, kind=PairingKind.KINSHIP), day)
        .values("helper_cadre_id")
        .annotate(n=Count("id"))
    )
    return {r["helper_cadre_id"]: r["n"] for r in rows}


@dataclass
class KinshipRow:
    pairing: Pairing
    quarters: list[int]
    total: int
    compliant: bool
    states: list[str] = field(default_factory=list)
    verdict: str = "open"  # as ComplianceRow.verdict (the kinship rule is per quarter only)

    def verdict_for(self, quarter: int | None) -> str:
        return self.verdict if quarter is None else self.states[quarter - 1]


def kinship_compliance(
    county: Area, year: int, *, pairings: QuerySet[Pairing] | None = None, on: date | None = None
) -> list[KinshipRow]:
    """Kinship pairing × quarter counts of household visits in `year`; a quarter is met with at
    least the county's `kinship_per_quarter` visits. Quarters before the pairing began or after it
    ended are not judged ("none")."""
    day = on or today()
    rule = visit_rule(county)
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    base = active_in(Pairing.objects.filter(county=county, kind=PairingKind.KINSHIP), start, end)
    if pairings is not None:
        base = base.filter(pk__in=pairings.values("pk"))
    bounds = [quarter_bounds(year, q) for q in (1, 2, 3, 4)]
    visit_rows: Any = (
        KinshipVisit.objects.filter(county=county, date__gte=start, date__lt=end, pairing__in=base)
        .values("pairing_id")
        .annotate(
            **{f"q{i + 1}": Count("id", filter=Q(date__gte=a, date__lt=b)) for i, (a, b) in enumerate(bounds)}
        )
    )
    counts = {r["pairing_id"]: [r["q1"], r["q2"], r["q3"], r["q4"]] for r in visit_rows}
    rows = []
    for p in base.select_related("helper_cadre__organisation", "target_household__village").order_by(
        "helper_cadre__organisation__code", "helper_cadre__name", "id"
    ):
        quarters = counts.get(p.pk, [0, 0, 0, 0])
        states = []
        for q, (q_start, q_end) in enumerate(bounds, start=1):
            if q_end <= p.start_date or (p.end_date is not None and p.end_date < q_start):
                states.append("none")
            elif quarters[q - 1] >= rule.kinship_per_quarter:
                states.append("ok")
            elif q_end <= day:
                states.append("missed")
            elif q_start <= day:
                states.append("open")
            else:
                states.append("future")
        verdict = year_verdict(states, end <= day)
        rows.append(KinshipRow(p, quarters, sum(quarters), "missed" not in states, states, verdict))
    return rows


def kinship_not_yet_visited(
    county: Area, *, on: date | None = None, pairings: QuerySet[Pairing] | None = None
) -> QuerySet[Pairing]:
    """Running kinship pairings whose household has had no visit yet this quarter."""
    day = on or today()
    q_start, q_end = quarter_bounds(day.year, quarter_of(day))
    visits = KinshipVisit.objects.filter(pairing=OuterRef("pk"), date__gte=q_start, date__lt=q_end)
    base = active_on(Pairing.objects.filter(county=county, kind=PairingKind.KINSHIP), day)
    if pairings is not None:
        base = base.filter(pk__in=pairings.values("pk"))
    return (
        base.exclude(Exists(visits))
        .select_related("helper_cadre__organisation", "target_household__village")
        .order_by("helper_cadre__organisation__code", "helper_cadre__name")
    )


# --- what the registry's household page shows ---------------------------------------------------------
def helpers_of_household(household: Household) -> dict[str, list[Pairing]]:
    """The household's kinship cadres (history included, newest first) and the pairings of its
    village (designated, east–west, enterprise…), for the household page. Two queries."""
    kinship = list(
        Pairing.objects.filter(kind=PairingKind.KINSHIP, target_household=household)
        .select_related("helper_cadre", "helper_cadre__organisation")
        .order_by("-start_date", "-id")
    )
    village = list(
        Pairing.objects.filter(target_area=household.village)
        .exclude(kind=PairingKind.KINSHIP)
        .select_related("helper_organisation")
        .order_by("kind", "-start_date", "-id")
    )
    return {"kinship": kinship, "village": village}


def kinship_visits_of_household(user: Any, household: Household, limit: int = 20) -> list[KinshipVisit]:
    """The paired cadres' visits to one household, newest first, as far as `user` may read them
    (`scopes.kinship_visits_for_user`), for the household page."""
    from bangfu.partners.scopes import kinship_visits_for_user

    return list(
        kinship_visits_for_user(user)
        .filter(county_id=household.county_id, household=household)
        .select_related("cadre__organisation")
        .order_by("-date", "-id")[:limit]
    )


def household_head_names(user: Any, household_ids: Iterable[int | None]) -> dict[int, str]:
    """户主 names of the paired households, for pairing lists: in full for households the user
    reads in the registry (registry scope), masked (扎***) for the others — a unit reporter sees
    its own cadres' pairings but no household's personal data. One query."""
    from bangfu.lib.idnumbers import mask_name
    from bangfu.registry.models import Member
    from bangfu.registry.selectors import registry_prefix

    ids = {pk for pk in household_ids if pk is not None}
    if not ids:
        return {}
    prefix = registry_prefix(user)
    names: dict[int, str] = {}
    heads = (
        Member.objects.filter(household_id__in=ids, relation="户主")
        .order_by("household_id", "-active", "id")
        .values_list("household_id", "name", "village__code")
    )
    for household_id, name, village_code in heads:
        if household_id in names:
            continue
        in_scope = prefix is not None and village_code.startswith(prefix)
        names[household_id] = name if in_scope else mask_name(name)
    return names
