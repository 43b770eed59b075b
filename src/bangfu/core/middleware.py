"""Request ids for logs and audit rows, the Content-Security-Policy header, the language, NUL refusal."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import translation

_request_id: ContextVar[str] = ContextVar("bangfu_request_id", default="-")
_INCOMING_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def current_request_id() -> str:
    return _request_id.get()


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's address. Behind the reverse proxy (BANGFU_BEHIND_PROXY) every connection
    comes from the proxy, which puts the real address in X-Real-IP, overwriting whatever the
    client sent (deploy/nginx/bangfu.conf); gunicorn listens on loopback only, so nothing else
    can set it. Used by the login lockout (axes) and the public sign-up throttle."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_REAL_IP", "").strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR") or None


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-Id", "")
        request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-Id"] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # The OpenAPI docs page loads its own inline bootstrap; everything else is strict.
        if not request.path.startswith("/api/v1/docs"):
            response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class LanguageMiddleware:
    """Chinese unless the user chose otherwise: the language cookie (set by the language switch)
    decides, the browser's Accept-Language does not — county offices share machines whose browsers
    are set up in all sorts of ways."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class NulCharacterMiddleware:
    """A NUL character in a query string or a form field is refused with 400 before any view sees
    it: no text bangfu keeps or looks up has one, and PostgreSQL fails on it (a 500 from input,
    issue #18). Forms refuse it already; raw filters (`?q=`) and hidden fields did not."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):  # the API validates its own inputs (declared 422s)
            return self.get_response(request)
        fields = [request.GET]
        if request.method == "POST" and request.content_type in FORM_TYPES:
            fields.append(request.POST)  # as CsrfViewMiddleware reads it anyway
        for data in fields:
            if any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists()):
                return HttpResponseBadRequest(
                    translation.gettext("请求中含有不可见的控制字符（NUL），已拒绝。"),
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)
