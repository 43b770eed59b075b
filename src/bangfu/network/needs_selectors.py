"""Reads about household needs and claims. Until the registry's households exist these answer
empty: needs are built on `registry.Household` (see docs/network.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

from bangfu.areas.models import Area


def claims_of_supporter(user: Any) -> list[Any]:
    return []


def need_stats(county: Area, start: date, end: date) -> Any:
    from bangfu.network.selectors import NeedStats

    return NeedStats(posted=0, matched=0, fulfilled=0, match_rate=None)
