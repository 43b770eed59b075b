"""What a user does in a real browser, one journey per test, each ending on what the user sees and
on the database afterwards (issue #10, part 1). Fixtures and rules: `conftest.py`."""

from __future__ import annotations

import pytest
from django.utils import timezone

from bangfu.accounts.models import User
from bangfu.core.demo import seed_demo
from tests.browser.conftest import log_in


@pytest.fixture
def base() -> None:
    """The demo county's areas, organisations and one user per role."""
    seed_demo(full=False)


def test_a_county_admin_logs_in_through_the_form(base, page, finish) -> None:
    before = timezone.now()
    page.goto("/")
    assert "/accounts/login/" in page.url  # anonymous visitors are sent to the login form
    log_in(page, "admin")
    expect_heading = page.get_by_role("heading", level=1)
    assert "工作概况" in expect_heading.inner_text()
    assert "县扶贫开发局管理员" in page.locator(".who").inner_text()
    finish(page, "01-login")
    admin = User.objects.get(username="admin")
    assert admin.last_login is not None and admin.last_login >= before
