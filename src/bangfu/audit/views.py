from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import county_prefix, require_role
from bangfu.audit.models import AuditRecord


def _parse_date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.COUNTY_ADMIN)
    prefix = county_prefix(request.user) or "-"
    records = AuditRecord.objects.filter(county_code__startswith=prefix).select_related("actor")
    actor = request.GET.get("actor", "").strip()
    action = request.GET.get("action", "").strip()
    target = request.GET.get("target", "").strip()
    since = _parse_date(request.GET.get("since", ""))
    until = _parse_date(request.GET.get("until", ""))
    if actor:
        records = records.filter(actor__username=actor)
    if action:
        records = records.filter(action__startswith=action)
    if target:
        records = records.filter(target_type=target)
    if since:
        records = records.filter(created_at__date__gte=since)
    if until:
        records = records.filter(created_at__date__lte=until)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/list.html",
        {
            "page": page,
            "filters": {
                "actor": actor,
                "action": action,
                "target": target,
                "since": request.GET.get("since", ""),
                "until": request.GET.get("until", ""),
            },
        },
    )
