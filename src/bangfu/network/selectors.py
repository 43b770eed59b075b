"""Reads of the network app: the scoping helpers (one per resource) and the figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth
from django.http import Http404

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import STAFF_ROLES, area_prefix, county_prefix
from bangfu.accounts.scopes import county_for_user as scopes_county_for_user
from bangfu.areas.models import Area, Level
from bangfu.lib.money import ZERO, to_cents
from bangfu.network import needs_selectors
from bangfu.network.models import (
    BuyerKind,
    Invitation,
    Order,
    OrderStatus,
    Product,
    ProductPhoto,
    Supporter,
)
from bangfu.network.needs_selectors import NeedStats
from bangfu.network.services import settings_for

MANAGER_ROLES = (Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK, Role.VILLAGE_OFFICER)


def county_for_user(user: Any) -> Area | None:
    """The county a staff user works in (its area's county), or a supporter's sign-up county."""
    return scopes_county_for_user(user)


def public_counties() -> QuerySet[Area]:
    return Area.objects.filter(level=Level.COUNTY).order_by("code")


# --- supporters -----------------------------------------------------------------------------------
def supporter_for_user(user: Any) -> Supporter | None:
    if not getattr(user, "is_authenticated", False) or user.role != Role.SUPPORTER:
        return None
    return Supporter.objects.filter(user=user).select_related("county", "invited_by").first()


def supporters_for_user(user: Any) -> QuerySet[Supporter]:
    """County admins and inspectors list the supporters of their county; a unit reporter those
    its unit invited. Nobody else."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Supporter.objects.none()
    if user.role in (Role.COUNTY_ADMIN, Role.INSPECTOR):
        prefix = county_prefix(user)
        if prefix is None:
            return Supporter.objects.none()
        return Supporter.objects.filter(county__code__startswith=prefix).select_related("invited_by")
    if user.role == Role.UNIT_REPORTER and user.organisation_id:
        return Supporter.objects.filter(invited_by_id=user.organisation_id).select_related("invited_by")
    return Supporter.objects.none()


# --- invitations ----------------------------------------------------------------------------------
def invitations_for_user(user: Any) -> QuerySet[Invitation]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Invitation.objects.none()
    if user.role in (Role.COUNTY_ADMIN, Role.INSPECTOR):
        prefix = county_prefix(user)
        if prefix is None:
            return Invitation.objects.none()
        return Invitation.objects.filter(county__code__startswith=prefix).select_related("organisation")
    if user.role == Role.UNIT_REPORTER and user.organisation_id:
        return Invitation.objects.filter(organisation_id=user.organisation_id).select_related("organisation")
    return Invitation.objects.none()


# --- products -------------------------------------------------------------------------------------
def public_products() -> QuerySet[Product]:
    return Product.objects.filter(is_listed=True).select_related("village", "village__parent", "county")


def get_public_product(pk: int) -> Product:
    try:
        return public_products().prefetch_related("photos").get(pk=pk)
    except Product.DoesNotExist:
        raise Http404("product") from None


def products_for_manager(user: Any) -> QuerySet[Product]:
    if not getattr(user, "is_authenticated", False) or user.role not in (*MANAGER_ROLES, Role.INSPECTOR):
        return Product.objects.none()
    prefix = area_prefix(user)
    if prefix is None:
        return Product.objects.none()
    return Product.objects.filter(village__code__startswith=prefix).select_related("village", "county")


def get_product_for_manager(user: Any, pk: int) -> Product:
    try:
        return products_for_manager(user).get(pk=pk)
    except Product.DoesNotExist:
        raise Http404("product") from None


# --- orders ---------------------------------------------------------------------------------------
def orders_for_user(user: Any) -> QuerySet[Order]:
    """Staff see the orders of products in their area; buyers see their own (a unit reporter its
    unit's)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Order.objects.none()
    base = Order.objects.select_related("product", "product__village", "buyer_organisation")
    if user.role in (*MANAGER_ROLES, Role.INSPECTOR):
        prefix = area_prefix(user)
        if prefix is None:
            return Order.objects.none()
        return base.filter(product__village__code__startswith=prefix)
    if user.role == Role.UNIT_REPORTER and user.organisation_id:
        return base.filter(
            Q(buyer=user) | Q(buyer_kind=BuyerKind.UNIT, buyer_organisation_id=user.organisation_id)
        )
    if user.role == Role.SUPPORTER:
        return base.filter(buyer=user)
    return Order.objects.none()


def get_order_for_user(user: Any, pk: int) -> Order:
    try:
        return orders_for_user(user).get(pk=pk)
    except Order.DoesNotExist:
        raise Http404("order") from None


# --- figures --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RegistrationStats:
    year: int
    total: int
    baseline: int
    baseline_year: int
    growth_percent: Decimal | None  # None when there is no baseline to compare with
    by_month: list[int]  # 12 values
    by_unit: list[dict[str, Any]]  # organisation code, name, count
    unattributed: int


def growth_percent(value: int | Decimal, baseline: int | Decimal) -> Decimal | None:
    if not baseline:
        return None
    return ((Decimal(value) - Decimal(baseline)) * 100 / Decimal(baseline)).quantize(Decimal("0.1"))


def registration_stats(county: Area, year: int) -> RegistrationStats:
    rows = Supporter.objects.filter(
        county__code__startswith=county.prefix,
        registered_on__gte=date(year, 1, 1),
        registered_on__lt=date(year + 1, 1, 1),
    )
    by_month = [0] * 12
    for row in rows.annotate(m=ExtractMonth("registered_on")).values("m").annotate(n=Count("id")):
        by_month[row["m"] - 1] = row["n"]
    units = (
        rows.filter(invited_by__isnull=False)
        .values("invited_by__code", "invited_by__name")
        .annotate(n=Count("id"))
        .order_by("-n", "invited_by__code")
    )
    by_unit = [{"code": u["invited_by__code"], "name": u["invited_by__name"], "count": u["n"]} for u in units]
    total = sum(by_month)
    conf = settings_for(county)
    return RegistrationStats(
        year=year,
        total=total,
        baseline=conf.baseline_registrations,
        baseline_year=conf.baseline_year,
        growth_percent=growth_percent(total, conf.baseline_registrations),
        by_month=by_month,
        by_unit=by_unit,
        unattributed=total - sum(u["count"] for u in by_unit),
    )


def sold_orders(county: Area, start: date, end: date) -> QuerySet[Order]:
    """Orders that count as sales: everything not cancelled, placed in [start, end)."""
    return Order.objects.filter(county=county, placed_on__gte=start, placed_on__lt=end).exclude(
        status=OrderStatus.CANCELLED
    )


@dataclass(frozen=True)
class SalesStats:
    year: int
    amount: Decimal
    orders: int
    certified_amount: Decimal
    by_month: list[Decimal]
    by_product: list[dict[str, Any]]
    by_buyer_kind: list[dict[str, Any]]


def _money(value: Decimal | None) -> Decimal:
    return to_cents(value)


def sales_stats(county: Area, year: int) -> SalesStats:
    rows = sold_orders(county, date(year, 1, 1), date(year + 1, 1, 1))
    by_month = [ZERO] * 12
    for row in rows.annotate(m=ExtractMonth("placed_on")).values("m").annotate(s=Sum("amount")):
        by_month[row["m"] - 1] = _money(row["s"])
    by_product = [
        {"id": r["product_id"], "name": r["product__name"], "quantity": r["q"], "amount": _money(r["s"])}
        for r in rows.values("product_id", "product__name")
        .annotate(q=Sum("quantity"), s=Sum("amount"))
        .order_by("-s", "product__name")
    ]
    labels = dict(BuyerKind.choices)
    by_kind: dict[str, dict[str, Any]] = {
        r["buyer_kind"]: dict(r) for r in rows.values("buyer_kind").annotate(n=Count("id"), s=Sum("amount"))
    }
    by_buyer_kind = [
        {
            "kind": kind,
            "label": labels[kind],
            "orders": by_kind.get(kind, {}).get("n") or 0,
            "amount": _money(by_kind.get(kind, {}).get("s")),
        }
        for kind in BuyerKind.values
    ]
    totals = rows.aggregate(
        s=Sum("amount"), n=Count("id"), c=Sum("amount", filter=Q(product__certified=True))
    )
    return SalesStats(
        year=year,
        amount=_money(totals["s"]),
        orders=totals["n"],
        certified_amount=_money(totals["c"]),
        by_month=by_month,
        by_product=by_product,
        by_buyer_kind=by_buyer_kind,
    )


def can_see_stats(user: Any) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active and user.role in STAFF_ROLES


def registrations_by_unit(invitations: list[Invitation], year: int) -> dict[int, int]:
    """Registrations in the year attributed to each invitation's unit, keyed by organisation id."""
    org_ids = [i.organisation_id for i in invitations]
    rows = (
        Supporter.objects.filter(
            invited_by_id__in=org_ids,
            registered_on__gte=date(year, 1, 1),
            registered_on__lt=date(year + 1, 1, 1),
        )
        .values("invited_by_id")
        .annotate(n=Count("id"))
    )
    return {r["invited_by_id"]: r["n"] for r in rows}


def need_stats(county: Area, year: int) -> NeedStats:
    return needs_selectors.need_stats(county, date(year, 1, 1), date(year + 1, 1, 1))


def get_public_photo(pk: int) -> ProductPhoto:
    try:
        return ProductPhoto.objects.get(pk=pk, product__is_listed=True)
    except ProductPhoto.DoesNotExist:
        raise Http404("photo") from None
