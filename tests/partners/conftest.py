"""Fixtures of the partners tests: the demo county's base plus a few cadres and a frozen today."""

from __future__ import annotations

from datetime import date

import pytest

from bangfu.areas.models import Area
from bangfu.partners.models import Cadre, JobGrade, Organisation
from bangfu.partners.services import create_cadre

COUNTY = "513325000000"
RANBU = "513325100202"  # 然布村, P01's village
ELUO = "513325100203"  # 俄洛村, P02's village
ZHUOGA = "513325200201"  # 卓嘎村 in 扎西乡 (the other township)
NOT_POOR = "513325100201"


@pytest.fixture(autouse=True)
def frozen_today(settings) -> date:
    settings.BANGFU_TODAY = date(2020, 7, 15)
    return settings.BANGFU_TODAY


@pytest.fixture
def county(demo) -> Area:
    return Area.objects.get(code=COUNTY)


@pytest.fixture
def org(demo):
    def get(code: str) -> Organisation:
        return Organisation.objects.get(code=code)

    return get


@pytest.fixture
def area():
    def get(code: str) -> Area:
        return Area.objects.get(code=code)

    return get


@pytest.fixture
def cadre(demo, org):
    counter = iter(range(10_000))

    def make(org_code: str = "P01", grade: str = JobGrade.STAFF, name: str = "") -> Cadre:
        n = next(counter)
        return create_cadre(
            actor=None,
            organisation=org(org_code),
            name=name or f"干部{n}",
            phone=f"139{n:08d}",
            job_grade=grade,
        )

    return make


@pytest.fixture
def household(county, area):
    """Registry households for kinship tests (the registry's own import is not under test here)."""
    from bangfu.registry.models import Household

    def make(number: str, village: str = RANBU) -> Household:
        return Household.objects.create(county=county, village=area(village), number=number)

    return make
