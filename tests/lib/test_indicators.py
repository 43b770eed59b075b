from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bangfu.areas.models import Area
from bangfu.lib.indicators import IndicatorQuery, all_indicators, get_indicator, indicator

pytestmark = pytest.mark.django_db


def test_apps_indicators_are_discovered_and_computed(demo) -> None:
    assert "areas.registered_poor_villages" in all_indicators()
    county = Area.objects.get(code="513325000000")
    query = IndicatorQuery(county=county, start=date(2020, 6, 1), end=date(2020, 7, 1))
    assert get_indicator("areas.registered_poor_villages").value(query) == Decimal(14)


def test_an_unknown_name_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match=r"unknown indicator 'nope\.nothing'"):
        get_indicator("nope.nothing")


def test_a_name_cannot_be_registered_twice() -> None:
    @indicator("tests.once", label="once", unit="个")
    def first(query: IndicatorQuery) -> Decimal:
        return Decimal(1)

    with pytest.raises(ValueError, match="registered twice"):

        @indicator("tests.once", label="again", unit="个")
        def second(query: IndicatorQuery) -> Decimal:
            return Decimal(2)
