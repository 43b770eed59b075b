"""Figures for the home page, always within the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from bangfu.accounts.models import Role, User
from bangfu.accounts.scopes import area_prefix, areas_for_user, organisations_for_user
from bangfu.areas.models import Area, Level, township_code_of


def home_figures(user: User) -> dict[str, Any]:
    """The few figures of the user's own scope: a unit its own pairings and reports, a township or
    village its areas and the units helping them, the county (admin, inspector) the county's."""
    from bangfu.lib import clock
    from bangfu.partners.scopes import pairings_for_user
    from bangfu.partners.selectors import active_on

    today = clock.today()
    if user.role == Role.UNIT_REPORTER:
        from bangfu.workplan.models import LedgerReport, ReportStatus

        own = user.organisation_id or 0
        reports = LedgerReport.objects.filter(organisation_id=own, month__year=today.year)
        return {
            "pairings": active_on(pairings_for_user(user), today).count(),
            **reports.filter(month__lt=today.replace(day=1)).aggregate(
                reports_due=Count("id"),
                reports_open=Count("id", filter=Q(status__in=(ReportStatus.DRAFT, ReportStatus.RETURNED))),
            ),
        }
    counts = _area_figures(user)
    if user.role in (Role.TOWNSHIP_CLERK, Role.VILLAGE_OFFICER):
        # The units helping villages of this township or this village, not the county's list.
        counts["organisations"] = (
            active_on(pairings_for_user(user), today)
            .exclude(helper_organisation__isnull=True)
            .values("helper_organisation")
            .distinct()
            .count()
        )
    return counts


def _area_figures(user: User) -> dict[str, Any]:
    areas = areas_for_user(user)
    counts = areas.aggregate(
        townships=Count("id", filter=Q(level=Level.TOWNSHIP)),
        villages=Count("id", filter=Q(level=Level.VILLAGE)),
        poor_villages=Count("id", filter=Q(level=Level.VILLAGE, registered_poor=True)),
    )
    prefix = area_prefix(user) or "-"
    counts["organisations"] = organisations_for_user(user).filter(is_active=True).count()
    counts["users"] = User.objects.filter(is_active=True, area__code__startswith=prefix).count()
    return counts


def villages_by_township(user: User) -> list[dict[str, Any]]:
    """One row per township in scope: its villages and registered poor villages (one query)."""
    townships = list(areas_for_user(user).filter(level=Level.TOWNSHIP).values("code", "name"))
    by_prefix: dict[str, dict[str, Any]] = {
        township_code_of(t["code"]): {**t, "villages": 0, "poor_villages": 0} for t in townships
    }
    village_rows = areas_for_user(user).filter(level=Level.VILLAGE).values_list("code", "registered_poor")
    for code, poor in village_rows:
        row = by_prefix.get(township_code_of(code))
        if row is not None:
            row["villages"] += 1
            row["poor_villages"] += int(poor)
    return list(by_prefix.values())


def scope_label(user: User) -> str:
    area: Area | None = user.area
    if area is None:
        return ""
    chain = [area.name]
    parent = area.parent
    while parent is not None and parent.level in (Level.COUNTY, Level.TOWNSHIP):
        chain.append(parent.name)
        parent = parent.parent
    return " / ".join(reversed(chain))


def role_work(user: User) -> dict[str, Any]:
    """The work of the user's role under "我的待办" on the home page, each part read through its
    own app's scoped selector: a reporting unit its ledger reports of this year (or why it has
    none); a village officer the village's households, recent visits and needs."""
    from bangfu.lib import clock

    today = clock.today()
    work: dict[str, Any] = {}
    if user.role in (Role.UNIT_REPORTER, Role.TOWNSHIP_CLERK):
        from bangfu.workplan.selectors import unit_work

        work["unit"] = unit_work(user, today=today)
    if user.role == Role.VILLAGE_OFFICER:
        from bangfu.network.needs_selectors import needs_for_user
        from bangfu.partners.scopes import kinship_visits_for_user, visits_for_user
        from bangfu.partners.selectors import household_head_names
        from bangfu.registry.selectors import household_list_page, households_for_user

        households = households_for_user(user).filter(active=True)
        page, rows = household_list_page(households, None, per_page=30)
        kinship_visits = list(
            kinship_visits_for_user(user)
            .filter(date__lte=today)
            .select_related("cadre", "household")
            .order_by("-date", "-id")[:5]
        )
        needs = list(needs_for_user(user).order_by("-posted_on", "-id")[:10])
        heads = household_head_names(user, [r.household_id for r in kinship_visits + needs])
        for record in kinship_visits + needs:
            record.head_name = heads.get(record.household_id, "")  # type: ignore[union-attr]
        work["village"] = {
            "households": rows,
            "household_count": page.paginator.count,
            "visits": list(visits_for_user(user).filter(date__lte=today).select_related("organisation")[:5]),
            "kinship_visits": kinship_visits,
            "needs": needs,
        }
    return work
