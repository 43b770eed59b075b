from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema

from bangfu.accounts.scopes import areas_for_user, get_area_for_user
from bangfu.areas.models import Area, Level
from bangfu.lib.api import AreaCode, errors

router = Router()


class AreaOut(Schema):
    code: str
    name: str
    level: Level
    parent_code: str | None
    registered_poor: bool

    @staticmethod
    def resolve_parent_code(obj: Area) -> str | None:
        return obj.parent.code if obj.parent_id and obj.parent else None


class AreaFilter(Schema):
    level: Level | None = None
    parent: AreaCode | None = None
    registered_poor: bool | None = None


@router.get("/", response={200: list[AreaOut], **errors(401, 422)}, summary="Areas in the caller's scope")
def list_areas(request: HttpRequest, filters: Query[AreaFilter]) -> QuerySet[Area]:
    areas = areas_for_user(request.user).select_related("parent")
    if filters.level is not None:
        areas = areas.filter(level=filters.level)
    if filters.parent:
        areas = areas.filter(parent__code=filters.parent)
    if filters.registered_poor is not None:
        areas = areas.filter(registered_poor=filters.registered_poor)
    return areas


@router.get("/{code}", response={200: AreaOut, **errors(401, 404)}, summary="One area by its 12-digit code")
def get_area(request: HttpRequest, code: str) -> Area:
    return get_area_for_user(request.user, code)
