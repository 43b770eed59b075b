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


def test_the_household_page_shows_who_helps_the_household(county_admin, client_for) -> None:
    from bangfu.areas.models import Area
    from bangfu.partners import demo as partners_demo
    from bangfu.partners.models import Pairing, PairingKind
    from bangfu.registry import demo as registry_demo

    county = Area.objects.get(code="513325000000")
    registry_demo.seed_demo(county)
    partners_demo.seed_demo(county)
    kinship = Pairing.objects.filter(
        kind=PairingKind.KINSHIP, end_date__isnull=True, target_household__village__code="513325100202"
    ).select_related("target_household__village", "helper_cadre")[0]
    household = kinship.target_household
    designated = Pairing.objects.get(
        kind=PairingKind.DESIGNATED, target_area=household.village, end_date=None
    )
    page = client_for(county_admin).get(f"/registry/households/{household.number}/").content.decode()
    assert kinship.helper_cadre.name in page
    assert designated.helper_organisation.name in page
