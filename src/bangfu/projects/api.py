"""Projects API, mounted at /api/v1/projects/.

The issue names `POST /api/v1/disbursements/{id}/approve|reject`; apps mount their routers under
their own label, so these live at `/api/v1/projects/disbursements/{id}/approve|reject` and, through
`disbursements_router` (mounted by `bangfu.api`), also at the issue's `/api/v1/disbursements/{id}/…`.
Refusals are 4xx with a message saying why: 422 (validation: not enough balance, same person,
wrong side, bad field), 403 (the caller may not act on this project), 404 (out of scope).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, UploadedFile
from ninja.errors import HttpError
from ninja.responses import Status

from bangfu.accounts.models import User
from bangfu.accounts.scopes import require_county_for_user
from bangfu.areas.models import Area
from bangfu.lib.api import AreaCode, Count, Day, Id, Money, Year, YearIn, errors
from bangfu.lib.clock import today
from bangfu.partners.models import Organisation
from bangfu.projects import services
from bangfu.projects.models import (
    Category,
    Disbursement,
    Evaluation,
    FundSource,
    Project,
    ProjectKind,
    ProjectStatus,
)
from bangfu.projects.scopes import (
    evaluations_for_user,
    get_allocation_for_user,
    get_disbursement_for_user,
    get_evaluation_for_user,
    get_project_for_user,
    investment_plans_for_user,
    projects_for_user,
)
from bangfu.projects.selectors import evaluations_due, evaluations_overdue, fund_figures, plan_progress

router = Router()
T = TypeVar("T")


def _call(func: Callable[..., T], **kwargs: Any) -> T:
    """Run a service; a refusal of permission answers 403 with the service's own reason."""
    try:
        return func(**kwargs)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("没有权限。")) from exc


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


class ProjectIn(Schema):
    code: str = Field(examples=["DX-2021-001"])
    title: str = Field(examples=["然布村青稞加工坊"])
    kind: ProjectKind
    category: Category
    year: YearIn = Field(examples=[2021])
    area_code: AreaCode = Field(examples=["513325100202"])
    funder_codes: list[str] = Field(examples=[["E01"]])
    description: str = ""
    beneficiary_households: Count = 0
    beneficiary_people: Count = 0
    beneficiary_poor_households: Count = 0
    planned_start: Day | None = None
    planned_end: Day | None = None
    budget_partner: Money = Decimal("0.00")
    budget_province: Money = Decimal("0.00")
    budget_county: Money = Decimal("0.00")
    budget_enterprise: Money = Decimal("0.00")
    budget_social: Money = Decimal("0.00")


class ProjectOut(Schema):
    code: str
    title: str
    kind: str
    category: str
    year: int
    status: str
    cancel_reason: str
    area_code: str
    area_name: str
    funder_codes: list[str]
    beneficiary_households: int
    beneficiary_people: int
    budget: dict[str, Decimal]
    budget_total: Decimal
    allocated: Decimal
    paid: Decimal
    balance: Decimal
    started_on: date | None
    completed_on: date | None


def _project_out(project: Project) -> dict[str, Any]:
    figures = fund_figures([project])[project.pk]
    return {
        "code": project.code,
        "title": project.title,
        "kind": project.kind,
        "category": project.category,
        "year": project.year,
        "status": project.status,
        "cancel_reason": project.cancel_reason,
        "area_code": project.area.code,
        "area_name": project.area.name,
        "funder_codes": sorted(o.code for o in project.funders.all()),
        "beneficiary_households": project.beneficiary_households,
        "beneficiary_people": project.beneficiary_people,
        "budget": {
            "partner": project.budget_partner,
            "province": project.budget_province,
            "county": project.budget_county,
            "enterprise": project.budget_enterprise,
            "social": project.budget_social,
        },
        "budget_total": project.budget_total,
        "allocated": figures.allocated,
        "paid": figures.paid,
        "balance": figures.balance,
        "started_on": project.started_on,
        "completed_on": project.completed_on,
    }


class ProjectSummaryOut(Schema):
    code: str
    title: str
    kind: str
    category: str
    year: int
    status: str
    area_code: str


class ProjectFilter(Schema):
    year: Year | None = None
    kind: ProjectKind | None = None
    status: ProjectStatus | None = None


@router.get(
    "/", response={200: list[ProjectSummaryOut], **errors(401, 422)}, summary="Projects in the caller's scope"
)
def list_projects(request: HttpRequest, filters: Query[ProjectFilter]) -> list[dict[str, Any]]:
    projects: QuerySet[Project] = projects_for_user(request.user)
    if filters.year is not None:
        projects = projects.filter(year=filters.year)
    if filters.kind:
        projects = projects.filter(kind=filters.kind)
    if filters.status:
        projects = projects.filter(status=filters.status)
    return [
        {
            "code": p.code,
            "title": p.title,
            "kind": p.kind,
            "category": p.category,
            "year": p.year,
            "status": p.status,
            "area_code": p.area.code,
        }
        for p in projects[:1000]
    ]


@router.post(
    "/",
    response={201: ProjectOut, **errors(400, 401, 403, 422)},
    summary="Register a planned project",
)
def create_project(request: HttpRequest, payload: ProjectIn) -> Status[dict[str, Any]]:
    user = _user(request)
    if user.area is None:
        raise HttpError(403, _("没有权限。"))
    county = require_county_for_user(user)
    area = Area.objects.filter(code=payload.area_code, code__startswith=county.prefix).first()
    if area is None:
        raise ValidationError({"area_code": _("实施地点 %(code)s 不在本县。") % {"code": payload.area_code}})
    funders = list(Organisation.objects.filter(county=county, code__in=payload.funder_codes))
    unknown = sorted(set(payload.funder_codes) - {f.code for f in funders})
    if unknown:
        raise ValidationError(
            {"funder_codes": _("未知的单位编码：%(codes)s。") % {"codes": "、".join(unknown)}}
        )
    data = payload.dict(exclude={"area_code", "funder_codes"})
    project = _call(services.create_project, actor=user, county=county, area=area, funders=funders, **data)
    return Status(201, _project_out(project))


class EvaluationOut(Schema):
    id: int
    project_code: str | None
    pairing_id: int | None
    pairing: str
    year: int
    kind: str
    due_on: date
    overdue: bool
    evaluated_on: date | None
    score: Decimal | None
    findings: str
    open_rectifications: int


def _evaluation_out(e: Evaluation, on: date) -> dict[str, Any]:
    return {
        "id": e.pk,
        "project_code": e.project.code if e.project is not None else None,
        "pairing_id": e.pairing_id,
        "pairing": str(e.pairing) if e.pairing is not None else "",
        "year": e.year,
        "kind": e.kind,
        "due_on": e.due_on,
        "overdue": e.evaluated_on is None and e.due_on < on,
        "evaluated_on": e.evaluated_on,
        "score": e.score,
        "findings": e.findings,
        "open_rectifications": sum(1 for r in e.rectifications.all() if r.closed_on is None),
    }


@router.get(
    "/evaluations",
    response={200: list[EvaluationOut], **errors(401)},
    summary="Evaluations in scope: ?state=overdue|due|done (default: overdue and due)",
)
def list_evaluations(request: HttpRequest, state: str = "") -> list[dict[str, Any]]:
    on = today()
    mine = evaluations_for_user(request.user).prefetch_related("rectifications")
    if state == "overdue":
        rows = evaluations_overdue(mine, on=on)
    elif state == "due":
        rows = evaluations_due(mine, on=on)
    elif state == "done":
        rows = mine.filter(evaluated_on__isnull=False)
    else:
        rows = evaluations_overdue(mine, on=on) | evaluations_due(mine, on=on)
    return [_evaluation_out(e, on) for e in rows.order_by("due_on", "project__code")[:1000]]


class RectificationIn(Schema):
    description: str = Field(examples=["补齐入户走访记录"])
    deadline: Day | None = None


class EvaluationIn(Schema):
    score: Decimal = Field(ge=0, le=100, decimal_places=2, examples=["92.50"])
    findings: str = Field(examples=["帮扶资金到村到户；走访记录不全。"])
    evaluated_on: Day | None = None
    rectifications: list[RectificationIn] = []


@router.post(
    "/evaluations/{int:pk}",
    response={200: EvaluationOut, **errors(400, 401, 403, 404, 422)},
    summary="Record an evaluation (county admin)",
)
def record_evaluation(request: HttpRequest, pk: Id, payload: EvaluationIn) -> dict[str, Any]:
    evaluation = get_evaluation_for_user(request.user, pk)
    result = _call(
        services.record_evaluation,
        actor=_user(request),
        evaluation=evaluation,
        score=payload.score,
        findings=payload.findings,
        evaluated_on=payload.evaluated_on,
        rectifications=[(r.description, r.deadline) for r in payload.rectifications],
    )
    return _evaluation_out(result, today())


class PlanIn(Schema):
    partner_code: str = Field(examples=["E01"])
    year: YearIn = Field(examples=[2021])
    title: str = Field(examples=["顺德区 2021 年东西部扶贫协作项目投资计划"])
    planned_amount: Money = Field(examples=["1500000.00"])
    planned_projects: Count = 0
    issued_on: Day | None = None
    note: str = ""


class PlanOut(Schema):
    id: int
    partner_code: str
    year: int
    title: str
    issued_on: date | None
    issued_in_q1: bool
    planned_amount: Decimal
    planned_projects: int
    projects: int
    budgeted: Decimal
    allocated: Decimal
    paid: Decimal


def _plans_out(plans: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": r.plan.pk,
            "partner_code": r.plan.partner.code,
            "year": r.plan.year,
            "title": r.plan.title,
            "issued_on": r.plan.issued_on,
            "issued_in_q1": r.plan.issued_in_q1,
            "planned_amount": r.plan.planned_amount,
            "planned_projects": r.plan.planned_projects,
            "projects": r.projects,
            "budgeted": r.budgeted,
            "allocated": r.allocated,
            "paid": r.paid,
        }
        for r in plan_progress(plans)
    ]


@router.get(
    "/plans",
    response={200: list[PlanOut], **errors(401, 422)},
    summary="Yearly investment plans in scope, actual vs planned",
)
def list_plans(request: HttpRequest, year: Year | None = None) -> list[dict[str, Any]]:
    plans = investment_plans_for_user(request.user)
    if year is not None:
        plans = plans.filter(year=year)
    return _plans_out(plans)


@router.post(
    "/plans",
    response={200: PlanOut, **errors(400, 401, 403, 422)},
    summary="File or update a partner's yearly investment plan",
)
def save_plan(request: HttpRequest, payload: PlanIn) -> dict[str, Any]:
    user = _user(request)
    if user.area is None:
        raise HttpError(403, _("没有权限。"))
    county = require_county_for_user(user)
    partner = Organisation.objects.filter(county=county, code=payload.partner_code).first()
    if partner is None:
        raise ValidationError(
            {"partner_code": _("未知的单位编码：%(codes)s。") % {"codes": payload.partner_code}}
        )
    plan = _call(
        services.save_investment_plan,
        actor=user,
        county=county,
        partner=partner,
        **payload.dict(exclude={"partner_code"}),
    )
    return _plans_out([plan])[0]


@router.get("/{code}", response={200: ProjectOut, **errors(401, 404)}, summary="One project with its balance")
def get_project(request: HttpRequest, code: str) -> dict[str, Any]:
    return _project_out(get_project_for_user(request.user, code))


class ProjectPatch(Schema):
    title: str | None = None
    category: Category | None = None
    description: str | None = None
    beneficiary_households: Count | None = None
    beneficiary_people: Count | None = None
    beneficiary_poor_households: Count | None = None
    planned_start: Day | None = None
    planned_end: Day | None = None
    budget_partner: Money | None = None
    budget_province: Money | None = None
    budget_county: Money | None = None
    budget_enterprise: Money | None = None
    budget_social: Money | None = None


@router.patch(
    "/{code}",
    response={200: ProjectOut, **errors(400, 401, 403, 404, 422)},
    summary="Correct a project's registration details",
)
def update_project(request: HttpRequest, code: str, payload: ProjectPatch) -> dict[str, Any]:
    project = get_project_for_user(request.user, code)
    changes = payload.dict(exclude_unset=True)
    project = _call(services.update_project, actor=_user(request), project=project, **changes)
    return _project_out(project)


class StatusIn(Schema):
    status: ProjectStatus
    reason: str = Field("", examples=["村民大会决定缓建"])


@router.post(
    "/{code}/status",
    response={200: ProjectOut, **errors(400, 401, 403, 404, 422)},
    summary="Move a project to another status",
)
def change_status(request: HttpRequest, code: str, payload: StatusIn) -> dict[str, Any]:
    project = get_project_for_user(request.user, code)
    project = _call(
        services.change_project_status,
        actor=_user(request),
        project=project,
        to=payload.status,
        reason=payload.reason,
    )
    return _project_out(project)


class AllocationIn(Schema):
    amount: Money = Field(examples=["200000.00"])
    source: FundSource
    funder_code: str | None = None
    received_on: Day | None = None
    memo: str = ""


class AllocationOut(Schema):
    id: int
    project_code: str
    amount: Decimal
    source: str
    funder_code: str | None
    received_on: date
    balance: Decimal


@router.post(
    "/{code}/allocations",
    response={201: AllocationOut, **errors(400, 401, 403, 404, 422)},
    summary="Record money received",
)
def create_allocation(request: HttpRequest, code: str, payload: AllocationIn) -> Status[dict[str, Any]]:
    project = get_project_for_user(request.user, code)
    funder = None
    if payload.funder_code:
        funder = Organisation.objects.filter(county=project.county, code=payload.funder_code).first()
        if funder is None:
            raise ValidationError(
                {"funder_code": _("未知的单位编码：%(codes)s。") % {"codes": payload.funder_code}}
            )
    allocation = _call(
        services.record_allocation,
        actor=_user(request),
        project=project,
        amount=payload.amount,
        source=payload.source,
        funder=funder,
        received_on=payload.received_on,
        memo=payload.memo,
    )
    return Status(
        201,
        {
            "id": allocation.pk,
            "project_code": project.code,
            "amount": allocation.amount,
            "source": allocation.source,
            "funder_code": funder.code if funder else None,
            "received_on": allocation.received_on,
            "balance": fund_figures([project])[project.pk].balance,
        },
    )


class ReasonIn(Schema):
    reason: str = Field(examples=["金额录入错误"])


class ReversalOut(Schema):
    allocation_id: int
    reversal_entry_id: int
    balance: Decimal


@router.post(
    "/{code}/allocations/{int:pk}/reverse",
    response={200: ReversalOut, **errors(400, 401, 403, 404, 422)},
    summary="Reverse an allocation recorded by mistake (county admin)",
)
def reverse_allocation(request: HttpRequest, code: str, pk: Id, payload: ReasonIn) -> dict[str, Any]:
    project = get_project_for_user(request.user, code)
    allocation = get_allocation_for_user(request.user, project, pk)
    reversal = _call(
        services.reverse_allocation, actor=_user(request), allocation=allocation, reason=payload.reason
    )
    return {
        "allocation_id": allocation.pk,
        "reversal_entry_id": reversal.pk,
        "balance": fund_figures([project])[project.pk].balance,
    }


class DisbursementIn(Schema):
    amount: Money = Field(examples=["1000.00"])
    payee: str = Field(examples=["然布村牦牛养殖合作社"])
    purpose: str = Field(examples=["购买种牛 2 头"])
    attachments: str = ""


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    url: str


class ApprovalOut(Schema):
    side: str
    approver: str
    approved_at: str


class DisbursementOut(Schema):
    id: int
    project_code: str
    amount: Decimal
    payee: str
    purpose: str
    status: str
    requested_by: str
    reject_reason: str
    approvals: list[ApprovalOut]
    attachments: str
    files: list[AttachmentOut]
    project_balance: Decimal


def _disbursement_out(d: Disbursement) -> dict[str, Any]:
    project = d.project
    return {
        "id": d.pk,
        "project_code": project.code,
        "amount": d.amount,
        "payee": d.payee,
        "purpose": d.purpose,
        "status": d.status,
        "requested_by": d.requested_by.username,
        "reject_reason": d.reject_reason,
        "approvals": [
            {"side": a.side, "approver": a.approver.username, "approved_at": a.created_at.isoformat()}
            for a in d.approvals.select_related("approver")
        ],
        "attachments": d.attachments,
        "files": [
            {"id": f.pk, "name": f.name, "size": f.size, "url": reverse("projects:attachment", args=[f.pk])}
            for f in d.files.all()
        ],
        "project_balance": fund_figures([project])[project.pk].balance,
    }


@router.post(
    "/{code}/disbursements",
    response={201: DisbursementOut, **errors(400, 401, 403, 404, 422)},
    summary="Request a disbursement",
)
def create_disbursement(request: HttpRequest, code: str, payload: DisbursementIn) -> Status[dict[str, Any]]:
    project = get_project_for_user(request.user, code)
    disbursement = _call(
        services.request_disbursement, actor=_user(request), project=project, **payload.dict()
    )
    return Status(201, _disbursement_out(disbursement))


@router.get(
    "/disbursements/{int:pk}",
    response={200: DisbursementOut, **errors(401, 404, 422)},
    summary="One disbursement request",
)
def get_disbursement(request: HttpRequest, pk: Id) -> dict[str, Any]:
    return _disbursement_out(get_disbursement_for_user(request.user, pk))


@router.post(
    "/disbursements/{int:pk}/approve",
    response={200: DisbursementOut, **errors(401, 403, 404, 422)},
    summary="Approve for your side (资金共管); the second side's approval pays",
)
def approve_disbursement(request: HttpRequest, pk: Id) -> dict[str, Any]:
    disbursement = get_disbursement_for_user(request.user, pk)
    result = _call(services.approve_disbursement, actor=_user(request), disbursement=disbursement)
    return _disbursement_out(result)


@router.post(
    "/disbursements/{int:pk}/attachments",
    response={201: AttachmentOut, **errors(401, 403, 404, 422)},
    summary="Attach a supporting document (multipart field `file`)",
)
def upload_attachment(request: HttpRequest, pk: Id, file: File[UploadedFile]) -> Status[dict[str, Any]]:
    disbursement = get_disbursement_for_user(request.user, pk)
    attachment = _call(
        services.add_disbursement_attachment, actor=_user(request), disbursement=disbursement, upload=file
    )
    url = reverse("projects:attachment", args=[attachment.pk])
    return Status(201, {"id": attachment.pk, "name": attachment.name, "size": attachment.size, "url": url})


class RejectIn(Schema):
    reason: str = Field(examples=["票据不全"])


@router.post(
    "/disbursements/{int:pk}/reject",
    response={200: DisbursementOut, **errors(400, 401, 403, 404, 422)},
    summary="Reject with a reason",
)
def reject_disbursement(request: HttpRequest, pk: Id, payload: RejectIn) -> dict[str, Any]:
    disbursement = get_disbursement_for_user(request.user, pk)
    result = _call(
        services.reject_disbursement, actor=_user(request), disbursement=disbursement, reason=payload.reason
    )
    return _disbursement_out(result)


# The paths, `/api/v1/disbursements/{id}/approve|reject`: the same views on a second router
# that `bangfu.api` mounts at `/disbursements/` (distinct operation ids keep the OpenAPI schema clean).
disbursements_router = Router()
disbursements_router.get(
    "/{int:pk}",
    response={200: DisbursementOut, **errors(401, 404, 422)},
    summary="One disbursement request",
    operation_id="disbursement_get",
)(get_disbursement)
disbursements_router.post(
    "/{int:pk}/approve",
    response={200: DisbursementOut, **errors(401, 403, 404, 422)},
    summary="Approve for your side (资金共管); the second side's approval pays",
    operation_id="disbursement_approve",
)(approve_disbursement)
disbursements_router.post(
    "/{int:pk}/reject",
    response={200: DisbursementOut, **errors(400, 401, 403, 404, 422)},
    summary="Reject with a reason",
    operation_id="disbursement_reject",
)(reject_disbursement)
