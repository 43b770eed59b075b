"""Open monitoring problems for home pages, the dashboard and the bulletin (`@attention_source`).

Each source is a few grouped queries over the county on the office date; an item stands for the
households (or leads) of one village, so a village officer sees their own and the county all.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.models import Role
from bangfu.areas.models import Area
from bangfu.lib.attention import AttentionItem, Severity, attention_source
from bangfu.monitoring.models import (
    LIVE_STATUSES,
    OPEN_STATUSES,
    Lead,
    LeadState,
    MonitoredHousehold,
    MonitoringPolicy,
    MonitoringVisit,
    ProcedureStep,
    Status,
)
from bangfu.monitoring.selectors import policy_for

ROLES = (Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK, Role.VILLAGE_OFFICER)
# What the sources read (the cache stamp, bangfu.lib.attention); policy changes go through the
# audited `set_policy`, which the audit part of the stamp covers.
READS = (Lead, MonitoredHousehold, ProcedureStep, MonitoringVisit, MonitoringPolicy, Area)


def _url(name: str, area_code: str = "") -> str:
    url = reverse(name)
    return f"{url}?area={area_code}" if area_code and name == "monitoring:index" else url


@attention_source("monitoring.leads_unverified", reads=READS)
def leads_unverified(county: Any, today: date) -> Iterable[AttentionItem]:
    policy = policy_for(county, today.year)
    cutoff = today - timedelta(days=policy.lead_days)
    rows = (
        Lead.objects.filter(county=county, state=LeadState.OPEN, found_on__lt=cutoff)
        .values("village__code", "village__name")
        .annotate(n=Count("pk"), since=Min("found_on"))
        .order_by("village__code")
    )
    for row in rows:
        code = row["village__code"] or county.code
        where = row["village__name"] or county.name
        yield AttentionItem(
            kind="monitoring.leads_unverified",
            severity=Severity.WARNING,
            title=_("%(where)s有%(n)d条防返贫监测线索超过%(days)d天未核实")
            % {"where": where, "n": row["n"], "days": policy.lead_days},
            url=_url("monitoring:leads"),
            since=row["since"] + timedelta(days=policy.lead_days),
            roles=ROLES,
            area_code=code,
            count=row["n"],
        )


@attention_source("monitoring.steps_overdue", reads=READS)
def steps_overdue(county: Any, today: date) -> Iterable[AttentionItem]:
    """Households whose next procedure step has waited longer than `lead_days` (a 公示 counts
    from its end)."""
    policy = policy_for(county, today.year)
    last = ProcedureStep.objects.filter(household=OuterRef("pk")).order_by("-id")
    households = (
        MonitoredHousehold.objects.filter(county=county, status__in=(Status.IDENTIFYING, Status.ELIMINATING))
        .annotate(last_on=Subquery(last.values("date")[:1]), last_days=Subquery(last.values("days")[:1]))
        .values_list("village__code", "village__name", "last_on", "last_days")
    )
    late: dict[tuple[str, str], list[date]] = {}
    for code, name, last_on, days in households:
        due = last_on + timedelta(days=(days or 0) + policy.lead_days)
        if due < today:
            late.setdefault((code, name), []).append(due)
    for (code, name), dues in sorted(late.items()):
        yield AttentionItem(
            kind="monitoring.steps_overdue",
            severity=Severity.CRITICAL,
            title=_("%(village)s有%(n)d户监测对象的识别或风险消除程序超期未推进")
            % {"village": name, "n": len(dues)},
            url=_url("monitoring:index", code),
            since=min(dues),
            roles=ROLES,
            area_code=code,
            count=len(dues),
        )


@attention_source("monitoring.visits_overdue", reads=READS)
def visits_overdue(county: Any, today: date) -> Iterable[AttentionItem]:
    policy = policy_for(county, today.year)
    cutoff = today - timedelta(days=policy.visit_days)
    last_visit = (
        MonitoringVisit.objects.filter(household=OuterRef("pk"))
        .order_by()
        .values("household")
        .annotate(last=Max("date"))
        .values("last")
    )
    rows = (
        MonitoredHousehold.objects.filter(county=county, status__in=OPEN_STATUSES, helper__isnull=False)
        .annotate(last_visit=Subquery(last_visit[:1]))
        .filter(Q(last_visit__lt=cutoff) | Q(last_visit__isnull=True, identified_on__lt=cutoff))
        .values("village__code", "village__name")
        .annotate(n=Count("pk"), since=Min("identified_on"))
        .order_by("village__code")
    )
    for row in rows:
        yield AttentionItem(
            kind="monitoring.visits_overdue",
            severity=Severity.WARNING,
            title=_("%(village)s有%(n)d户监测户超过%(days)d天未走访")
            % {"village": row["village__name"], "n": row["n"], "days": policy.visit_days},
            url=_url("monitoring:index", row["village__code"]),
            since=(row["since"] or today) + timedelta(days=policy.visit_days),
            roles=ROLES,
            area_code=row["village__code"],
            count=row["n"],
        )


@attention_source("monitoring.without_helper", reads=READS)
def without_helper(county: Any, today: date) -> Iterable[AttentionItem]:
    rows = (
        MonitoredHousehold.objects.filter(county=county, status__in=LIVE_STATUSES, helper__isnull=True)
        .values("village__code", "village__name")
        .annotate(n=Count("pk"), since=Min("found_on"))
        .order_by("village__code")
    )
    for row in rows:
        yield AttentionItem(
            kind="monitoring.without_helper",
            severity=Severity.WARNING,
            title=_("%(village)s有%(n)d户监测对象未确定帮扶责任人")
            % {"village": row["village__name"], "n": row["n"]},
            url=_url("monitoring:index", row["village__code"]),
            since=row["since"],
            roles=(Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK),
            area_code=row["village__code"],
            count=row["n"],
        )
