from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bangfu.accounts.models import Role, User
from bangfu.accounts.services import create_user
from bangfu.areas.models import Area
from bangfu.charity import services
from bangfu.charity.models import Campaign
from bangfu.partners.models import Organisation

PASSWORD = "correct-horse-battery"
COUNTY = "513325000000"
RANBU = "513325100202"  # 然布村, 雪岭镇
ELUO = "513325100203"  # 俄洛村, 雪岭镇


def _admin(username: str, org: str) -> User:
    return create_user(
        actor=None,
        username=username,
        password=PASSWORD,
        role=Role.COUNTY_ADMIN,
        area=Area.objects.get(code=COUNTY),
        organisation=Organisation.objects.get(code=org),
    )


@pytest.fixture
def approvers(demo) -> list[User]:
    return [_admin("approver-a", "C22"), _admin("approver-b", "C01")]


@pytest.fixture
def campaign(county_admin) -> Campaign:
    return services.create_campaign(
        actor=county_admin,
        county=Area.objects.get(code=COUNTY),
        year=2020,
        name="2020年扶贫日爱心捐赠活动",
        organiser=Organisation.objects.get(code="C09"),
        starts_on=date(2020, 9, 21),
        ends_on=date(2020, 10, 31),
        target=Decimal("300000.00"),
    )


def donation(**overrides) -> services.DonationInput:
    fields = {
        "receipt_number": "R-0001",
        "donor_kind": "person",
        "donor_name": "欧阳明远",
        "amount": "1000.00",
        "donated_on": "2020-07-01",
        "channel": "bank",
        "publish_name": True,
    }
    fields.update(overrides)
    return services.DonationInput(**fields)


def give(admin: User, campaign: Campaign, **overrides):
    return services.record_donation(actor=admin, campaign=campaign, data=donation(**overrides))
