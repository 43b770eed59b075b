"""Registry API: households in the caller's scope, members with masked ID numbers only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Router, Schema

from bangfu.lib.api import AreaCode, errors, paged
from bangfu.registry.models import Household, Member
from bangfu.registry.selectors import get_household_for_user, households_for_user

router = Router(tags=["registry"])


class MemberOut(Schema):
    number: str
    name: str
    relation: str
    id_number_masked: str
    id_type: str
    sex: str
    birth_date: date | None
    schooling: str
    health: str
    labour_skill: str
    active: bool
    left_on: date | None


class HouseholdOut(Schema):
    number: str
    county_code: str
    village_code: str
    village_name: str
    attribute: str
    main_cause: str
    exit_year: int | None
    exited: bool
    monitored: bool
    monitoring_category: str
    household_size: int | None
    per_capita_net_income: Decimal | None
    phone_masked: str
    members: list[MemberOut]

    @staticmethod
    def resolve_county_code(obj: Household) -> str:
        return obj.county.code

    @staticmethod
    def resolve_village_code(obj: Household) -> str:
        return obj.village.code

    @staticmethod
    def resolve_village_name(obj: Household) -> str:
        return obj.village.name

    @staticmethod
    def resolve_members(obj: Household) -> list[Member]:
        return list(obj.members.all())


def _with_members(households: QuerySet[Household]) -> QuerySet[Household]:
    return households.select_related("county", "village").prefetch_related(
        Prefetch("members", queryset=Member.objects.order_by("id"))
    )


@router.get(
    "/households",
    response={200: list[HouseholdOut], **errors(401, 422)},
    summary="Households in the caller's scope",
)
@paged
def list_households(
    request: HttpRequest,
    village: AreaCode | None = None,
    exited: bool | None = None,
    monitored: bool | None = None,
) -> QuerySet[Household]:
    """`village` is a 12-digit village code; results are paged with `limit` / `offset`."""
    households = households_for_user(request.user)
    if village:
        households = households.filter(village__code=village)
    if exited is not None:
        households = households.filter(exited=exited)
    if monitored is not None:
        households = households.filter(monitored=monitored)
    return _with_members(households.order_by("number"))


@router.get(
    "/households/{number}",
    response={200: HouseholdOut, **errors(401, 404)},
    summary="One household by its 户编号",
)
def get_household(request: HttpRequest, number: str) -> Household:
    household = get_household_for_user(request.user, number)
    return _with_members(Household.objects.filter(pk=household.pk)).get()
