"""/api/v1/network/: figures for staff, the public catalogue (and needs), ordering for buyers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import Strict

from bangfu.areas.models import county_code_of
from bangfu.lib import clock
from bangfu.lib.api import MAX_YEAR, MIN_YEAR, Id, Limit, Offset, errors
from bangfu.network import needs_selectors, selectors, services
from bangfu.network.models import NeedStatus

router = Router()


class UnitCountOut(Schema):
    code: str
    name: str
    count: int


class StatsOut(Schema):
    county: str
    year: int
    registrations: int
    registrations_by_month: list[int]
    registrations_by_unit: list[UnitCountOut]
    baseline_year: int
    baseline: int
    growth_percent: Decimal | None
    needs_posted: int
    needs_matched: int
    needs_fulfilled: int
    match_rate: Decimal | None
    sales_amount: Decimal
    sales_orders: int
    certified_sales_amount: Decimal
    sales_by_month: list[Decimal]


class StatsQuery(Schema):
    year: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR)


@router.get(
    "/stats",
    response={200: StatsOut, **errors(401, 403, 422)},
    summary="Registrations, needs and sales of the user's county",
)
def stats(request: HttpRequest, filters: Query[StatsQuery]) -> dict[str, Any]:
    user = request.user
    if not selectors.can_see_stats(user):
        raise PermissionDenied
    county = selectors.county_for_user(user)
    if county is None:
        raise PermissionDenied
    year = filters.year or clock.today().year
    reg = selectors.registration_stats(county, year)
    needs = selectors.need_stats(county, year)
    sales = selectors.sales_stats(county, year)
    return {
        "county": county.code,
        "year": year,
        "registrations": reg.total,
        "registrations_by_month": reg.by_month,
        "registrations_by_unit": reg.by_unit,
        "baseline_year": reg.baseline_year,
        "baseline": reg.baseline,
        "growth_percent": reg.growth_percent,
        "needs_posted": needs.posted,
        "needs_matched": needs.matched,
        "needs_fulfilled": needs.fulfilled,
        "match_rate": needs.match_rate,
        "sales_amount": sales.amount,
        "sales_orders": sales.orders,
        "certified_sales_amount": sales.certified_amount,
        "sales_by_month": sales.by_month,
    }


class ProductOut(Schema):
    id: int
    name: str
    county: str
    village: str
    village_code: str
    producer_kind: str
    producer: str
    certified: bool
    certificate_number: str
    price: Decimal
    unit: str
    stock: int


def _product_out(p: Any) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "county": p.county.code,
        "village": p.village.name,
        "village_code": p.village.code,
        "producer_kind": p.producer_kind,
        "producer": p.public_producer,
        "certified": p.certified,
        "certificate_number": p.certificate_number,
        "price": p.price,
        "unit": p.unit,
        "stock": p.stock,
    }


class PageQuery(Schema):
    limit: Limit = 100
    offset: Offset = 0


class ProductQuery(PageQuery):
    county: str = ""


@router.get(
    "/products",
    response={200: list[ProductOut], **errors(422)},
    auth=None,
    summary="Public product catalogue",
)
def products(request: HttpRequest, filters: Query[ProductQuery]) -> list[dict[str, Any]]:
    rows = selectors.public_products()
    if filters.county:
        rows = rows.filter(county__code__startswith=county_code_of(filters.county))
    return [_product_out(p) for p in rows[filters.offset : filters.offset + filters.limit]]


class OrderIn(Schema):
    quantity: Annotated[int, Strict()] = Field(..., ge=1, le=services.MAX_ORDER_QUANTITY)
    delivery_address: str
    payment_method: str = "bank_transfer"
    payment_reference: str = ""


class OrderOut(Schema):
    id: int
    number: str
    product_id: int
    quantity: int
    unit_price: Decimal
    amount: Decimal
    buyer_kind: str
    status: str
    placed_on: date


def _order_out(o: Any) -> dict[str, Any]:
    return {
        "id": o.pk,
        "number": o.number,
        "product_id": o.product_id,
        "quantity": o.quantity,
        "unit_price": o.unit_price,
        "amount": o.amount,
        "buyer_kind": o.buyer_kind,
        "status": o.status,
        "placed_on": o.placed_on,
    }


@router.post(
    "/products/{product_id}/orders",
    response={201: OrderOut, **errors(400, 401, 403, 404, 422)},
    summary="Order a product",
)
def place_order(request: HttpRequest, product_id: Id, payload: OrderIn) -> Status:
    product = selectors.get_public_product(product_id)
    order = services.place_order(actor=request.user, product=product, **payload.dict())  # type: ignore[arg-type]
    return Status(201, _order_out(order))


@router.get(
    "/orders",
    response={200: list[OrderOut], **errors(401, 422)},
    summary="Orders in the user's scope (own orders for buyers)",
)
def orders(request: HttpRequest, filters: Query[PageQuery]) -> list[dict[str, Any]]:
    rows = selectors.orders_for_user(request.user)
    return [_order_out(o) for o in rows[filters.offset : filters.offset + filters.limit]]


class NeedOut(Schema):
    """Public and anonymised: village, category and the need; never the household."""

    id: int
    county: str
    township: str
    village: str
    village_code: str
    category: str
    category_label: str
    title: str
    description: str
    quantity: str
    amount: Decimal | None
    deadline: date
    status: str
    claimable: bool


def _need_out(n: Any) -> dict[str, Any]:
    return {
        "id": n.pk,
        "county": n.village.county_code,
        "township": n.village.parent.name if n.village.parent else "",
        "village": n.village.name,
        "village_code": n.village.code,
        "category": n.category,
        "category_label": str(n.get_category_display()),
        "title": n.title,
        "description": n.description,
        "quantity": n.quantity,
        "amount": n.amount,
        "deadline": n.deadline,
        "status": NeedStatus.PUBLISHED if n.claimable else n.status,
        "claimable": n.claimable,
    }


class NeedQuery(PageQuery):
    county: str = ""
    category: str = ""
    claimable: bool | None = None


@router.get(
    "/needs",
    response={200: list[NeedOut], **errors(422)},
    auth=None,
    summary="Public, anonymised household needs",
)
def needs(request: HttpRequest, filters: Query[NeedQuery]) -> list[dict[str, Any]]:
    rows = needs_selectors.public_needs()
    if filters.county:
        rows = rows.filter(county__code__startswith=county_code_of(filters.county))
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.claimable is not None:
        rows = needs_selectors.filter_claimable(rows, filters.claimable)
    return [_need_out(n) for n in rows[filters.offset : filters.offset + filters.limit]]


@router.get(
    "/needs/{need_id}", response={200: NeedOut, **errors(404, 422)}, auth=None, summary="One public need"
)
def need(request: HttpRequest, need_id: Id) -> dict[str, Any]:
    return _need_out(needs_selectors.get_public_need(need_id))


class ClaimOut(Schema):
    id: int
    need_id: int
    status: str
    claimed_on: date
    expires_on: date


@router.post(
    "/needs/{need_id}/claim",
    response={201: ClaimOut, **errors(401, 403, 404, 422)},
    summary="Claim a need (supporters)",
)
def claim(request: HttpRequest, need_id: Id) -> Status:
    found = needs_selectors.get_public_need(need_id)
    made = services.claim_need(actor=request.user, need=found)  # type: ignore[arg-type]
    return Status(
        201,
        {
            "id": made.pk,
            "need_id": made.need_id,
            "status": made.status,
            "claimed_on": made.claimed_on,
            "expires_on": made.expires_on,
        },
    )
