"""Fixed personas on the demo county, as healthchecks does: no factories."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.db import transaction
from django.test import Client

from bangfu.accounts.models import Role, User
from bangfu.accounts.services import create_user
from bangfu.areas.models import Area
from bangfu.core.demo import seed_demo
from bangfu.partners.models import Organisation

PASSWORD = "correct-horse-battery"
# 雪岭镇 (the demo township user's) and 扎西乡 (another township).
OWN_TOWNSHIP = "513325100000"
OTHER_TOWNSHIP = "513325200000"
OTHER_VILLAGE = "513325200200"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty per-process cache: results cached under a stamp
    (bangfu.lib.stampcache) must not outlive the test database they were computed from, whose
    rolled-back ids the next test reuses."""
    from django.core.cache import cache

    cache.clear()
    yield


FULL_DEMO_TODAY = date(2020, 7, 15)


@pytest.fixture(scope="module")
def module_full_demo(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The whole demo (every app's data) once for a test module, on the demo's office date,
    rolled back at the module's end. Not for `tests/security/`, whose package fixture `full_demo`
    stays loaded for the whole package."""
    from django.conf import settings

    before = getattr(settings, "BANGFU_TODAY", None)
    settings.BANGFU_TODAY = FULL_DEMO_TODAY
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo(full=True)
        yield
        transaction.set_rollback(True)
    settings.BANGFU_TODAY = before


@pytest.fixture
def full_demo_today(settings, module_full_demo, db) -> date:
    """A test on the module's full demo, with the office clock on the demo's date."""
    settings.BANGFU_TODAY = FULL_DEMO_TODAY
    return FULL_DEMO_TODAY


@pytest.fixture
def demo(db) -> None:
    """The demo county's base: areas, organisations, one user per role (no app data)."""
    seed_demo(full=False)


def _persona(username: str, role: str, area_code: str, org_code: str | None = None) -> User:
    return create_user(
        actor=None,
        username=username,
        password=PASSWORD,
        role=role,
        area=Area.objects.get(code=area_code),
        organisation=Organisation.objects.get(code=org_code) if org_code else None,
    )


@pytest.fixture
def county_admin(demo) -> User:
    return User.objects.get(username="admin")


@pytest.fixture
def township_clerk(demo) -> User:
    return _persona("clerk-xueling", Role.TOWNSHIP_CLERK, OWN_TOWNSHIP)


@pytest.fixture
def other_township_clerk(demo) -> User:
    return _persona("clerk-zhaxi", Role.TOWNSHIP_CLERK, OTHER_TOWNSHIP)


@pytest.fixture
def unit_reporter(demo) -> User:
    return _persona("reporter", Role.UNIT_REPORTER, "513325000000", "P02")


@pytest.fixture
def client_for():
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
