from __future__ import annotations

from django.db.models import Count

from bangfu.areas.models import Area
from bangfu.core.demo import PROVINCIAL_UNIT_VILLAGES
from bangfu.registry import demo as registry_demo
from bangfu.registry.models import HIGHER_VOCATIONAL, SECONDARY_VOCATIONAL, Household, Member


def test_the_demo_matches_the_plans_figures_and_is_idempotent(demo):
    county = Area.objects.get(code="513325000000")
    registry_demo.seed_demo(county)
    villages = list(PROVINCIAL_UNIT_VILLAGES.values())
    assert Household.objects.filter(village__code__in=villages).count() == 119
    assert Member.objects.filter(village__code__in=villages).count() == 487
    assert Household.objects.exclude(village__code__in=villages).count() > 0
    assert Member.objects.filter(schooling__in=SECONDARY_VOCATIONAL).exists()
    assert Member.objects.filter(schooling__in=HIGHER_VOCATIONAL).exists()
    assert (
        Household.objects.filter(exited=True).exists() and Household.objects.filter(monitored=True).exists()
    )
    assert Member.objects.filter(active=False).count() == 1
    before = (Household.objects.count(), Member.objects.count())
    registry_demo.seed_demo(county)
    assert (Household.objects.count(), Member.objects.count()) == before
    # Every household has exactly one head.
    heads = Member.objects.filter(relation="户主").values("household").annotate(n=Count("id"))
    assert {row["n"] for row in heads} == {1}


def test_the_indicators_count_the_register(demo):
    from datetime import date
    from decimal import Decimal

    from bangfu.lib.indicators import IndicatorQuery, get_indicator

    county = Area.objects.get(code="513325000000")
    registry_demo.seed_demo(county)
    query = IndicatorQuery(county=county, start=date(2020, 6, 1), end=date(2020, 7, 1))
    assert get_indicator("registry.households").value(query) == Household.objects.count()
    assert get_indicator("registry.people").value(query) == Member.objects.filter(active=True).count()
    assert get_indicator("registry.vocational_students").value(query) == Decimal(
        Member.objects.filter(active=True, schooling__in=SECONDARY_VOCATIONAL + HIGHER_VOCATIONAL).count()
    )
    assert get_indicator("registry.exited_households").value(query) > 0
    assert get_indicator("registry.monitored_households").value(query) > 0
