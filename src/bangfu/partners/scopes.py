"""Scoping helpers for the partners app's resources (cadres, pairings, visits), one per resource,
used by every view and API endpoint. Out-of-scope objects are 404.

- county admins and inspectors reach everything in their county;
- a unit reporter reaches only its own organisation's cadres, pairings and visits;
- township clerks and village officers reach pairings and visits whose target lies in their area.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import area_prefix, county_prefix, organisations_for_user
from bangfu.areas.models import Area, Level, county_area_code
from bangfu.partners.models import Cadre, KinshipVisit, Organisation, Pairing, Visit

COUNTY_WIDE_ROLES = (Role.COUNTY_ADMIN, Role.INSPECTOR)
AREA_ROLES = (Role.TOWNSHIP_CLERK, Role.VILLAGE_OFFICER)


def _role(user: Any) -> str | None:
    if county_prefix(user) is None:
        return None
    return str(user.role)


def sees_personal_data_of(user: Any, organisation_id: int | None) -> bool:
    """Cadre phones are shown to county admins and to the cadre's own unit; masked for others."""
    role = _role(user)
    if role == Role.COUNTY_ADMIN:
        return True
    return (
        role == Role.UNIT_REPORTER and organisation_id is not None and user.organisation_id == organisation_id
    )


# --- cadres ---------------------------------------------------------------------------------------
def cadres_for_user(user: Any) -> QuerySet[Cadre]:
    role = _role(user)
    if role is None:
        return Cadre.objects.none()
    cadres = Cadre.objects.select_related("organisation", "county")
    if role == Role.UNIT_REPORTER:
        return cadres.filter(organisation_id=user.organisation_id)
    return cadres.filter(county__code__startswith=county_prefix(user) or "-")


def get_cadre_for_user(user: Any, pk: int) -> Cadre:
    try:
        return cadres_for_user(user).get(pk=pk)
    except Cadre.DoesNotExist:
        raise Http404("cadre") from None


# --- pairings -------------------------------------------------------------------------------------
def pairings_for_user(user: Any) -> QuerySet[Pairing]:
    role = _role(user)
    if role is None:
        return Pairing.objects.none()
    pairings = Pairing.objects.select_related(
        "county", "helper_organisation", "helper_cadre", "target_area", "target_organisation"
    )
    if role == Role.UNIT_REPORTER:
        org_id = user.organisation_id
        return pairings.filter(Q(helper_organisation_id=org_id) | Q(helper_cadre__organisation_id=org_id))
    if role in AREA_ROLES:
        return pairings.filter(_pairing_area_filter(area_prefix(user) or "-"))
    return pairings.filter(county__code__startswith=county_prefix(user) or "-")


def _pairing_area_filter(prefix: str) -> Q:
    return (Q(target_area__code__startswith=prefix) & ~Q(target_area__level="county")) | Q(
        target_household__village__code__startswith=prefix
    )


def get_pairing_for_user(user: Any, pk: int) -> Pairing:
    try:
        return pairings_for_user(user).get(pk=pk)
    except Pairing.DoesNotExist:
        raise Http404("pairing") from None


# --- visits ---------------------------------------------------------------------------------------
def visits_for_user(user: Any) -> QuerySet[Visit]:
    role = _role(user)
    if role is None:
        return Visit.objects.none()
    visits = Visit.objects.select_related("organisation", "village", "county")
    if role == Role.UNIT_REPORTER:
        return visits.filter(organisation_id=user.organisation_id)
    if role in AREA_ROLES:
        return visits.filter(village__code__startswith=area_prefix(user) or "-")
    return visits.filter(county__code__startswith=county_prefix(user) or "-")


def get_visit_for_user(user: Any, pk: int) -> Visit:
    try:
        return visits_for_user(user).get(pk=pk)
    except Visit.DoesNotExist:
        raise Http404("visit") from None


# --- who may write for which organisation ----------------------------------------------------------
def recording_organisations_for_user(user: Any) -> QuerySet[Organisation]:
    """Organisations the user may record visits, pairings or figures for: a county admin any of the
    county's, a unit reporter only its own; other roles none (PermissionDenied)."""
    role = _role(user)
    if role == Role.COUNTY_ADMIN:
        return organisations_for_user(user)
    if role == Role.UNIT_REPORTER:
        return organisations_for_user(user).filter(pk=user.organisation_id)
    raise PermissionDenied


def get_recording_organisation_for_user(user: Any, code: str) -> Organisation:
    try:
        return recording_organisations_for_user(user).get(code=code)
    except Organisation.DoesNotExist:
        raise Http404("organisation") from None


def require_county_admin(user: Any) -> None:
    if _role(user) != Role.COUNTY_ADMIN:
        raise PermissionDenied


def county_for_user(user: Any, code: str | None = None) -> Area:
    """The county whose partners' data the user works on: their own county, or for users above
    county level (prefecture, province) the county `code` inside their area. 404 otherwise."""
    prefix = county_prefix(user)
    if prefix is None:
        raise Http404("county")
    if len(prefix) >= 6:
        code = county_area_code(prefix)
    if not code or not code.startswith(prefix):
        raise Http404("county")
    try:
        return Area.objects.get(code=code, level=Level.COUNTY)
    except Area.DoesNotExist:
        raise Http404("county") from None


def get_recording_pairing_for_user(user: Any, pk: int) -> Pairing:
    """A pairing the user may record visits or figures for: county admins any in their county,
    unit reporters their own organisation's (404 otherwise); other roles PermissionDenied."""
    if _role(user) not in (Role.COUNTY_ADMIN, Role.UNIT_REPORTER):
        raise PermissionDenied
    return get_pairing_for_user(user, pk)


def kinship_visits_for_user(user: Any) -> QuerySet[KinshipVisit]:
    role = _role(user)
    if role is None:
        return KinshipVisit.objects.none()
    visits = KinshipVisit.objects.select_related("cadre__organisation", "household__village", "county")
    if role == Role.UNIT_REPORTER:
        return visits.filter(cadre__organisation_id=user.organisation_id)
    if role in AREA_ROLES:
        return visits.filter(household__village__code__startswith=area_prefix(user) or "-")
    return visits.filter(county__code__startswith=county_prefix(user) or "-")
