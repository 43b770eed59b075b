"""Named computed indicators: the one place where apps publish figures for the work plan.

Each app declares its figures in its own `indicators.py` with the `@indicator` decorator; the work
plan (monthly ledger, bulletin, assessment, dashboard) looks them up by name, so nobody types a
number twice. Names are `<app>.<figure>`, e.g. `partners.work_team_visits`.

A compute function receives an `IndicatorQuery` and returns a Decimal (counts as whole numbers).
It must be set-based (one or a few aggregate queries), scoped to `query.county`, and, when
`query.organisation` is given, to what that organisation did or received.

Every figure is a STOCK or a FLOW (`kind=`):
- STOCK (期末数): how many there are at the end of the period (households helped, pairings
  running). It is computed as of `query.end - 1 day`, never summed over months, and shown as
  "截至X月底".
- FLOW: what happened within [start, end) (visits made, money paid). Shown as 本月 / 全年累计.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bangfu.areas.models import Area
    from bangfu.partners.models import Organisation


STOCK = "stock"  # 期末数: the state at the period's end
FLOW = "flow"  # what happened within the period: 本月 / 全年累计
KINDS = (STOCK, FLOW)


@dataclass(frozen=True)
class IndicatorQuery:
    county: Area
    start: date  # inclusive
    end: date  # exclusive: a month is [1 June, 1 July)
    organisation: Organisation | None = None


@dataclass(frozen=True)
class Indicator:
    name: str
    label: Any  # lazy translated string
    unit: str  # e.g. "户", "人次", "元", "个"
    compute: Callable[[IndicatorQuery], Decimal]
    # URL name (optional) of a page listing the records behind the figure; it receives the
    # query as GET parameters county, start, end, organisation.
    source_url_name: str = ""
    kind: str = FLOW

    def value(self, query: IndicatorQuery) -> Decimal:
        return Decimal(self.compute(query))


_REGISTRY: dict[str, Indicator] = {}


def indicator(
    name: str, *, label: Any, unit: str, source_url_name: str = "", kind: str = FLOW
) -> Callable[[Callable[[IndicatorQuery], Decimal]], Callable[[IndicatorQuery], Decimal]]:
    """Register a compute function under `name`; `kind` is STOCK or FLOW (module docstring)."""
    if kind not in KINDS:
        raise ValueError(f"indicator {name!r}: kind must be one of {KINDS}")

    def register(func: Callable[[IndicatorQuery], Decimal]) -> Callable[[IndicatorQuery], Decimal]:
        existing = _REGISTRY.get(name)
        if existing is not None and existing.compute is not func:
            raise ValueError(f"indicator {name!r} is registered twice")
        _REGISTRY[name] = Indicator(name, label, unit, func, source_url_name, kind)
        return func

    return register


# --- owners: which units an indicator is scored for ------------------------------------------------
@dataclass(frozen=True)
class OwnerSelector:
    """Names the units that own a figure in the assessment (考核对象), e.g. the units holding a
    designated pairing own the work-team visits. `select(county, start, end)` returns their
    organisation ids over [start, end), in one or a few queries."""

    name: str
    label: Any
    select: Callable[[Area, date, date], set[int]]


_OWNERS: dict[str, OwnerSelector] = {}


def owner_selector(
    name: str, *, label: Any
) -> Callable[[Callable[[Area, date, date], set[int]]], Callable[[Area, date, date], set[int]]]:
    """Register an owner selector under `name` (`<app>.<owners>`), in the app's `owners.py`;
    a plan file names it on an indicator as `owners: <app>.<owners>`."""

    def register(func: Callable[[Area, date, date], set[int]]) -> Callable[[Area, date, date], set[int]]:
        existing = _OWNERS.get(name)
        if existing is not None and existing.select is not func:
            raise ValueError(f"owner selector {name!r} is registered twice")
        _OWNERS[name] = OwnerSelector(name, label, func)
        return func

    return register


def all_owner_selectors() -> dict[str, OwnerSelector]:
    _load()
    return dict(sorted(_OWNERS.items()))


def _load() -> None:
    from bangfu.modules import provided

    provided("indicators")  # importing each app's indicators.py registers its figures
    provided("owners")  # and each app's owners.py its owner selectors


def all_indicators() -> dict[str, Indicator]:
    _load()
    return dict(sorted(_REGISTRY.items()))


def get_indicator(name: str) -> Indicator:
    _load()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown indicator {name!r}; known: {', '.join(sorted(_REGISTRY))}") from None
