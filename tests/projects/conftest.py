from __future__ import annotations

from decimal import Decimal

import pytest

from bangfu.accounts.models import Role, User
from bangfu.accounts.services import create_user
from bangfu.areas.models import Area
from bangfu.partners.models import Organisation
from bangfu.projects.models import Category, FundSource, Project, ProjectKind, ProjectStatus
from bangfu.projects.services import change_project_status, create_project, record_allocation

COUNTY_CODE = "513325000000"
VILLAGE = "513325100202"  # 然布村, in 雪岭镇 (the township clerk's township)
PASSWORD = "correct-horse-battery"


def make_user(username: str, role: str, area_code: str, org_code: str | None = None) -> User:
    return create_user(
        actor=None,
        username=username,
        password=PASSWORD,
        role=role,
        area=Area.objects.get(code=area_code),
        organisation=Organisation.objects.get(code=org_code) if org_code else None,
    )


@pytest.fixture
def county(demo) -> Area:
    return Area.objects.get(code=COUNTY_CODE)


@pytest.fixture
def funder_reporter(demo) -> User:
    """A unit reporter of 佛山市顺德区 (E01), the east–west partner: the funding side."""
    return make_user("shunde", Role.UNIT_REPORTER, COUNTY_CODE, "E01")


@pytest.fixture
def second_funder_reporter(demo) -> User:
    return make_user("shunde2", Role.UNIT_REPORTER, COUNTY_CODE, "E01")


@pytest.fixture
def counterpart_reporter(demo) -> User:
    """A unit reporter of 成都市锦江区 (K01), not a funder of the east–west project."""
    return make_user("jinjiang", Role.UNIT_REPORTER, COUNTY_CODE, "K01")


def new_project(
    actor: User, county: Area, code: str = "DX-2020-001", area_code: str = VILLAGE, **extra
) -> Project:
    params = {
        "title": "然布村牦牛养殖合作社",
        "kind": ProjectKind.EAST_WEST,
        "category": Category.INDUSTRY,
        "year": 2020,
        "funders": [Organisation.objects.get(code="E01")],
        "budget_partner": Decimal("500000.00"),
        "budget_county": Decimal("50000.00"),
        "beneficiary_households": 30,
        "beneficiary_people": 120,
    }
    params.update(extra)
    return create_project(
        actor=actor, county=county, code=code, area=Area.objects.get(code=area_code), **params
    )


@pytest.fixture
def project(county, county_admin) -> Project:
    """An approved east–west project funded by E01 in 然布村 with 1,000 yuan in its fund."""
    p = new_project(county_admin, county)
    change_project_status(actor=county_admin, project=p, to=ProjectStatus.APPROVED)
    record_allocation(
        actor=county_admin,
        project=p,
        amount=Decimal("1000.00"),
        source=FundSource.PARTNER,
        funder=Organisation.objects.get(code="E01"),
    )
    p.refresh_from_db()
    return p
