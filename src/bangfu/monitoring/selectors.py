"""Reads of monitoring: the scoping helpers, the county's settings, derived states.

Scope is the registry's: county admins and inspectors see their county, township clerks their
township, village officers their village (`registry.selectors.registry_prefix`). Out of scope: 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from bangfu.areas.models import Area
from bangfu.lib import idnumbers
from bangfu.lib.crypto import blind_index
from bangfu.monitoring.models import (
    NATIONAL_STANDARD,
    OPEN_STATUSES,
    STEPS,
    IncomeCheck,
    Lead,
    MonitoredHousehold,
    MonitoredMember,
    MonitoringPolicy,
    MonitoringVisit,
    Phase,
    ProcedureStep,
    Status,
    Step,
)
from bangfu.registry.selectors import registry_prefix, scope_counties
from bangfu.registry.writer import ID_INDEX_PURPOSE


def policy_for(county: Area, year: int) -> MonitoringPolicy:
    """The county's settings for `year`; the defaults (national standard of that year or the
    latest known before it, × 1.5) when the county has set none."""
    found = MonitoringPolicy.objects.filter(county=county, year=year).first()
    if found is not None:
        return found
    known = [y for y in NATIONAL_STANDARD if y <= year] or [min(NATIONAL_STANDARD)]
    return MonitoringPolicy(county=county, year=year, national_standard=NATIONAL_STANDARD[max(known)])


# --- scope ----------------------------------------------------------------------------------------
def monitored_for_user(user: Any) -> QuerySet[MonitoredHousehold]:
    prefix = registry_prefix(user)
    if prefix is None:
        return MonitoredHousehold.objects.none()
    return MonitoredHousehold.objects.filter(village__code__startswith=prefix).select_related(
        "village__parent", "county", "helper"
    )


def get_monitored_for_user(user: Any, pk: int) -> MonitoredHousehold:
    try:
        return monitored_for_user(user).get(pk=pk)
    except MonitoredHousehold.DoesNotExist:
        raise Http404("monitored household") from None


def leads_for_user(user: Any) -> QuerySet[Lead]:
    prefix = registry_prefix(user)
    if prefix is None:
        return Lead.objects.none()
    # A lead on a person outside the registry has no village: the county sees it.
    village_leads = Lead.objects.filter(village__code__startswith=prefix)
    if len(prefix) <= 6:
        return (
            village_leads | Lead.objects.filter(village__isnull=True, county__code__startswith=prefix)
        ).select_related("village")
    return village_leads.select_related("village")


def get_lead_for_user(user: Any, pk: int) -> Lead:
    try:
        return leads_for_user(user).get(pk=pk)
    except Lead.DoesNotExist:
        raise Http404("lead") from None


def monitored_members_by_id(query: str, prefix: str) -> QuerySet[MonitoredMember]:
    """Members of monitored households outside the registry whose ID number is `query` (matched
    by blind index, within the counties `prefix` reaches); none when `query` is not an ID."""
    normalised = idnumbers.normalise(query)
    if not (len(normalised) in (18, 20, 22) and normalised[:17].isdigit()):
        return MonitoredMember.objects.none()
    index = blind_index(normalised, purpose=ID_INDEX_PURPOSE)
    return MonitoredMember.objects.filter(
        county__in=scope_counties(prefix), id_number_index=index, household__village__code__startswith=prefix
    ).select_related("household__village")


def households_found_by_id(user: Any, query: str) -> list[MonitoredHousehold]:
    """For the registry search: monitored households outside the registry holding this person."""
    prefix = registry_prefix(user)
    if prefix is None or not query.strip():
        return []
    return [m.household for m in monitored_members_by_id(query.strip(), prefix)]


# --- derived states -------------------------------------------------------------------------------
def expected_step(household: MonitoredHousehold) -> tuple[str, Step] | None:
    """(phase, step) the procedure waits for next, or None when no step is due."""
    if household.status in (Status.IDENTIFYING, Status.ELIMINATING):
        index = STEPS.index(Step(household.last_step)) if household.last_step else -1
        if index + 1 < len(STEPS):
            return household.phase, STEPS[index + 1]
        return None
    if household.status == Status.MONITORED:
        return Phase.ELIMINATE, Step.APPLIED
    return None


def stable_since(household: MonitoredHousehold, line: Decimal) -> date | None:
    """The first day of the latest unbroken run of income checks above `line`, or None."""
    since: date | None = None
    for check in IncomeCheck.objects.filter(household=household).order_by("checked_on", "id"):
        if check.per_capita_income > line:
            since = since or check.checked_on
        else:
            since = None
    return since


@dataclass(frozen=True)
class Overdue:
    household: MonitoredHousehold
    what: str
    since: date


def publicity_ends(step: ProcedureStep) -> date:
    return step.date + timedelta(days=step.days or 0)


def last_visit_on(household: MonitoredHousehold) -> date | None:
    visit = MonitoringVisit.objects.filter(household=household).order_by("-date").first()
    return visit.date if visit else None


# --- lists ----------------------------------------------------------------------------------------
@dataclass
class Row:
    household: MonitoredHousehold
    next_step: str  # label of the step due, "" when none
    waiting_since: date | None
    overdue: list[str]


def annotated(households: QuerySet[MonitoredHousehold]) -> QuerySet[MonitoredHousehold]:
    """With the date of the last step (and its 公示 days) and of the last visit: one query."""
    from django.db.models import OuterRef, Subquery

    last = ProcedureStep.objects.filter(household=OuterRef("pk")).order_by("-id")
    visits = MonitoringVisit.objects.filter(household=OuterRef("pk")).order_by("-date")
    return households.annotate(
        last_step_on=Subquery(last.values("date")[:1]),
        last_step_days=Subquery(last.values("days")[:1]),
        last_visit_on=Subquery(visits.values("date")[:1]),
    )


def rows_of(households: QuerySet[MonitoredHousehold], today: date) -> list[Row]:
    """The list's rows: the step due, since when, and what is overdue (steps waiting longer than
    the county's `lead_days`, a 公示 over but not followed up, visits older than `visit_days`)."""
    rows = []
    policies: dict[tuple[int, int], MonitoringPolicy] = {}
    for hh in annotated(households):
        key = (hh.county_id, today.year)
        if key not in policies:
            policies[key] = policy_for(hh.county, today.year)
        policy = policies[key]
        overdue: list[str] = []
        due = expected_step(hh)
        next_label, since = "", None
        if due is not None and hh.status != Status.MONITORED:
            next_label = str(Step(due[1]).label)
            since = hh.last_step_on + timedelta(days=hh.last_step_days or 0)  # type: ignore[attr-defined]
            if (today - since).days > policy.lead_days:
                overdue.append(
                    _("“%(step)s”已等待%(days)d天") % {"step": next_label, "days": (today - since).days}
                )
        if hh.status in OPEN_STATUSES:
            if hh.helper_id is None:
                overdue.append(_("未确定帮扶责任人"))
            seen = hh.last_visit_on or hh.identified_on  # type: ignore[attr-defined]
            if seen is not None and (today - seen).days > policy.visit_days:
                overdue.append(_("超过%(days)d天未走访") % {"days": (today - seen).days})
        rows.append(Row(hh, next_label, since, overdue))
    return rows


def elimination_hint(household: MonitoredHousehold, today: date) -> list[str]:
    """Why risk elimination cannot start yet (shown on the household page)."""
    if household.status != Status.MONITORED:
        return []
    from bangfu.monitoring.services import elimination_problems

    return elimination_problems(household, today)


def records_of_registry_household(household: Any) -> list[MonitoredHousehold]:
    """For the registry household page: its monitoring records, newest first."""
    return list(MonitoredHousehold.objects.filter(registry_household=household).order_by("-found_on", "-id"))
