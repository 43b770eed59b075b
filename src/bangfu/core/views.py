from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bangfu.accounts.models import Role, User
from bangfu.accounts.scopes import STAFF_ROLES
from bangfu.core import selectors
from bangfu.lib import clock
from bangfu.lib.attention import items_for_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    todo = items_for_user(user, clock.today())
    if user.role not in STAFF_ROLES:
        return render(request, "core/home_supporter.html", {"todo": todo})
    # A unit's home shows its own work, not the county's townships.
    townships = [] if user.role == Role.UNIT_REPORTER else selectors.villages_by_township(user)
    chart = {
        "names": [t["name"] for t in townships],
        "villages": [t["villages"] for t in townships],
        "poor": [t["poor_villages"] for t in townships],
    }
    return render(
        request,
        "core/home.html",
        {
            "todo": todo,
            "figures": selectors.home_figures(user),
            "townships": townships,
            "chart": chart,
            "scope_label": selectors.scope_label(user),
            "work": selectors.role_work(user),
        },
    )


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means unhealthy
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def _error_page(request: HttpRequest, status: int, reason: str, detail: str = "") -> HttpResponse:
    """An error in the site frame: what happened, why, and the ways back (home; log in as someone
    else). Falls back to Django's bare page if the frame itself cannot render (e.g. no database)."""
    try:
        return render(
            request,
            "errors/error.html",
            {"status": status, "reason": reason, "detail": detail, "path": request.path},
            status=status,
        )
    except Exception:  # the frame needs the database (navigation); never fail twice
        if status == 404:
            return defaults.page_not_found(request, Http404())
        if status == 403:
            return defaults.permission_denied(request, PermissionDenied())
        return defaults.server_error(request)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404s under /api/ answer JSON in the API's error shape (`{"detail": ...}`), also for URLs no
    route matches (`/api/v1/disbursements/abc`), so API clients never get an HTML page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("未找到。")}, status=404)
    return _error_page(
        request, 404, _("页面不存在"), _("这个地址没有对应的页面，或者该记录已不存在、不在您的权限范围内。")
    )


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403: the service's own sentence (already translated) says why, when it gave one."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(exception) or _("无权执行此操作。")}, status=403)
    detail = str(exception) if exception and str(exception) else _("您的角色或管辖范围不包括这个页面。")
    return _error_page(request, 403, _("无权访问"), detail)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("服务器内部错误。")}, status=500)
    detail = _("处理您的请求时出现错误，已记录在系统日志中。请稍后重试或联系县扶贫办。")
    return _error_page(request, 500, _("系统出错"), detail)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error_page(request, 403, _("页面已过期"), _("表单已过期或来自其他页面，请返回刷新后重新提交。"))
