"""The journeys' watch catches what it must: a CSP violation and a 5xx response."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.conftest import Problems


def test_a_csp_violation_and_a_server_error_are_problems(page: Page, problems: Problems) -> None:
    page.goto("/accounts/login/")
    assert problems == []
    with page.expect_console_message(lambda message: message.type == "error"):
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.injected = 1'; document.head.appendChild(s); }"
        )
    assert page.evaluate("() => window.injected") is None  # the policy blocked the inline script
    assert "Content Security Policy" in problems[0]

    page.route("**/broken/", lambda route: route.fulfill(status=500, body="boom"))
    page.goto("/broken/")
    assert any(p.startswith("500 from GET") for p in problems)
    problems.clear()  # seen and checked here; the page fixture fails on anything left over
