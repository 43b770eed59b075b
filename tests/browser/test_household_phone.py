"""The household page and each role's home work on a 390 px phone (issue #17): the page titled by
the head's name with every section, never wider than the screen (tables scroll in their own box);
the village officer's and the unit's home pages likewise. Screenshots go to
var/screenshots/<vendor>/household/."""

from __future__ import annotations

from django.db import connection
from playwright.sync_api import Browser

from bangfu.accounts.models import User
from bangfu.partners.models import KinshipVisit
from bangfu.registry.models import Household
from tests.browser.conftest import SCREENSHOTS, Problems
from tests.browser.test_roles import DESK, PHONE, _check_page, _context, _log_in, full_demo  # noqa: F401


def test_the_household_page_and_the_homes_fit_a_phone(
    full_demo,  # noqa: F811
    browser: Browser,
    live_server,
    problems: Problems,
) -> None:
    folder = SCREENSHOTS / connection.vendor / "household"
    folder.mkdir(parents=True, exist_ok=True)
    village = User.objects.get(username="village")
    visited = KinshipVisit.objects.filter(household__village=village.area).select_related("household").first()
    assert visited is not None
    household: Household = visited.household
    head = household.members.get(relation="户主").name
    found: list[str] = []
    for username, paths in (
        ("village", ["/", f"/registry/households/{household.number}/", "/partners/pairings/"]),
        ("admin", [f"/registry/households/{household.number}/"]),
        ("unit", ["/", "/workplan/reports/", "/workplan/assessment/mine/", "/partners/pairings/"]),
    ):
        user = User.objects.get(username=username)
        for size in (PHONE, DESK):
            width = size["viewport"]["width"]
            context = _context(browser, live_server.url, size, problems)
            page = context.new_page()
            problems.watch(page)
            _log_in(page, username)
            for path in paths:
                page.goto(path)
                page.wait_for_load_state("load")
                _check_page(page, f"{username}@{width} {path}", width, user, found)
                name = path.strip("/").replace("/", "-") or "home"
                page.screenshot(path=str(folder / f"{username}-{width}-{name}.png"), full_page=True)
                if path.startswith("/registry/households/"):
                    assert page.locator("main h1").inner_text() == f"{head}户"
            context.close()
    assert not found, "\n".join(found)
    assert not problems, "\n".join(problems)
