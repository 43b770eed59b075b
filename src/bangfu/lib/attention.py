"""Open problems that someone must act on: the one list behind home pages, the dashboard, the
reminders and the bulletin's 存在问题.

Each app declares its sources in its own `attention.py` with `@attention_source`; a source is a
set-based function of (county, office date) returning `AttentionItem`s for the whole county.
Readers never call sources directly: `items_for_county` (bulletin, dashboard, reminders) and
`items_for_user` (home page, `GET /api/v1/attention`) do, and the latter keeps only what that user
can act on, in their scope. Names are `<app>.<problem>`, e.g. `subsidies.yulu_unpaid`.

The county's list is cached per process (`bangfu.lib.stampcache`) under one combined stamp: the
county, the office date, the language (titles are built in it) and what each source declares it
reads — `reads=` (models: their newest primary key, all in one statement; an insert moves it) and
`stamp=` (a function of (county, today) returning a tuple of cheap aggregates on indexed columns,
for changes in place that no insert and no audit record shows). The newest audit record id is in
every stamp: every write service writes one (docs/development.md), so a change in place through a
service moves it too. A source that declares neither, or `live=True` (its result depends on the
time of day, e.g. a window counted from `clock.now()`), is not cached: it runs on every call.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils import translation

from bangfu.lib.stampcache import audit_chain_stamp, cached, newest_ids, stamp_key

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
StampFunc = Callable[["Area", date], tuple[Any, ...]]
# Models (or a function returning them, for lists known only once the apps are loaded).
# A function returning None: not cacheable now (e.g. a milestone rule that declares no reads).
Reads = tuple[Any, ...] | Callable[[], Iterable[Any] | None]

# The cached list lives this long at most; any write it shows moves the stamp first.
CACHE_SECONDS = 3600


@dataclass(frozen=True)
class Source:
    name: str
    func: AttentionSource
    reads: Reads = ()
    stamp: StampFunc | None = None
    live: bool = False

    @property
    def cacheable(self) -> bool:
        if self.live:
            return False
        if callable(self.reads) and self.reads() is None:
            return False
        return bool(self.read_models()) or self.stamp is not None

    def read_models(self) -> tuple[Any, ...]:
        return tuple((self.reads() if callable(self.reads) else self.reads) or ())


_REGISTRY: dict[str, Source] = {}
_LOADED: list[bool] = []  # the apps' attention modules imported (once per process)


def attention_source(
    name: str, *, reads: Reads = (), stamp: StampFunc | None = None, live: bool = False
) -> Callable[[AttentionSource], AttentionSource]:
    """Register `func(county, today) -> items` under `name`. `reads`: the models whose rows the
    items are built from (names shown included); `stamp`: extra cheap aggregates that move on a
    change no insert or audited service makes. With neither, or `live=True`, never cached."""

    def register(func: AttentionSource) -> AttentionSource:
        existing = _REGISTRY.get(name)
        if existing is not None and existing.func is not func:
            raise ValueError(f"attention source {name!r} is registered twice")
        _REGISTRY[name] = Source(name, func, reads, stamp, live)
        return func

    return register


def _load() -> None:
    if _LOADED:
        return
    from bangfu.modules import provided

    provided("attention")  # importing each app's attention.py registers its sources
    _LOADED.append(True)


def registered() -> dict[str, Source]:
    _load()
    return dict(sorted(_REGISTRY.items()))


def all_sources() -> dict[str, AttentionSource]:
    return {name: source.func for name, source in registered().items()}


def _sorted(items: Iterable[AttentionItem]) -> list[AttentionItem]:
    return sorted(items, key=lambda i: (Severity.ORDER.get(i.severity, 9), i.since, i.kind, str(i.title)))


def county_stamp(county: Area, today: date, sources: Iterable[Source] | None = None) -> str:
    """The cache key of the county's cacheable items on `today` (`sources`: the cacheable ones, when
    the caller has them): one statement for every source's `reads`, the audit trail's newest record
    and the county's audit chain length, then each distinct `stamp` function once."""
    from bangfu.audit.models import AuditRecord

    chosen = list(sources) if sources is not None else [s for s in registered().values() if s.cacheable]
    models = [AuditRecord]
    for source in chosen:
        models.extend(source.read_models())
    parts: list[Any] = [*newest_ids(*models), *audit_chain_stamp(county.county_code)]
    seen: set[Any] = set()
    for source in chosen:
        if source.stamp is not None and source.stamp not in seen:
            seen.add(source.stamp)
            parts.extend(source.stamp(county, today))
    names = ",".join(s.name for s in chosen)
    digest = hashlib.sha1(stamp_key(names, *parts).encode(), usedforsecurity=False).hexdigest()
    return stamp_key("attention:county", county.pk, today, translation.get_language(), digest)


def items_for_county(county: Area, today: date) -> list[AttentionItem]:
    """Every open problem of the county, most severe and oldest first. The cacheable sources' items
    come from the per-process cache under `county_stamp`; live sources run every time."""
    sources = registered().values()
    cacheable = [s for s in sources if s.cacheable]
    live = [s for s in sources if not s.cacheable]
    key = county_stamp(county, today, cacheable)
    found = list(
        cached(
            key,
            lambda: [item for s in cacheable for item in s.func(county, today)],
            timeout=CACHE_SECONDS,
        )
    )
    for source in live:
        found.extend(source.func(county, today))
    return _sorted(found)


def can_act(user: Any, item: AttentionItem) -> bool:
    """The user holds a role that can act, their area contains the item's, and for unit roles the
    item is their organisation's."""
    from bangfu.accounts.scopes import area_prefix

    return _can_act(user, item, area_prefix(user))


def _can_act(user: Any, item: AttentionItem, prefix: str | None) -> bool:
    if item.user_id is not None:  # addressed to one user (a supporter's own claim)
        return bool(getattr(user, "is_active", False)) and user.pk == item.user_id and user.role in item.roles
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
    return [
        item
        for county in counties
        for item in items_for_county(county, today)
        if _can_act(user, item, prefix)
    ]
