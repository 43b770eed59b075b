"""Open problems that someone must act on: the one list behind home pages, the dashboard, the
reminders and the bulletin's 存在问题.

Each app declares its sources in its own `attention.py` with `@attention_source`; a source is a
set-based function of (county, office date) returning `AttentionItem`s for the whole county.
Readers never call sources directly: `items_for_county` (bulletin, dashboard, reminders) and
`items_for_user` (home page, `GET /api/v1/attention`) do, and the latter keeps only what that user
can act on, in their scope. Names are `<app>.<problem>`, e.g. `subsidies.yulu_unpaid`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bangfu.areas.models import Area


class Severity:
    """Ordered: a page lists critical first."""

    CRITICAL = "critical"  # overdue, money waiting, a deadline passed
    WARNING = "warning"  # at risk, due soon
    INFO = "info"  # to know, nothing late yet

    ORDER = {CRITICAL: 0, WARNING: 1, INFO: 2}


@dataclass(frozen=True)
class AttentionItem:
    kind: str  # the source's name, "<app>.<problem>"
    severity: str  # a Severity value
    title: Any  # a sentence naming the unit and the fact: "省联通公司二季度未派出工作组"
    url: str  # where the acting user resolves it (must open for every user it is shown to)
    since: date  # office date the problem began (a deadline that passed, a request made)
    roles: tuple[str, ...]  # roles that can act on it
    area_code: str  # the record's area: a user acts on it only if their area contains this code
    organisation_id: int | None = None  # unit roles: only this organisation's users
    count: int = 1  # how many records the item stands for (e.g. 2 students unpaid)
    in_bulletin: bool = True  # listed in the bulletin's 存在问题
    extra: dict[str, Any] = field(default_factory=dict)  # counts for the API and the bulletin
    user_id: int | None = None  # addressed to this one user only (e.g. a supporter's claim)


# Roles that act for an organisation: an item naming one is theirs only when it names their own.
# Other roles (county admin, inspector, village officer) act on it by area alone.
UNIT_ROLES = ("unit_reporter", "township_clerk")

AttentionSource = Callable[["Area", date], Iterable[AttentionItem]]

_REGISTRY: dict[str, AttentionSource] = {}


def attention_source(name: str) -> Callable[[AttentionSource], AttentionSource]:
    """Register `func(county, today) -> items` under `name`."""

    def register(func: AttentionSource) -> AttentionSource:
        existing = _REGISTRY.get(name)
        if existing is not None and existing is not func:
            raise ValueError(f"attention source {name!r} is registered twice")
        _REGISTRY[name] = func
        return func

    return register


def _load() -> None:
    from bangfu.modules import provided

    provided("attention")  # importing each app's attention.py registers its sources


def all_sources() -> dict[str, AttentionSource]:
    _load()
    return dict(sorted(_REGISTRY.items()))


def _sorted(items: Iterable[AttentionItem]) -> list[AttentionItem]:
    return sorted(items, key=lambda i: (Severity.ORDER.get(i.severity, 9), i.since, i.kind, str(i.title)))


def items_for_county(county: Area, today: date) -> list[AttentionItem]:
    """Every open problem of the county, most severe and oldest first."""
    found: list[AttentionItem] = []
    for source in all_sources().values():
        found.extend(source(county, today))
    return _sorted(found)


def can_act(user: Any, item: AttentionItem) -> bool:
    """The user holds a role that can act, their area contains the item's, and for unit roles the
    item is their organisation's."""
    from bangfu.accounts.scopes import area_prefix

    if item.user_id is not None:  # addressed to one user (a supporter's own claim)
        return bool(getattr(user, "is_active", False)) and user.pk == item.user_id and user.role in item.roles
    prefix = area_prefix(user)
    if prefix is None or user.role not in item.roles or not item.area_code.startswith(prefix):
        return False
    if item.organisation_id is None or user.role not in UNIT_ROLES:
        return True
    return item.organisation_id == getattr(user, "organisation_id", None)


def items_for_user(user: Any, today: date) -> list[AttentionItem]:
    """What this user can act on, in their scope (their home page, `GET /api/v1/attention`)."""
    from bangfu.accounts.scopes import area_prefix
    from bangfu.areas.models import Area, county_code_of

    prefix = area_prefix(user)
    if prefix is None:
        if getattr(user, "role", None) != "supporter" or not getattr(user, "is_active", False):
            return []
        # A supporter reaches no area: only items addressed to them, in their sign-up county.
        from bangfu.network.models import Supporter

        county_ids = Supporter.objects.filter(user=user).values("county_id")
        counties = Area.objects.filter(level="county", pk__in=county_ids)
    else:
        counties = Area.objects.filter(level="county", code__startswith=county_code_of(prefix))
    return [item for county in counties for item in items_for_county(county, today) if can_act(user, item)]
