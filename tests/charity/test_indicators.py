from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bangfu.areas.models import Area
from bangfu.charity import services
from bangfu.lib.indicators import IndicatorQuery, get_indicator
from tests.charity.conftest import RANBU, give

pytestmark = pytest.mark.django_db


def test_the_indicators_follow_donations_and_approved_spending(county_admin, approvers, campaign) -> None:
    give(county_admin, campaign, amount="1000", donated_on="2020-07-01")
    give(
        county_admin,
        campaign,
        receipt_number="R-2",
        amount="300",
        donated_on="2020-07-02",
        publish_name=False,
    )
    give(
        county_admin,
        campaign,
        receipt_number="R-3",
        amount="200",
        donated_on="2020-07-03",
        publish_name=False,
        kind="goods",
        goods_description="米面",
    )
    voided = give(county_admin, campaign, receipt_number="R-4", amount="50", donated_on="2020-07-03")
    services.void_donation(actor=county_admin, donation=voided, reason="重复")
    give(county_admin, campaign, receipt_number="R-5", amount="999", donated_on="2020-06-30")
    spending = services.request_spending(
        actor=county_admin,
        campaign=campaign,
        earmark="general",
        recipient_kind="village",
        village=Area.objects.get(code=RANBU),
        purpose="路灯",
        amount=Decimal("400"),
    )
    for approver in approvers:
        services.decide_spending(actor=approver, spending=spending, approve=True)
    county = Area.objects.get(code="513325000000")
    july = IndicatorQuery(county=county, start=date(2020, 7, 1), end=date(2020, 8, 1))
    assert get_indicator("charity.donations_raised").value(july) == Decimal("1500.00")
    assert get_indicator("charity.donors").value(july) == Decimal("3")
    everything = IndicatorQuery(county=county, start=date(2000, 1, 1), end=date(2100, 1, 1))
    assert get_indicator("charity.funds_spent").value(everything) == Decimal("400.00")
