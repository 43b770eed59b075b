from __future__ import annotations

import pytest

from bangfu.accounts.models import Role, User
from bangfu.accounts.services import create_user
from bangfu.areas.models import Area
from bangfu.core.demo import COUNTY_CODE
from bangfu.partners.models import Organisation
from bangfu.workplan.models import Plan
from bangfu.workplan.planfile import SHIPPED_2020
from bangfu.workplan.services import load_plan
from tests.conftest import PASSWORD


@pytest.fixture
def county(demo) -> Area:
    return Area.objects.get(code=COUNTY_CODE)


@pytest.fixture
def plan(county) -> Plan:
    return load_plan(actor=None, county=county, data=SHIPPED_2020.read_bytes()).plan


@pytest.fixture
def finance_reporter(demo) -> User:
    """The demo's county finance bureau (县财政局) as a unit reporter."""
    return create_user(
        actor=None,
        username="finance",
        password=PASSWORD,
        role=Role.UNIT_REPORTER,
        area=Area.objects.get(code=COUNTY_CODE),
        organisation=Organisation.objects.get(name="县财政局"),
    )


@pytest.fixture
def lead_reporter(demo) -> User:
    """The demo's county poverty-alleviation bureau (县扶贫开发局), lead unit (牵头单位) of 3.5.2–3.5.5,
    as a unit reporter: it gathers its responsible units' reports before the office accepts."""
    return create_user(
        actor=None,
        username="fupin-lead",
        password=PASSWORD,
        role=Role.UNIT_REPORTER,
        area=Area.objects.get(code=COUNTY_CODE),
        organisation=Organisation.objects.get(name="县扶贫开发局"),
    )
