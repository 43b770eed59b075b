from __future__ import annotations

import pytest

from bangfu.areas.models import Area
from bangfu.core.demo import COUNTY_CODE
from bangfu.workplan.models import Plan
from bangfu.workplan.planfile import SHIPPED_2020
from bangfu.workplan.services import load_plan


@pytest.fixture
def county(demo) -> Area:
    return Area.objects.get(code=COUNTY_CODE)


@pytest.fixture
def plan(county) -> Plan:
    return load_plan(actor=None, county=county, data=SHIPPED_2020.read_bytes()).plan
