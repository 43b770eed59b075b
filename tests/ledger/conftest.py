from __future__ import annotations

import pytest

from bangfu.areas.models import Area
from bangfu.ledger.models import Account, AccountKind
from bangfu.ledger.services import open_account

COUNTY_CODE = "513325000000"


@pytest.fixture
def county(demo) -> Area:
    return Area.objects.get(code=COUNTY_CODE)


@pytest.fixture
def account(county, county_admin) -> Account:
    return open_account(
        actor=county_admin,
        county=county,
        kind=AccountKind.PROJECT_FUND,
        reference="project:TEST-1",
        name="测试项目资金",
    )
