"""The HTTP API under /api/v1/: each app contributes a router from its own api.py."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.security import APIKeyCookie, HttpBearer

from bangfu.accounts.services import user_for_token
from bangfu.lib.api import errors


class BearerAuth(HttpBearer):
    """`Authorization: Bearer bf_…` tokens made with `bangfu create-token`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's login session (CSRF-checked for unsafe methods)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


api = NinjaAPI(
    title="bangfu API",
    version="1",
    description=(
        "帮扶 bangfu — API. Authenticate with `Authorization: Bearer <token>` (see `bangfu create-token`)."
    ),
    urls_namespace="api",
    auth=[BearerAuth(), SessionAuth()],
)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("未找到。")}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": _("没有权限。")}, status=403)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return api.create_response(request, {"detail": detail}, status=422)


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    area_code: str | None
    organisation_code: str | None


@api.get("/me", response={200: MeOut, **errors(401)}, tags=["accounts"], summary="The authenticated user")
def me(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "username": user.username,
        "full_name": user.full_name,  # type: ignore[union-attr]
        "role": user.role,  # type: ignore[union-attr]
        "area_code": user.area.code if user.area else None,  # type: ignore[union-attr]
        "organisation_code": user.organisation.code if user.organisation else None,  # type: ignore[union-attr]
    }


def _mount_routers() -> None:
    from bangfu.modules import provided

    for label, module in provided("api"):
        api.add_router(f"/{label}/", module.router, tags=[label])
    from bangfu.projects.api import disbursements_router

    api.add_router("/disbursements/", disbursements_router, tags=["projects"])
    from bangfu.core.attention_api import router as attention_router

    api.add_router("/attention", attention_router, tags=["attention"])


_mount_routers()
