"""The full demo county, seeded once for this package (tests/security's fixture), plus one
neighbouring county with a user of every staff role: the out-of-scope actors."""

from __future__ import annotations

import pytest

from tests.security.conftest import full_demo

__all__ = ["full_demo"]


@pytest.fixture
def anything() -> None:
    return None
