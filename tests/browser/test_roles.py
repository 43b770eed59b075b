"""Every role's daily work at a desk (1280 px) and on a phone (390 px with touch), issue #17.

One test walks the full demo county (seeded once) as each demo role at both widths: every menu item
is reached by tapping through the menus, no page the crawl reaches is wider than the screen, no
page shows an internal key or enum code, a disbursement button is shown only when the role's POST
would succeed, and on the phone log-out takes one tap. The main tasks follow, each with one bad
input marked at its field. Screenshots of each role's home page and main pages go to
var/screenshots/<vendor>/roles/."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bangfu.accounts.models import User
from bangfu.core.demo import demo_password, seed_demo
from bangfu.projects.models import Disbursement
from bangfu.projects.services import can_approve_disbursement, can_reject_disbursement
from tests.browser.conftest import SCREENSHOTS, TIMEOUT_MS, Problems

DEMO_TODAY = date(2020, 7, 15)
ROLES = ("admin", "township", "village", "unit", "inspector", "supporter")
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
DESK = {"viewport": {"width": 1280, "height": 900}}
# An internal key shown as text: a dotted action code or a snake_case enum value.
INTERNAL = re.compile(r"\b[a-z]+\.[a-z]+_[a-z_]+\b|\b[a-z]+_[a-z]+(?:_[a-z]+)*\b")
CHROME = "main h1, main h2, main h3, main th, main label, main button, main legend, .topbar, .foot"
HALF_WIDTH = re.compile(r"(?<=[\u4e00-\u9fff])[:,;()](?=[\u4e00-\u9fff])")
# What this checks (menus, widths, texts, buttons) does not depend on the database engine, and it is
# one of the slowest files: CI runs it on SQLite only.
pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="role journeys do not depend on the database engine: SQLite only"
)


def _context(browser: Browser, base_url: str, size: dict, problems: Problems) -> BrowserContext:
    context = browser.new_context(base_url=base_url, locale="zh-CN", **size)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def _log_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(demo_password())
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _press(page: Page, locator, phone: bool) -> None:
    if phone:
        locator.tap()
    else:
        locator.click()


def _menu_items(page: Page) -> list[tuple[int | None, str, str]]:
    """(group index or None, label, href) of every menu item, in order."""
    return page.evaluate(
        """() => { const out = []; const nav = document.querySelector('.mainnav');
        const item = (group, a) => out.push([group, a.textContent.trim(), a.getAttribute('href')]);
        [...nav.children].forEach((child, i) => {
          if (child.matches('a')) item(null, child);
          else child.querySelectorAll('.navmenu a').forEach(a => item(i, a));
        }); return out; }"""
    )


def _reach_by_tapping(page: Page, group: int | None, href: str, phone: bool) -> None:
    if phone:
        _press(page, page.locator(".navtoggle"), phone)
    nav = page.locator(".mainnav")
    if group is not None:
        head = nav.locator(f":scope > :nth-child({group + 1}) > .navhead")
        _press(page, head, phone)
        link = nav.locator(f":scope > :nth-child({group + 1}) .navmenu a[href='{href}']")
    else:
        link = nav.locator(f":scope > a[href='{href}']")
    expect(link).to_be_visible()
    with page.expect_navigation():
        _press(page, link, phone)
    page.wait_for_load_state("load")


def _check_page(page: Page, where: str, width: int, user: User, found: list[str]) -> None:
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    if scroll > inner or scroll > width:
        found.append(f"{where}: {scroll} px wide on a {width} px screen")
    # The words the site itself puts on the page (headings, column heads, labels, buttons, menus,
    # footer); data cells show records as they were entered (e.g. the loaded plan's own text).
    text = "\n".join(page.locator(CHROME).all_inner_texts())
    for match in INTERNAL.findall(text):
        found.append(f"{where}: internal key {match!r}")
    for match in HALF_WIDTH.finditer(text):
        found.append(f"{where}: half-width {text[max(0, match.start() - 6) : match.end() + 6]!r}")
    for form in page.locator("main form[action*='/projects/disbursements/']").all():
        action = form.get_attribute("action") or ""
        hit = re.search(r"/projects/disbursements/(\d+)/(approve|reject)/", action)
        if hit:
            d = Disbursement.objects.select_related("project").get(pk=int(hit.group(1)))
            allowed = (can_approve_disbursement if hit.group(2) == "approve" else can_reject_disbursement)(
                user, d
            )
            if not allowed:
                found.append(f"{where}: {hit.group(2)} button the POST would refuse")


@pytest.fixture
def full_demo(settings) -> None:
    settings.BANGFU_TODAY = DEMO_TODAY
    seed_demo(full=True)


def test_every_role_at_a_desk_and_on_a_phone(full_demo, browser: Browser, live_server, problems) -> None:
    found: list[str] = []
    folder = SCREENSHOTS / connection.vendor / "roles"
    folder.mkdir(parents=True, exist_ok=True)
    for username in ROLES:
        user = User.objects.get(username=username)
        for size in (DESK, PHONE):
            phone = size is PHONE
            width = size["viewport"]["width"]
            context = _context(browser, live_server.url, size, problems)
            page = context.new_page()
            problems.watch(page)
            _log_in(page, username)
            home = page.url
            page.screenshot(path=str(folder / f"{username}-{width}-home.png"), full_page=True)
            _check_page(page, f"{username}@{width} home", width, user, found)
            for index, (group, label, href) in enumerate(_menu_items(page)):
                page.goto(home)
                _reach_by_tapping(page, group, href, phone)
                _check_page(page, f"{username}@{width} {label} {href}", width, user, found)
                if index < 5:
                    name = href.strip("/").replace("/", "-") or "home"
                    page.screenshot(path=str(folder / f"{username}-{width}-{name}.png"), full_page=True)
            if phone:  # log out in one tap, from any page
                page.goto(home)
                page.locator(".quick-logout button").tap()
                page.wait_for_url(lambda url: "/accounts/login/" in url)
            context.close()
    (folder / "findings.txt").write_text("\n".join(found), encoding="utf-8")
    assert not found, "\n".join(found[:40])
    assert not problems, "\n".join(problems)


@pytest.fixture
def base(settings):
    from bangfu.areas.models import Area
    from bangfu.core.demo import COUNTY_CODE

    settings.BANGFU_TODAY = DEMO_TODAY
    seed_demo(full=False)
    return Area.objects.get(code=COUNTY_CODE)


def test_a_work_team_visit_is_recorded_on_a_phone_with_the_village_picked_by_name(
    base, browser: Browser, live_server, problems
) -> None:
    from bangfu.partners import demo as partners_demo
    from bangfu.partners.models import Visit

    partners_demo.seed_demo(base)
    before = Visit.objects.count()
    context = _context(browser, live_server.url, PHONE, problems)
    page = context.new_page()
    problems.watch(page)
    _log_in(page, "unit")
    page.goto("/partners/visits/new/")
    page.get_by_label("行政村").fill("没有这个村")
    page.get_by_label("走访日期").fill("2020-07-10")
    page.get_by_label("走访目的").fill("入户走访")
    page.get_by_label("其他成员（每行一人）").fill("甲\n乙")
    page.get_by_role("button", name="保存").tap()
    expect(page.locator("label.invalid .field-error")).to_contain_text("找不到行政村“没有这个村”")
    expect(page.locator(".error-summary")).to_be_visible()
    assert Visit.objects.count() == before  # the refusal changed nothing
    page.get_by_label("行政村").fill("然布村")
    page.get_by_role("button", name="保存").tap()
    page.wait_for_url(lambda url: url.endswith("/partners/visits/"))
    assert Visit.objects.count() == before + 1
    assert Visit.objects.latest("pk").village.name == "然布村"
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    context.close()
    assert not problems, "\n".join(problems)


def test_an_inspector_reads_the_audit_log_on_a_phone(base, browser: Browser, live_server, problems) -> None:
    from bangfu.projects import demo as projects_demo

    projects_demo.seed_demo(base)
    context = _context(browser, live_server.url, PHONE, problems)
    page = context.new_page()
    problems.watch(page)
    _log_in(page, "inspector")
    page.locator(".navtoggle").tap()
    page.locator(".mainnav a", has_text="审计日志").tap()  # the inspector's only 系统管理 item
    page.wait_for_url(lambda url: "/audit/" in url)
    expect(page.get_by_role("heading", level=1)).to_have_text("审计日志")
    page.get_by_label("自").fill("2020-07-01")  # a bad input: the range ends before it starts
    page.get_by_label("至").fill("2020-06-01")
    page.get_by_role("button", name="筛选").tap()
    expect(page.locator("label.invalid .field-error")).to_contain_text("结束日期早于开始日期")
    page.get_by_label("自").fill("")
    page.get_by_label("至").fill("2000-01-01")  # a date range with nothing in it
    page.get_by_role("button", name="筛选").tap()
    expect(page.locator("main")).to_contain_text("没有记录。")
    page.get_by_label("至").fill("")
    page.locator("select[name=action]").select_option(label="新建帮扶项目")
    page.get_by_role("button", name="筛选").tap()
    expect(page.locator("table.audit tbody tr").first).to_contain_text("新建帮扶项目")
    assert "projects.create_project" not in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    context.close()
    assert not problems, "\n".join(problems)
