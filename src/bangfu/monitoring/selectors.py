"""Reads of monitoring: the scoping helpers, the county's settings, derived states.

Scope is the registry's: county admins and inspectors see their county, township clerks their
township, village officers their village (`registry.selectors.registry_prefix`). Out of scope: 404.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from bangfu.areas.models import Area
from bangfu.lib import idnumbers
from bangfu.lib.crypto import blind_index
from bangfu.monitoring.models import (
    NATIONAL_STANDARD,
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


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


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
