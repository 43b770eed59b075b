"""Browser journeys: Playwright for Python driving Debian's Chromium (`/usr/bin/chromium`, never a
downloaded browser) against pytest-django's live server.

- Skipped, with the reason, when /usr/bin/chromium is absent (`.ci/run` installs it).
- One Chromium for the package, a fresh context per user; every page fails its journey on a
  console error (CSP violations included), an uncaught script error or a 5xx response.
- The live server logs every request like `runserver` does (`django.server`), and the whole
  package runs under the production LOGGING at DEBUG (`tests.logcapture`): after each journey the
  captured lines must hold no ID, mobile or bank number from the database (issue #10, part 8).
- `finish(page, name)` saves `var/screenshots/<database vendor>/<name>.png` (git-ignored).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIRequestHandler
from django.db import connection
from django.test.testcases import LiveServerThread
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, sync_playwright
from pytest_django.live_server_helper import LiveServer

from bangfu.core.demo import demo_password
from tests.logcapture import captured_logs, leaks, personal_values

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
TIMEOUT_MS = 15_000


class AccessLoggingLiveServerThread(LiveServerThread):
    """Django's live server thread with runserver's request handler, which logs every request
    line (with its query string) to `django.server` — the access log the no-personal-data check
    must see. The stock thread uses a handler that logs nothing."""

    def _create_server(self, connections_override=None):  # type: ignore[no-untyped-def]
        return self.server_class(
            (self.host, self.port),
            WSGIRequestHandler,
            allow_reuse_address=False,
            connections_override=connections_override,
        )


@pytest.fixture(scope="package")
def live_server(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """pytest-django's live server (same address rules), with access logging on."""
    addr = (
        request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    )
    server = LiveServer(addr, start=False)
    server.thread.__class__ = AccessLoggingLiveServerThread
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def debug_logs() -> Iterator[object]:
    with captured_logs("DEBUG") as stream:
        yield stream


@pytest.fixture(scope="package")
def browser(debug_logs) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package to run the browser journeys")
    # Playwright's sync API keeps its event loop registered as running on this thread, which
    # Django's async-safety guard mistakes for async code calling the ORM. The test thread only
    # ever makes plain synchronous ORM calls, so the guard is lifted for this package only.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()


@pytest.fixture(autouse=True)
def no_personal_data_in_logs(request: pytest.FixtureRequest, debug_logs, browser) -> Iterator[None]:
    """Fail the journey when any log line written during it carries personal data."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")  # set up first, so flushed after this check
    start = debug_logs.tell()
    yield
    written = debug_logs.getvalue()[start:]
    assert "django.server" in written, "the live server's access log was not captured"
    found = leaks(written, personal_values())
    assert not found, f"personal data in the log: {sorted(found)[:5]}"


class Problems(list[str]):
    """Console errors, page errors and 5xx responses seen by the pages of one journey."""

    def watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.append(f"page error: {error}"))
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.append(f"console error on {message.page.url if message.page else '?'}: {message.text}")

    def _response(self, response: Response) -> None:
        if response.status >= 500:
            self.append(f"{response.status} from {response.request.method} {response.url}")


@pytest.fixture
def problems() -> Problems:
    return Problems()


@pytest.fixture
def new_page(browser: Browser, live_server: LiveServer, problems: Problems) -> Iterator[Callable[[], Page]]:
    """A page in a fresh browser context (its own cookies: one per user)."""
    contexts = []

    def make() -> Page:
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    return new_page()


@pytest.fixture
def finish(problems: Problems) -> Callable[[Page, str], None]:
    """Save the journey's final screenshot and fail on any problem seen so far."""

    def shoot(page: Page, name: str) -> None:
        folder = SCREENSHOTS / connection.vendor
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        assert not problems, "\n".join(problems)

    return shoot


def log_in(page: Page, username: str, password: str | None = None) -> None:
    """Through the login form, as a person would."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password or demo_password())
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
