from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bangfu.lib.indicators import IndicatorQuery, all_indicators, get_indicator
from bangfu.partners.models import EastWestLevel, HelpMode, PairingFigures, PairingKind
from bangfu.partners.selectors import figures_by_partner, figures_totals
from bangfu.partners.services import create_pairing, record_pairing_figures, record_visit

from .conftest import RANBU


@pytest.fixture
def east_west(county, org, area):
    return create_pairing(
        actor=None,
        county=county,
        kind=PairingKind.EAST_WEST,
        helper_organisation=org("E01"),
        target_area=county,
        east_west_level=EastWestLevel.COUNTY,
        start_date=date(2019, 1, 1),
    )


@pytest.fixture
def enterprise(county, org, area):
    return create_pairing(
        actor=None,
        county=county,
        kind=PairingKind.ENTERPRISE,
        helper_organisation=org("Q01"),
        target_area=area(RANBU),
        help_modes=[HelpMode.INDUSTRY],
        start_date=date(2019, 1, 1),
    )


def test_monthly_figures_roll_up_per_partner_and_year(county, east_west, enterprise):
    record_pairing_figures(
        actor=None, pairing=east_west, month=date(2020, 5, 1), funds_direct="1000000.50", people_trained=30
    )
    record_pairing_figures(
        actor=None, pairing=east_west, month=date(2020, 6, 1), funds_direct="500000", labour_transferred=12
    )
    record_pairing_figures(actor=None, pairing=enterprise, month=date(2020, 6, 1), investment="2000000")
    # A correction replaces the month's row, it does not add to it.
    record_pairing_figures(
        actor=None, pairing=east_west, month=date(2020, 6, 15), funds_direct="600000", labour_transferred=12
    )
    assert PairingFigures.objects.count() == 3
    totals = figures_totals(county, date(2020, 1, 1), date(2021, 1, 1), kinds=[PairingKind.EAST_WEST])
    assert totals["funds"] == Decimal("1600000.50")
    assert totals["people_trained"] == 30 and totals["labour_transferred"] == 12
    rows = {(r.organisation.code, r.kind): r for r in figures_by_partner(county, 2020)}
    assert rows[("E01", "east_west")].totals["funds"] == Decimal("1600000.50")
    assert rows[("Q01", "enterprise")].totals["investment"] == Decimal("2000000.00")


def test_figures_refuse_bad_input_and_change_nothing(county, east_west, org, area):
    with pytest.raises(ValidationError) as exc:
        record_pairing_figures(
            actor=None, pairing=east_west, month=date(2020, 5, 1), funds_direct="-1", people_trained="x"
        )
    assert {"funds_direct", "people_trained"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError):
        record_pairing_figures(actor=None, pairing=east_west, month=date(2020, 8, 1), funds_direct="1")
    assert not PairingFigures.objects.exists()


def test_named_indicators_compute_from_the_same_rows(county, east_west, enterprise, org, area):
    names = all_indicators()
    assert {"partners.work_team_visits", "partners.east_west_funds", "partners.enterprise_investment"} <= set(
        names
    )
    record_pairing_figures(actor=None, pairing=east_west, month=date(2020, 6, 1), funds_direct="500000")
    record_pairing_figures(actor=None, pairing=enterprise, month=date(2020, 6, 1), investment="70000")
    create_pairing(
        actor=None,
        county=county,
        kind=PairingKind.DESIGNATED,
        helper_organisation=org("P01"),
        target_area=area(RANBU),
        start_date=date(2020, 1, 1),
    )
    record_visit(
        actor=None,
        organisation=org("P01"),
        village=area(RANBU),
        date=date(2020, 6, 30),
        purpose="x",
        guests=["甲", "乙"],
    )
    june = IndicatorQuery(county=county, start=date(2020, 6, 1), end=date(2020, 7, 1))
    may = IndicatorQuery(county=county, start=date(2020, 5, 1), end=date(2020, 6, 1))
    assert get_indicator("partners.east_west_funds").value(june) == Decimal("500000")
    assert get_indicator("partners.east_west_funds").value(may) == 0
    assert get_indicator("partners.enterprise_investment").value(june) == Decimal("70000")
    assert get_indicator("partners.work_team_visits").value(june) == 1
    assert get_indicator("partners.villages_without_designated_helper").value(june) == 13
    only_e01 = IndicatorQuery(county=county, start=june.start, end=june.end, organisation=org("E01"))
    assert get_indicator("partners.enterprise_investment").value(only_e01) == 0
    assert str(names["partners.east_west_funds"].label) == "东西部协作·帮扶资金"
