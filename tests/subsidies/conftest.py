from __future__ import annotations

import pytest

from bangfu.areas.models import Area

COUNTY = "513325000000"


@pytest.fixture
def county(demo) -> Area:
    return Area.objects.get(code=COUNTY)
