"""/api/v1/workplan/: tasks of a plan year, the completeness of a month, submitting a report."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema

from bangfu.accounts.scopes import STAFF_ROLES, require_role
from bangfu.lib.api import Id, Month, Year, errors
from bangfu.workplan import selectors, services

router = Router()


class MilestoneOut(Schema):
    quarter: int
    title: str
    due_date: date
    completed_on: date | None


class IndicatorOut(Schema):
    key: str
    label: str
    unit: str
    target: Decimal | None  # typed figures are numbers end to end (JSON: a decimal string)
    source: str
    computed_name: str


class TaskOut(Schema):
    code: str
    section: str
    title: str
    lead_units: list[str]
    responsible_units: list[str]
    schedule: str
    milestones: list[MilestoneOut]
    indicators: list[IndicatorOut]


class CompletenessRow(Schema):
    organisation_code: str
    organisation: str
    on_time: int
    late: int
    missing: int
    returned: int
    pending: int


class CompletenessOut(Schema):
    month: str
    due_date: date
    rows: list[CompletenessRow]


class EvidenceOut(Schema):
    text: str
    counts: dict[str, Any]
    links: list[dict[str, str]]


class MilestoneStateOut(Schema):
    task: str
    quarter: int
    title: str
    due_date: date
    state: str
    completed_on: date | None
    basis: str
    rule: str
    manual_reason: str
    disagrees: bool
    evidence: EvidenceOut | None


class ReportOut(Schema):
    id: int
    task_code: str
    organisation_code: str
    month: str
    status: str
    first_submitted_on: date | None


def _month(value: str) -> date:
    try:
        y, m = value.split("-")
        return date(int(y), int(m), 1)
    except ValueError:
        raise ValidationError({"month": "YYYY-MM"}) from None


@router.get(
    "/tasks",
    response={200: list[TaskOut], **errors(401, 403, 422)},
    summary="Tasks of a plan year with units and milestones",
)
def list_tasks(request: HttpRequest, year: Year) -> list[dict[str, Any]]:
    require_role(request.user, *STAFF_ROLES)
    plan = selectors.plans_for_user(request.user).filter(year=year).first()
    if plan is None:
        return []
    return [
        {
            "code": t.code,
            "section": t.section.title,
            "title": t.title,
            "lead_units": [o.name for o in t.lead_units.all()],
            "responsible_units": [o.name for o in t.responsible_units.all()],
            "schedule": t.schedule_text,
            "milestones": list(t.milestones.all()),
            "indicators": [
                {
                    "key": i.key,
                    "label": i.label,
                    "unit": i.unit,
                    "target": i.target,
                    "source": i.source,
                    "computed_name": i.computed_name,
                }
                for i in t.indicators.all()
            ],
        }
        for t in selectors.task_list(plan)
    ]


@router.get(
    "/completeness",
    response={200: CompletenessOut, **errors(401, 403, 404, 422)},
    summary="Reports per unit for one month, by state",
)
def completeness(request: HttpRequest, month: Month) -> dict[str, Any]:
    require_role(request.user, *selectors.OVERSIGHT_ROLES)
    start = _month(month)
    plan = selectors.plans_for_user(request.user).filter(year=start.year).first()
    if plan is None:
        from django.http import Http404

        raise Http404("plan")
    states = selectors.month_states(plan, start)
    orgs = {o.pk: o for o in plan.county.organisations.filter(pk__in=list(states))}
    due = selectors.due_date(start, services.settings_for(plan.county).due_day)
    return {
        "month": f"{start:%Y-%m}",
        "due_date": due,
        "rows": [
            {
                "organisation_code": orgs[pk].code,
                "organisation": orgs[pk].name,
                **{s: counts.get(s, 0) for s in ("on_time", "late", "missing", "returned", "pending")},
            }
            for pk, counts in sorted(states.items(), key=lambda kv: orgs[kv[0]].code)
        ],
    }


@router.get(
    "/milestones",
    response={200: list[MilestoneStateOut], **errors(401, 403, 422)},
    summary="Milestones of a plan year with their state derived on the office date and the evidence",
)
def milestones(request: HttpRequest, year: Year) -> list[dict[str, Any]]:
    require_role(request.user, *STAFF_ROLES)
    plan = selectors.plans_for_user(request.user).filter(year=year).first()
    if plan is None:
        return []
    out = []
    for s in selectors.milestone_states(plan.county, plan.year):
        m = s.milestone
        ev = s.evidence
        out.append(
            {
                "task": m.task.code,
                "quarter": m.quarter,
                "title": m.title,
                "due_date": m.due_date,
                "state": s.state,
                "completed_on": s.completed_on,
                "basis": s.basis,
                "rule": m.rule,
                "manual_reason": m.manual_reason,
                "disagrees": s.disagrees,
                "evidence": None
                if ev is None
                else {
                    "text": str(ev.text),
                    "counts": ev.counts,
                    "links": [{"label": str(label), "url": url} for label, url in ev.links],
                },
            }
        )
    return out


@router.post(
    "/reports/{report_id}/submit",
    response={200: ReportOut, **errors(401, 403, 404, 422)},
    summary="Submit (or resubmit) a report",
)
def submit(request: HttpRequest, report_id: Id) -> dict[str, Any]:
    report = selectors.get_report_for_user(request.user, report_id)
    report = services.submit_report(actor=request.user, report=report)  # type: ignore[arg-type]
    return {
        "id": report.pk,
        "task_code": report.task.code,
        "organisation_code": report.organisation.code,
        "month": f"{report.month:%Y-%m}",
        "status": report.status,
        "first_submitted_on": report.first_submitted_on,
    }
