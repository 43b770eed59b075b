"""The journeys' watch catches what it must: a CSP violation and a 5xx response. The pages are
served by Playwright's router with the application's own Content-Security-Policy header, so no
live server and no database are needed."""

from __future__ import annotations

from django.conf import settings
from playwright.sync_api import Browser, Route

from tests.browser.conftest import Problems

PAGE = "<!doctype html><html><head><title>watch</title></head><body><h1>watch</h1></body></html>"


def serve(route: Route) -> None:
    if route.request.url.endswith("/broken/"):
        route.fulfill(status=500, body="boom")
    else:
        route.fulfill(
            status=200,
            body=PAGE,
            content_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": settings.CONTENT_SECURITY_POLICY},
        )


def test_a_csp_violation_and_a_server_error_are_problems(browser: Browser) -> None:
    problems = Problems()
    context = browser.new_context()
    try:
        page = context.new_page()
        problems.watch(page)
        page.route("http://bangfu.test/**", serve)
        page.goto("http://bangfu.test/")
        assert problems == []
        with page.expect_console_message(lambda message: message.type == "error"):
            page.evaluate(
                "() => { const s = document.createElement('script');"
                " s.textContent = 'window.injected = 1'; document.head.appendChild(s); }"
            )
        assert page.evaluate("() => window.injected") is None  # the policy blocked the inline script
        assert "Content Security Policy" in problems[0]

        page.goto("http://bangfu.test/broken/")
        assert "500 from GET http://bangfu.test/broken/" in problems
    finally:
        context.close()
