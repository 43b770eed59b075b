from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
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


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404s under /api/ answer JSON in the API's error shape (`{"detail": ...}`), also for URLs no
    route matches (`/api/v1/disbursements/abc`), so API clients never get an HTML page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("未找到。")}, status=404)
    return defaults.page_not_found(request, exception)
