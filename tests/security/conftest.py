"""The full demo county (every app's data), seeded once for this package and rolled back after it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction

from bangfu.core.demo import seed_demo


@pytest.fixture(scope="package")
def full_demo(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo(full=True)
        yield
        transaction.set_rollback(True)
