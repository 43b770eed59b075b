"""Milestone rules: a plan milestone's state derived from the records, never ticked by hand.

Each app declares rules in its own `milestones.py` with `@milestone_rule`; the plan file names the
rule of a milestone (`rule: subsidies.yulu_term_paid`). A rule is a set-based function of
(county, milestone, office date) returning `Evidence`: whether the records show the work done,
since when, and what they show (counts, links). `derive_state` turns that and the due date into
done / done late / open / at risk / overdue. A milestone without a rule is completed by hand.

A rule declares the models it reads (`reads=`, or a function returning them): the plan's states
are cached per process under a stamp of those tables' newest ids and the newest audit record
(`workplan.selectors.milestone_states`), so a rule must judge from its records and the office
date alone. A rule that declares no `reads` makes its plan's states computed on every call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bangfu.areas.models import Area

AT_RISK_DAYS = 14  # due within this many days and the evidence says "not yet"


class State:
    DONE = "done"
    DONE_LATE = "done_late"
    OPEN = "open"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Evidence:
    done: bool  # the records show the milestone's work complete
    done_on: date | None  # the office date it became complete, when the records tell
    text: Any  # what the records show, one sentence: "应补57人，已发放55人，未发放2人"
    counts: dict[str, Any] = field(default_factory=dict)  # the figures behind `text`
    links: tuple[tuple[Any, str], ...] = ()  # (label, url) of the records behind it


MilestoneRule = Callable[["Area", Any, date], Evidence]


def counted(*parts: tuple[Any, int], empty: Any = "") -> str:
    """Evidence text from (template with %(n)s, count) parts, leaving zero figures out as county
    documents do: counted((_("应补%(n)s人"), 19), (_("未补%(n)s人"), 0)) == "应补19人"."""
    text = "，".join(str(template) % {"n": n} for template, n in parts if n)
    return text or str(empty)


@dataclass(frozen=True)
class Rule:
    name: str
    label: Any  # what the rule checks, shown beside the evidence
    judge: MilestoneRule
    reads: tuple[Any, ...] | Callable[[], tuple[Any, ...]] = ()  # models (the cache stamp)

    def read_models(self) -> tuple[Any, ...]:
        return tuple(self.reads() if callable(self.reads) else self.reads)


_REGISTRY: dict[str, Rule] = {}


def milestone_rule(
    name: str, *, label: Any, reads: tuple[Any, ...] | Callable[[], tuple[Any, ...]] = ()
) -> Callable[[MilestoneRule], MilestoneRule]:
    """Register `judge(county, milestone, today) -> Evidence` under `name`; `reads`: the models it
    judges from (their newest ids stamp the cached states)."""

    def register(func: MilestoneRule) -> MilestoneRule:
        existing = _REGISTRY.get(name)
        if existing is not None and existing.judge is not func:
            raise ValueError(f"milestone rule {name!r} is registered twice")
        _REGISTRY[name] = Rule(name, label, func, reads)
        return func

    return register


_LOADED: list[bool] = []  # the apps' milestones modules imported (once per process)


def _load() -> None:
    if _LOADED:
        return
    from bangfu.modules import provided

    provided("milestones")  # importing each app's milestones.py registers its rules
    _LOADED.append(True)


def all_rules() -> dict[str, Rule]:
    _load()
    return dict(sorted(_REGISTRY.items()))


def get_rule(name: str) -> Rule:
    _load()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown milestone rule {name!r}") from None


def derive_state(*, due_date: date, today: date, done: bool, done_on: date | None) -> str:
    if done:
        return State.DONE_LATE if done_on is not None and done_on > due_date else State.DONE
    if today > due_date:
        return State.OVERDUE
    if (due_date - today) <= timedelta(days=AT_RISK_DAYS):
        return State.AT_RISK
    return State.OPEN
