"""Reads about household needs and claims: the scoping helpers and the figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import area_prefix
from bangfu.areas.models import Area
from bangfu.lib import clock
from bangfu.network.models import PUBLIC_NEED_STATUSES, Claim, ClaimStatus, Need, NeedStatus

NEED_STAFF_ROLES = (Role.COUNTY_ADMIN, Role.INSPECTOR, Role.TOWNSHIP_CLERK, Role.VILLAGE_OFFICER)


def _with_claimable(needs: QuerySet[Need]) -> QuerySet[Need]:
    """`claimable`: published, or claimed with an active claim that has lapsed (the daily sweep
    has not run yet; claiming expires it first)."""
    today = clock.today()
    lapsed = Claim.objects.filter(need=OuterRef("pk"), status=ClaimStatus.ACTIVE, expires_on__lt=today)
    return needs.annotate(lapsed=Exists(lapsed)).annotate(
        claimable=Q(deadline__gte=today)
        & (Q(status=NeedStatus.PUBLISHED) | Q(status=NeedStatus.CLAIMED, lapsed=True)),
    )


def public_needs() -> QuerySet[Need]:
    """What anyone may see: reviewed needs. Views and the API show only village, category and the
    need — never the household."""
    return _with_claimable(
        Need.objects.filter(status__in=PUBLIC_NEED_STATUSES).select_related("village", "village__parent")
    )


def get_public_need(pk: int) -> Need:
    try:
        return public_needs().get(pk=pk)
    except Need.DoesNotExist:
        raise Http404("need") from None


def needs_for_user(user: Any) -> QuerySet[Need]:
    if not getattr(user, "is_authenticated", False) or user.role not in NEED_STAFF_ROLES:
        return Need.objects.none()
    prefix = area_prefix(user)
    if prefix is None:
        return Need.objects.none()
    return _with_claimable(
        Need.objects.filter(village__code__startswith=prefix).select_related(
            "village", "household", "posted_by"
        )
    )


def get_need_for_user(user: Any, pk: int) -> Need:
    try:
        return needs_for_user(user).get(pk=pk)
    except Need.DoesNotExist:
        raise Http404("need") from None


def claims_of_supporter(user: Any) -> QuerySet[Claim]:
    if not getattr(user, "is_authenticated", False) or user.role != Role.SUPPORTER:
        return Claim.objects.none()
    return Claim.objects.filter(supporter__user=user).select_related("need", "need__village")


def get_claim_of_supporter(user: Any, pk: int) -> Claim:
    try:
        return claims_of_supporter(user).get(pk=pk)
    except Claim.DoesNotExist:
        raise Http404("claim") from None


def claims_for_staff(user: Any) -> QuerySet[Claim]:
    if not getattr(user, "is_authenticated", False) or user.role not in NEED_STAFF_ROLES:
        return Claim.objects.none()
    prefix = area_prefix(user)
    if prefix is None:
        return Claim.objects.none()
    return Claim.objects.filter(need__village__code__startswith=prefix).select_related(
        "need", "need__village", "supporter"
    )


def get_claim_for_staff(user: Any, pk: int) -> Claim:
    try:
        return claims_for_staff(user).get(pk=pk)
    except Claim.DoesNotExist:
        raise Http404("claim") from None


@dataclass(frozen=True)
class NeedStats:
    posted: int
    matched: int
    fulfilled: int
    match_rate: Decimal | None


def need_stats(county: Area, start: date, end: date, organisation_id: int | None = None) -> NeedStats:
    """Posted = needs made public in [start, end); matched = needs claimed in the period;
    fulfilled = claims confirmed in the period; match rate = matched / posted."""
    posted = Need.objects.filter(county=county, published_on__gte=start, published_on__lt=end).count()
    claims = Claim.objects.filter(county=county)
    if organisation_id is not None:
        claims = claims.filter(supporter__invited_by_id=organisation_id)
    matched = claims.filter(claimed_on__gte=start, claimed_on__lt=end).values("need_id").distinct().count()
    fulfilled = claims.filter(
        status=ClaimStatus.CONFIRMED, confirmed_on__gte=start, confirmed_on__lt=end
    ).count()
    rate = (Decimal(matched) * 100 / Decimal(posted)).quantize(Decimal("0.1")) if posted else None
    return NeedStats(posted=posted, matched=matched, fulfilled=fulfilled, match_rate=rate)


def filter_claimable(needs: QuerySet[Need], claimable: bool = True) -> QuerySet[Need]:
    """Narrow a queryset from `public_needs`/`needs_for_user` to the (not) claimable needs."""
    return needs.filter(claimable=claimable)  # type: ignore[misc]  # annotation, unknown to the stubs


def needs_of_household(user: Any, household: Any) -> QuerySet[Need]:
    """The needs posted for one household, newest first, as far as `user` may read them."""
    return (
        needs_for_user(user)
        .filter(county_id=household.county_id, household=household)
        .order_by("-posted_on", "-id")
    )
