"""Monitoring API: monitored households and leads in the caller's scope (ID numbers masked only),
and the procedure's steps (the same service as the page: out of order is 422, nothing saved)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from bangfu.accounts.scopes import get_area_for_user
from bangfu.lib.api import AreaCode, Day, Id, errors, paged
from bangfu.monitoring import services
from bangfu.monitoring.models import Lead, LeadState, MonitoredHousehold, MonitoredMember, Step
from bangfu.monitoring.models import Status as HouseholdStatus
from bangfu.monitoring.selectors import get_monitored_for_user, leads_for_user, monitored_for_user

router = Router(tags=["monitoring"])


class MonitoredMemberOut(Schema):
    name: str
    relation: str
    id_number_masked: str


class ProcedureStepOut(Schema):
    phase: str
    step: str
    date: date
    passed: bool
    days: int | None
    objections: str
    note: str


class MonitoredHouseholdOut(Schema):
    id: int
    number: str
    county_code: str
    village_code: str
    registry_household: str | None
    head_name: str
    kind: str
    status: str
    last_step: str
    found_by: str
    found_on: date
    identified_on: date | None
    eliminated_on: date | None
    household_size: int
    per_capita_income: Decimal | None
    risk_types: list[str]
    helper: str | None
    members: list[MonitoredMemberOut]
    steps: list[ProcedureStepOut]

    @staticmethod
    def resolve_county_code(obj: MonitoredHousehold) -> str:
        return obj.county.code

    @staticmethod
    def resolve_village_code(obj: MonitoredHousehold) -> str:
        return obj.village.code

    @staticmethod
    def resolve_registry_household(obj: MonitoredHousehold) -> str | None:
        return obj.registry_household.number if obj.registry_household else None

    @staticmethod
    def resolve_risk_types(obj: MonitoredHousehold) -> list[str]:
        return [r.risk_type for r in obj.risks.all() if r.closed_on is None]

    @staticmethod
    def resolve_helper(obj: MonitoredHousehold) -> str | None:
        return obj.helper.name if obj.helper else None

    @staticmethod
    def resolve_members(obj: MonitoredHousehold) -> list[MonitoredMember]:
        return list(obj.members.all())

    @staticmethod
    def resolve_steps(obj: MonitoredHousehold) -> list[object]:
        return list(obj.steps.all())


class MonitoringLeadOut(Schema):
    id: int
    source: str
    state: str
    village_code: str | None
    registry_household: str | None
    name: str
    id_number_masked: str
    detail: str
    found_on: date
    reason: str
    decided_on: date | None

    @staticmethod
    def resolve_village_code(obj: Lead) -> str | None:
        return obj.village.code if obj.village else None

    @staticmethod
    def resolve_registry_household(obj: Lead) -> str | None:
        return obj.registry_household.number if obj.registry_household else None


class StepIn(Schema):
    step: Step
    date: Day
    passed: bool = True
    days: int | None = Field(default=None, ge=1, le=30)
    objections: str = Field(default="", max_length=1000)
    note: str = Field(default="", max_length=1000)


def _full(households: QuerySet[MonitoredHousehold]) -> QuerySet[MonitoredHousehold]:
    return households.select_related("county", "village", "registry_household", "helper").prefetch_related(
        "risks", Prefetch("members", queryset=MonitoredMember.objects.order_by("id")), "steps"
    )


@router.get(
    "/households",
    response={200: list[MonitoredHouseholdOut], **errors(401, 404, 422)},
    summary="Monitored households in the caller's scope (ID numbers masked)",
)
@paged
def list_households(
    request: HttpRequest,
    area: AreaCode | None = None,
    status: HouseholdStatus | None = None,
) -> QuerySet[MonitoredHousehold]:
    households = monitored_for_user(request.user)
    if area:
        where = get_area_for_user(request.user, area)  # 404 outside the caller's scope
        households = households.filter(village__code__startswith=where.prefix)
    if status:
        households = households.filter(status=status)
    return _full(households.order_by("village__code", "number"))


@router.get(
    "/households/{pk}",
    response={200: MonitoredHouseholdOut, **errors(401, 404, 422)},
    summary="One monitored household",
)
def get_household(request: HttpRequest, pk: Id) -> MonitoredHousehold:
    household = get_monitored_for_user(request.user, pk)
    return _full(MonitoredHousehold.objects.filter(pk=household.pk)).get()


@router.post(
    "/households/{pk}/steps",
    response={201: ProcedureStepOut, **errors(401, 403, 404, 422)},
    summary="Record the next step of the identification or risk-elimination procedure",
)
def post_step(request: HttpRequest, pk: Id, payload: StepIn) -> Status:
    """A step out of order, too early (the 公示 not over) or in the future is 422 with a Chinese
    message naming the step due; nothing is saved."""
    household = get_monitored_for_user(request.user, pk)
    step = services.record_step(
        actor=request.user,
        household=household,
        step=payload.step.value,
        on=payload.date,
        passed=payload.passed,
        days=payload.days,
        objections=payload.objections,
        note=payload.note,
    )
    return Status(201, step)


@router.get(
    "/leads",
    response={200: list[MonitoringLeadOut], **errors(401, 422)},
    summary="Screening leads in the caller's scope (ID numbers masked)",
)
@paged
def list_leads(request: HttpRequest, state: LeadState | None = None) -> QuerySet[Lead]:
    leads = leads_for_user(request.user).select_related("registry_household")
    if state:
        leads = leads.filter(state=state)
    return leads.order_by("found_on", "id")
