"""The scoping helpers: one per resource, used by every view and API endpoint.

A user's reach is an area-code prefix (see bangfu.areas.models). Objects outside it are answered
with 404, never 403, so their existence does not leak.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from bangfu.accounts.models import Role, User
from bangfu.areas.models import Area, county_area_code, county_code_of
from bangfu.partners.models import Organisation

STAFF_ROLES = (
    Role.COUNTY_ADMIN,
    Role.UNIT_REPORTER,
    Role.TOWNSHIP_CLERK,
    Role.VILLAGE_OFFICER,
    Role.INSPECTOR,
)


def area_prefix(user: Any) -> str | None:
    """The code prefix of the user's area subtree, or None when the user reaches no area."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.role not in STAFF_ROLES or user.area is None:
        return None
    return user.area.prefix


def county_prefix(user: Any) -> str | None:
    """The prefix of the county (or wider area) the user works in: townships see their county's
    organisations, a village officer its county's units."""
    prefix = area_prefix(user)
    if prefix is None:
        return None
    return county_code_of(prefix) if len(prefix) > 6 else prefix


def county_for_user(user: Any) -> Area | None:
    """The county Area a user works in (their area's county; a prefecture-level user has none)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "area", None) is None:
        return None
    return Area.objects.filter(code=county_area_code(user.area.code), level="county").first()


def require_county_for_user(user: Any) -> Area:
    """`county_for_user`, or PermissionDenied for a user with no county."""
    county = county_for_user(user)
    if county is None:
        raise PermissionDenied
    return county


def require_role(user: Any, *roles: str) -> None:
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.role not in roles:
        raise PermissionDenied


def require_actor_in(
    actor: Any, where: Area | str | None, *roles: str, organisation: Organisation | None = None
) -> None:
    """The first call of every write service: the actor is active, holds one of `roles`, reaches
    `where` (an Area or an area code; None for a write outside any area) and, for a unit role,
    belongs to `organisation` when one is given. Raises PermissionDenied otherwise.

    `actor=None` is the system (CLI commands, task workers, migrations): it may write anywhere."""
    if actor is None:
        return
    require_role(actor, *roles)
    if where is not None:
        code = where.code if isinstance(where, Area) else where
        prefix = area_prefix(actor)
        if prefix is None or not code.startswith(prefix):
            raise PermissionDenied
    if organisation is not None and actor.role == Role.UNIT_REPORTER:
        if actor.organisation_id != organisation.pk:
            raise PermissionDenied


# --- areas ----------------------------------------------------------------------------------------
def areas_for_user(user: Any) -> QuerySet[Area]:
    prefix = area_prefix(user)
    if prefix is None:
        return Area.objects.none()
    return Area.objects.filter(code__startswith=prefix)


def get_area_for_user(user: Any, code: str) -> Area:
    try:
        return areas_for_user(user).get(code=code)
    except Area.DoesNotExist:
        raise Http404("area") from None


# --- organisations --------------------------------------------------------------------------------
def organisations_for_user(user: Any) -> QuerySet[Organisation]:
    prefix = county_prefix(user)
    if prefix is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(county__code__startswith=prefix).select_related("county", "area")


# --- users (managed by county admins only) --------------------------------------------------------
def users_for_admin(user: Any) -> QuerySet[User]:
    require_role(user, Role.COUNTY_ADMIN)
    prefix = area_prefix(user)
    if prefix is None:
        return User.objects.none()
    return User.objects.filter(area__code__startswith=prefix).select_related("area", "organisation")


def get_user_for_admin(user: Any, pk: int) -> User:
    try:
        return users_for_admin(user).get(pk=pk)
    except User.DoesNotExist:
        raise Http404("user") from None
