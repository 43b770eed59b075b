"""Checks across apps: the pieces each app plugs in fit together."""

from __future__ import annotations

import re
from pathlib import Path

from bangfu.lib.indicators import all_indicators

PLAN = Path(__file__).resolve().parents[2] / "plans" / "2020-social-assistance.yaml"


def test_every_computed_indicator_the_shipped_plan_names_is_registered() -> None:
    named = set(re.findall(r"computed:\s*([a-z_]+\.[a-z_0-9.]+)", PLAN.read_text(encoding="utf-8")))
    assert len(named) >= 10
    assert sorted(named - set(all_indicators())) == []
