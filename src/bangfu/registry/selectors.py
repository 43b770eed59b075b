"""Reads of the registry: the scoping helpers and set-based "as of" queries.

Scope: county admins and inspectors see their county (area subtree), township clerks their
township, village officers their village; unit reporters and supporters see no household.
Objects out of scope are 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, CharField, Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import area_prefix
from bangfu.areas.models import Area, Level, county_code_of, township_code_of
from bangfu.registry.models import VOCATIONAL, Household, Member, MemberVersion, Schooling

HOUSEHOLD_ROLES = (Role.COUNTY_ADMIN, Role.INSPECTOR, Role.TOWNSHIP_CLERK, Role.VILLAGE_OFFICER)
# Roles that may see a full ID number of an in-scope member (each view is audited).
FULL_ID_ROLES = (Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK)


def registry_prefix(user: Any) -> str | None:
    """The area-code prefix of the households the user may read, or None."""
    prefix = area_prefix(user)
    if prefix is None or user.role not in HOUSEHOLD_ROLES:
        return None
    return prefix


def scope_counties(prefix: str) -> QuerySet[Area]:
    """The counties an area prefix reaches (one for a county, township or village prefix).

    Member look-ups by ID number or name filter on these too: the county is the leading column of
    the member indexes (unique (county, id_number_index) among them), so without it an exact ID
    search scans every member of every county."""
    return Area.objects.filter(level=Level.COUNTY, code__startswith=county_code_of(prefix))


def households_for_user(user: Any) -> QuerySet[Household]:
    prefix = registry_prefix(user)
    if prefix is None:
        return Household.objects.none()
    return Household.objects.filter(village__code__startswith=prefix).select_related("village", "county")


def get_household_for_user(user: Any, number: str, *, county: Area | None = None) -> Household:
    """The in-scope household with this 户编号 (numbers are unique per county; a user reaching
    several counties may pass `county`)."""
    queryset = households_for_user(user).filter(number=number)
    if county is not None:
        queryset = queryset.filter(county=county)
    found = list(queryset[:2])
    if len(found) != 1:
        raise Http404("household")
    return found[0]


def members_for_user(user: Any) -> QuerySet[Member]:
    prefix = registry_prefix(user)
    if prefix is None:
        return Member.objects.none()
    return Member.objects.filter(village__code__startswith=prefix).select_related("household", "village")


def get_member_for_user(user: Any, pk: int) -> Member:
    try:
        return members_for_user(user).get(pk=pk)
    except Member.DoesNotExist:
        raise Http404("member") from None


def can_view_full_id(user: Any, member: Member) -> bool:
    """Only in-scope county admins and township clerks; the caller must audit the view
    (services.reveal_id_number does)."""
    prefix = registry_prefix(user)
    return (
        prefix is not None
        and user.role in FULL_ID_ROLES
        and member.village.code.startswith(prefix)  # the member is in scope
    )


def member_status_on(*, day: date, county: Area) -> QuerySet[Any]:
    """Members of `county` annotated with `schooling_on` and `active_on`: their status on `day`.

    One SQL query: correlated subqueries pick the version in effect on `day`
    (valid_from <= day < valid_to); a member first recorded after `day` is judged by its
    earliest version. Members without any version fall back to their current fields.
    Typed QuerySet[Any] so callers may filter on the annotations under mypy's Django plugin."""
    versions = MemberVersion.objects.filter(member=OuterRef("pk"))
    in_effect = versions.filter(valid_from__lte=day).order_by("-valid_from")
    earliest = versions.order_by("valid_from")
    return Member.objects.filter(county=county).annotate(
        schooling_on=Coalesce(
            Subquery(in_effect.values("schooling")[:1]),
            Subquery(earliest.values("schooling")[:1]),
            "schooling",
            output_field=CharField(),
        ),
        active_on=Coalesce(
            Subquery(in_effect.values("active")[:1]),
            Subquery(earliest.values("active")[:1]),
            "active",
            output_field=BooleanField(),
        ),
    )


def search_households(
    households: QuerySet[Household],
    *,
    query: str = "",
    township: str = "",
    village: str = "",
    exited: str = "",
    monitored: str = "",
    schooling: str = "",
    prefix: str | None = None,
) -> QuerySet[Household]:
    """Filter an already scoped household queryset. `query` matches a member's name, a household
    number, or — when it is a valid ID number — exactly that person (via the blind index).
    `prefix` (the user's `registry_prefix`) narrows the member subqueries to the counties in
    scope so they use the member indexes; the households are scoped by the caller either way."""
    from bangfu.lib import idnumbers
    from bangfu.lib.crypto import blind_index

    if township:
        households = households.filter(
            village__code__startswith=township_code_of(township), village__parent__code=township
        )
    if village:
        households = households.filter(village__code=village)
    if exited in {"0", "1"}:
        households = households.filter(exited=exited == "1")
    if monitored in {"0", "1"}:
        households = households.filter(monitored=monitored == "1")
    # Member-based filters go through a subquery, so member counts stay whole.
    members = Member.objects.all()
    if prefix is not None:
        members = members.filter(county__in=scope_counties(prefix))
    active = members.filter(active=True)
    if schooling == "vocational":
        households = households.filter(pk__in=active.filter(schooling__in=VOCATIONAL).values("household_id"))
    elif schooling in Schooling.values and schooling:
        households = households.filter(pk__in=active.filter(schooling=schooling).values("household_id"))
    query = query.strip()
    if query:
        normalised = idnumbers.normalise(query)
        if len(normalised) in (18, 20, 22) and normalised[:17].isdigit():
            index = blind_index(normalised, purpose="id_number")
            by_id = members.filter(id_number_index=index).values("household_id")
            households = households.filter(Q(pk__in=by_id) | Q(number__startswith=query))
        else:
            named = members.filter(name__contains=query).values("household_id")
            households = households.filter(Q(number__startswith=query) | Q(pk__in=named))
    return households


def household_list_page(
    households: QuerySet[Household], page_number: str | None, per_page: int = 50
) -> tuple[Page[int], list[Household]]:
    """A page of the list and its rows with the columns the page shows (head's name, active
    members), in two steps: page over the ordered ids alone, then fetch the rows of that page.
    Annotating the whole scoped queryset made SQLite compute both subqueries for every household
    before sorting (~170 ms at 30,000 households, bench/load.py); now they run for 50 rows."""
    page = Paginator(households.order_by("number", "pk").values_list("pk", flat=True), per_page).get_page(
        page_number
    )
    heads = Member.objects.filter(household=OuterRef("pk"), relation="户主").order_by("id")
    active = (
        Member.objects.filter(household=OuterRef("pk"), active=True)
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        Household.objects.filter(pk__in=list(page.object_list))
        .select_related("village__parent")
        .annotate(
            head_name=Subquery(heads.values("name")[:1]),
            member_count=Coalesce(Subquery(active, output_field=IntegerField()), 0),
        )
        .order_by("number", "pk")
    )
    return page, list(rows)


# --- the household page -------------------------------------------------------------------------------
def head_of(members: list[Member]) -> Member | None:
    """The household's head (户主): the active member so related, else any 户主, else the first
    active member."""
    heads = [m for m in members if m.relation == "户主"]
    active_heads = [m for m in heads if m.active]
    active = [m for m in members if m.active]
    return next(iter(active_heads or heads or active or members), None)


@dataclass(frozen=True)
class ChangeRow:
    """One RegistryChange as the household page shows it: the field's name and choice labels,
    never the internal field key or value code."""

    effective_on: date
    member_name: str
    field: str
    old_value: str
    new_value: str
    changed_by: str


def _field_label_and_choices(name: str, on_member: bool) -> tuple[str, dict[str, str]]:
    from django.core.exceptions import FieldDoesNotExist

    model = Member if on_member else Household
    if name == "household":
        return str(_("所在户")), {}
    if name == "phone":
        return str(_("联系电话")), {}
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name, {}
    choices = {str(value): str(label) for value, label in getattr(field, "choices", None) or ()}
    return str(getattr(field, "verbose_name", name)), choices


def _value_label(value: str, choices: dict[str, str]) -> str:
    if value in ("是", "否"):  # booleans are stored as 是 / 否
        return str(_("是")) if value == "是" else str(_("否"))
    if choices and value in choices:
        return choices[value]
    return value


def change_rows(changes: Any) -> list[ChangeRow]:
    """The household's change history (RegistryChange rows with `member` and `changed_by` loaded)
    in words. Personal values were stored masked by the import and stay so."""
    rows = []
    for change in changes:
        label, choices = _field_label_and_choices(change.field, change.member_id is not None)
        rows.append(
            ChangeRow(
                effective_on=change.effective_on,
                member_name=change.member.name if change.member_id else "",
                field=label,
                old_value=_value_label(change.old_value, choices),
                new_value=_value_label(change.new_value, choices),
                changed_by=str(change.changed_by) if change.changed_by_id else str(_("导入")),
            )
        )
    return rows
