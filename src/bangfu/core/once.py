"""Once only: a double click on a money form, or a client retrying an API write, creates one record.

Forms: a money form derives from `OnceForm`, which carries a hidden one-time token; the view runs
its service call through `submit_once(request, form, run)`. The token is claimed (a row of
`core.Submission`, unique per user and token) in the same transaction as the work, so:
- the first POST does the work and remembers where it led;
- a repeat of the same token — even one arriving while the first is still running, which waits
  on the claim — does nothing and goes where the first went, saying so;
- a POST refused by the service (the form shown again with its errors) claims nothing, so the
  corrected form can be sent with the same token.

API: a write (POST, PUT, PATCH, DELETE under /api/) with an `Idempotency-Key` header runs in
one transaction with the claim of that key for that client (`IdempotencyMiddleware`); the
response is stored with the claim, and a repeat gets the stored response back (with
`Idempotent-Replayed: true`) instead of running again. The same key with another request
(method, path or body) is refused with 422. Server errors (5xx) store nothing.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from bangfu.core.models import Submission

TOKEN_FIELD = "submission_token"
KEY_HEADER = "Idempotency-Key"
_KEY_RE = re.compile(r"^[\x21-\x7e]{1,100}$")
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class OnceForm(forms.Form):
    """A form whose every rendering carries a fresh one-time token (a hidden field). The token
    is not part of `cleaned_data`; it is `form.token`."""

    submission_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[TOKEN_FIELD].initial = uuid.uuid4().hex
        self.token = ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.token = str(cleaned.pop(TOKEN_FIELD, "") or "")
        return cleaned


def submit_once(request: HttpRequest, form: OnceForm, run: Callable[[], HttpResponse]) -> HttpResponse:
    """Call `run` (the service call and its redirect, or the form again with errors) at most once
    per token of `form`; see the module docstring."""
    token = form.token
    if not token or not request.user.is_authenticated:
        return run()
    scope = f"form:{request.user.pk}"
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = Submission.objects.create(scope=scope, key=token[:100], fingerprint=request.path[:64])
        except IntegrityError:
            first = Submission.objects.filter(scope=scope, key=token[:100]).first()
            messages.info(request, _("这张表单已经提交过，没有重复登记。"))
            return redirect(first.redirect_to if first and first.redirect_to else request.path)
        response = run()
        if isinstance(response, HttpResponseRedirect):
            claim.redirect_to = response.url[:500]
            claim.save(update_fields=["redirect_to"])
        else:  # refused: nothing was done, the token stays usable
            transaction.set_rollback(True)
        return response


def _client_scope(request: HttpRequest) -> str | None:
    credentials = request.META.get("HTTP_AUTHORIZATION", "")
    if credentials:
        return "api:" + hashlib.sha256(credentials.encode()).hexdigest()[:40]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"api:user:{user.pk}"
    return None


class IdempotencyMiddleware:
    """Honours `Idempotency-Key` on API writes (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(KEY_HEADER)
        if key is None or request.method not in WRITE_METHODS or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not _KEY_RE.match(key):
            return JsonResponse({"detail": _("Idempotency-Key 应为1至100个可见 ASCII 字符。")}, status=422)
        scope = _client_scope(request)
        if scope is None:
            return self.get_response(request)  # the API answers 401
        digest = hashlib.sha256()
        for part in (request.method or "", request.get_full_path(), ""):
            digest.update(part.encode() + b"\0")
        digest.update(request.body)
        fingerprint = digest.hexdigest()
        with transaction.atomic():
            try:
                with transaction.atomic():
                    claim = Submission.objects.create(scope=scope, key=key, fingerprint=fingerprint)
            except IntegrityError:
                return self._replay(scope, key, fingerprint)
            response = self.get_response(request)
            if response.status_code >= 500 or response.streaming:
                transaction.set_rollback(True)
                return response
            claim.status = response.status_code
            claim.content_type = str(response.get("Content-Type", ""))[:100]
            claim.body = bytes(response.content)
            claim.save(update_fields=["status", "content_type", "body"])
            return response

    def _replay(self, scope: str, key: str, fingerprint: str) -> HttpResponse:
        first = Submission.objects.get(scope=scope, key=key)
        if first.fingerprint != fingerprint:
            return JsonResponse({"detail": _("这个 Idempotency-Key 已用于另一个请求。")}, status=422)
        response = HttpResponse(
            bytes(first.body), status=first.status or 200, content_type=first.content_type
        )
        response["Idempotent-Replayed"] = "true"
        return response
