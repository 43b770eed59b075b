"""Open problems of the work plan: overdue and at-risk milestones, ledger reports to review, to
fix or not yet submitted."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Max, Min

from bangfu.accounts.models import Role
from bangfu.areas.models import Area
from bangfu.lib.attention import AttentionItem, Severity, attention_source
from bangfu.lib.milestones import AT_RISK_DAYS, State
from bangfu.lib.officialdoc import cn_date, cn_numeral, fullwidth
from bangfu.lib.stampcache import cached, stamp_key
from bangfu.partners.models import Organisation
from bangfu.workplan import selectors
from bangfu.workplan.models import (
    AWAITING_LEAD,
    AWAITING_REVIEW,
    LedgerReport,
    Milestone,
    Plan,
    ReportStatus,
    Task,
    WorkplanSettings,
)
from bangfu.workplan.services import previous_month, settings_for

UNIT_ROLES = (Role.UNIT_REPORTER, Role.TOWNSHIP_CLERK)


def _quote(text: str) -> str:
    return f"“{text}”"


def _plan(county: Area, today: date) -> Plan | None:
    return Plan.objects.filter(county=county, year=today.year).first()


def _milestone_states(plan: Plan, today: date) -> list[tuple[Milestone, str, str, bool]]:
    """(milestone, state, evidence text, disagrees) of the milestones that are a problem: overdue,
    at risk, or completed by hand while their rule's evidence says not done."""
    return [
        (s.milestone, s.state, fullwidth(str(s.evidence.text)) if s.evidence is not None else "", s.disagrees)
        for s in selectors.milestone_states(plan.county, plan.year, today)
        if s.state in (State.OVERDUE, State.AT_RISK) or s.disagrees
    ]


@attention_source("workplan.milestone", reads=selectors.milestone_reads)
def milestones(county: Area, today: date) -> Iterator[AttentionItem]:
    """Overdue milestones (in the bulletin) and milestones due within AT_RISK_DAYS that the
    evidence does not show done: to the county admin and inspectors, and to each lead unit."""
    plan = _plan(county, today)
    if plan is None:
        return
    states = _milestone_states(plan, today)
    leads: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for task_id, org_id, name in Task.lead_units.through.objects.filter(
        task_id__in={m.task_id for m, _s, _e, _d in states}
    ).values_list("task_id", "organisation_id", "organisation__name"):
        leads[task_id].append((org_id, name))
    for m, state, evidence, disagrees in states:
        task = m.task
        units = "、".join(name for _pk, name in leads[task.pk]) or task.lead_units_text
        what = f"{units}牵头的{_quote(task.title)}{cn_numeral(m.quarter)}季度节点{_quote(m.title)}"
        overdue = state == State.OVERDUE
        if disagrees:  # completed by hand (with a reason) while the records say otherwise
            title = f"{what}已手工确认完成，但业务记录显示尚未完成"
        elif overdue:
            title = f"{what}已过完成时限（{cn_date(m.due_date)}）尚未完成"
        else:
            title = f"{what}将于{cn_date(m.due_date)}到期，尚未完成"
        if evidence:
            title += f"（{evidence}）"
        overdue = overdue or disagrees  # both are listed in the bulletin
        common: dict[str, Any] = {
            "kind": "workplan.milestone",
            "severity": Severity.CRITICAL if overdue else Severity.WARNING,
            "title": title,
            "url": f"/workplan/#task-{task.code}",
            "since": m.due_date + timedelta(days=1) if overdue else m.due_date - timedelta(days=AT_RISK_DAYS),
            "area_code": county.code,
            "extra": {"milestone": m.pk, "task": task.code, "quarter": m.quarter, "state": state},
        }
        yield AttentionItem(roles=(Role.COUNTY_ADMIN, Role.INSPECTOR), in_bulletin=overdue, **common)
        for org_id, _name in leads[task.pk]:
            yield AttentionItem(roles=UNIT_ROLES, organisation_id=org_id, in_bulletin=False, **common)


# What the report sources read (the attention list's cache stamp). Every report write is an audited
# service (bulk acceptance included), which the audit part of the stamp sees.
REPORT_READS = (LedgerReport, Organisation, Plan, WorkplanSettings)


def _cached_rows(name: str, county: Area, today: date, compute: Callable[[], list[Any]]) -> list[Any]:
    """Report rows cached per process under the ledger's stamp (`selectors.ledger_stamp`, read from
    an index: every report write moves it) of this and last year's plans, and the newest change of
    the county's organisations (their names are shown)."""
    stamps: list[Any] = []
    for plan in Plan.objects.filter(county=county, year__in=(today.year - 1, today.year)).order_by("year"):
        stamps += [plan.pk, *selectors.ledger_stamp(plan)]
    orgs = Organisation.objects.filter(county=county).aggregate(n=Count("id"), t=Max("updated_at"))
    key = stamp_key(f"attention:reports:{name}", county.pk, today, *stamps, *orgs.values())
    return cached(key, compute, timeout=3600)


@attention_source("workplan.reports_to_review", reads=REPORT_READS)
def reports_to_review(county: Area, today: date) -> Iterator[AttentionItem]:
    """Reports submitted to the office and waiting for the county admin's review (passed on by
    their lead unit, or needing no lead review), one item per month (one query)."""
    rows = _cached_rows(
        "review",
        county,
        today,
        lambda: list(
            selectors.office_queue(
                LedgerReport.objects.filter(county=county, status__in=AWAITING_REVIEW, month__lte=today)
            )
            .order_by()
            .values("month")
            .annotate(
                n=Count("pk"), units=Count("organisation", distinct=True), first=Min("first_submitted_on")
            )
            .order_by("month")
        ),
    )
    for row in rows:
        month: date = row["month"]
        yield AttentionItem(
            kind="workplan.reports_to_review",
            severity=Severity.WARNING,
            title=f"{month.year}年{month.month}月工作台账{row['n']}份（{row['units']}个单位）已报送待审核",
            url=f"/workplan/reports/?month={month:%Y-%m}&status=review",
            since=row["first"] or month,
            roles=(Role.COUNTY_ADMIN,),
            area_code=county.code,
            count=row["n"],
            in_bulletin=False,
            extra={"month": f"{month:%Y-%m}"},
        )


@attention_source("workplan.reports_to_gather", reads=(*REPORT_READS, Task))
def reports_to_gather(county: Area, today: date) -> Iterator[AttentionItem]:
    """Per lead unit (牵头单位) and month: its responsible units' reports submitted and waiting for
    its review before the office can accept them. Two queries."""

    def compute() -> list[tuple[int, str, str, date, int, date | None]]:
        leads: dict[int, set[int]] = defaultdict(set)
        names: dict[int, tuple[str, str]] = {}
        for task_id, org_id, name, area_code in Task.lead_units.through.objects.filter(
            task__plan__county=county
        ).values_list("task_id", "organisation_id", "organisation__name", "organisation__area__code"):
            leads[task_id].add(org_id)
            names[org_id] = (name, area_code or "")
        counts: dict[tuple[int, date], list[Any]] = {}
        for task_id, org_id, month, n, first in (
            LedgerReport.objects.filter(
                county=county, status__in=AWAITING_LEAD, month__lte=today, task_id__in=list(leads)
            )
            .values("task_id", "organisation_id", "month")
            .annotate(n=Count("pk"), first=Min("first_submitted_on"))
            .values_list("task_id", "organisation_id", "month", "n", "first")
        ):
            if org_id in leads[task_id]:
                continue  # a lead unit's own report goes straight to the office
            for lead in leads[task_id]:
                entry = counts.setdefault((lead, month), [0, first])
                entry[0] += n
                if first is not None and (entry[1] is None or first < entry[1]):
                    entry[1] = first
        return [
            (lead, names[lead][0], names[lead][1], month, n, first)
            for (lead, month), (n, first) in sorted(counts.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        ]

    for lead, name, area_code, month, n, first in _cached_rows("gather", county, today, compute):
        yield AttentionItem(
            kind="workplan.reports_to_gather",
            severity=Severity.WARNING,
            title=f"{month.year}年{month.month}月工作台账{n}份报告待牵头单位（{name}）审核",
            url=f"/workplan/gather/?month={month:%Y-%m}",
            since=first or month,
            roles=UNIT_ROLES,
            area_code=area_code if area_code.startswith(county.prefix) else county.code,
            organisation_id=lead,
            count=n,
            in_bulletin=False,
            extra={"month": f"{month:%Y-%m}"},
        )


def _months(months: list[date]) -> str:
    return "、".join(f"{m.month}月" for m in sorted(months))


@attention_source("workplan.reports_open", reads=REPORT_READS)
def reports_open(county: Area, today: date) -> Iterator[AttentionItem]:
    """Per unit: reports returned for correction, reports past their due day not submitted, and
    last month's reports still to submit before the due day; plus one summary for the county admin.
    The bulletin names late units itself, so none of these is in it. One query."""
    due_day = settings_for(county).due_day
    last = previous_month(today)
    rows = _cached_rows(
        "open",
        county,
        today,
        lambda: list(
            LedgerReport.objects.filter(
                county=county,
                month__lte=last,
                month__year__gte=today.year - 1,
                status__in=(ReportStatus.DRAFT, ReportStatus.RETURNED),
            )
            .values("organisation_id", "organisation__name", "organisation__area__code", "status", "month")
            .annotate(n=Count("pk"))
            .values_list(
                "organisation_id", "organisation__name", "organisation__area__code", "status", "month", "n"
            )
            .order_by("organisation_id", "month")
        ),
    )
    # (organisation, kind) → months, count; kind: returned / missing (past due) / due (not yet).
    found: dict[tuple[int, str, str, str], list[Any]] = {}
    for org_id, name, area_code, status, month, n in rows:
        due = selectors.due_date(month, due_day)
        if status == ReportStatus.RETURNED:
            kind = "returned"
        elif today > due:
            kind = "missing"
        else:
            kind = "due"
        entry = found.setdefault((org_id, name, area_code or county.code, kind), [[], 0, due])
        entry[0].append(month)
        entry[1] += n
        entry[2] = min(entry[2], due)
    missing_total, missing_units, oldest = 0, 0, today
    for (org_id, name, area_code, kind), (months, n, due) in found.items():
        if kind == "returned":
            title = f"{name}{_months(months)}工作台账{n}份被退回，待修改后重新报送"
            severity, status, since = Severity.CRITICAL, ReportStatus.RETURNED, months[0]
        elif kind == "missing":
            title = f"{name}{_months(months)}工作台账{n}份已过报送期限尚未报送"
            severity, status, since = Severity.CRITICAL, ReportStatus.DRAFT, due + timedelta(days=1)
            missing_total, missing_units, oldest = missing_total + n, missing_units + 1, min(oldest, since)
        else:
            title = f"{name}须于{cn_date(due)}前报送{_months(months)}工作台账{n}份"
            severity, status, since = Severity.WARNING, ReportStatus.DRAFT, months[0]
        yield AttentionItem(
            kind="workplan.reports_open",
            severity=severity,
            title=title,
            url=f"/workplan/reports/?status={status}",
            since=since,
            roles=UNIT_ROLES,
            area_code=area_code if area_code.startswith(county.prefix) else county.code,
            organisation_id=org_id,
            count=n,
            in_bulletin=False,
            extra={"state": kind, "months": [f"{m:%Y-%m}" for m in sorted(months)]},
        )
    if missing_total:
        yield AttentionItem(
            kind="workplan.reports_open",
            severity=Severity.CRITICAL,
            title=f"{missing_units}个单位的工作台账{missing_total}份已过报送期限尚未报送",
            url="/workplan/completeness/",
            since=oldest,
            roles=(Role.COUNTY_ADMIN,),
            area_code=county.code,
            count=missing_total,
            in_bulletin=False,
            extra={"state": "missing", "units": missing_units},
        )
