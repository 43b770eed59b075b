from __future__ import annotations

from datetime import date

import pytest

from bangfu.accounts.models import User
from bangfu.areas.models import Area
from bangfu.lib import idnumbers
from bangfu.partners.models import Cadre, Organisation
from bangfu.registry.models import Household
from bangfu.registry.sample import VillageSpec, generate_rows, write_csv
from bangfu.registry.services import import_registry

RANBU = VillageSpec("格桑县", "雪岭镇", "然布村", "513325100202")
ZHUOGA = VillageSpec("格桑县", "扎西乡", "卓嘎村", "513325200201")
COUNTY = "513325000000"


def valid_id(first17: str) -> str:
    return first17 + idnumbers.check_character(first17)


@pytest.fixture(autouse=True)
def office_day(settings, tmp_path):
    settings.BANGFU_TODAY = date(2020, 7, 15)
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def registry(demo):
    """Six households in 然布村 (雪岭镇) and six in 卓嘎村 (扎西乡), imported like the real thing."""
    rows = generate_rows([RANBU, ZHUOGA], households=12, seed=7)
    import_registry(actor=None, path="t.csv", data=write_csv(rows), as_of=date(2020, 3, 1))
    return rows


@pytest.fixture
def ranbu_household(registry) -> Household:
    return Household.objects.filter(village__code=RANBU.code).order_by("number").first()


@pytest.fixture
def county(demo) -> Area:
    return Area.objects.get(code=COUNTY)


@pytest.fixture
def ranbu(demo) -> Area:
    return Area.objects.get(code=RANBU.code)


@pytest.fixture
def cadre(county) -> Cadre:
    org = Organisation.objects.filter(county=county).order_by("code").first()
    return Cadre.objects.create(
        county=county, organisation=org, name="王帮扶", job_grade="ungraded", phone="13900000001"
    )


@pytest.fixture
def admin(demo) -> User:
    return User.objects.get(username="admin")


@pytest.fixture
def village_officer(demo) -> User:
    return User.objects.get(username="village")


@pytest.fixture
def township(demo) -> User:
    return User.objects.get(username="township")
