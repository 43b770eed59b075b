from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role, User
from bangfu.accounts.scopes import county_prefix, require_role
from bangfu.audit import display
from bangfu.audit.models import AuditRecord


def _parse_date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    # County admins and inspectors (its natural readers), each in their own county.
    require_role(request.user, Role.COUNTY_ADMIN, Role.INSPECTOR)
    prefix = county_prefix(request.user) or "-"
    in_county = AuditRecord.objects.filter(county_code__startswith=prefix)
    records = in_county.select_related("actor")
    actor = request.GET.get("actor", "").strip()
    action = request.GET.get("action", "").strip()
    target = request.GET.get("target", "").strip()
    since = _parse_date(request.GET.get("since", ""))
    until = _parse_date(request.GET.get("until", ""))
    # A filter that cannot be read is said at its field, and not applied.
    errors: dict[str, str] = {}
    for name, parsed in (("since", since), ("until", until)):
        if request.GET.get(name, "").strip() and parsed is None:
            errors[name] = _("日期无法识别，请按“年-月-日”填写。")
    if since and until and until < since:
        errors["until"] = _("结束日期早于开始日期，请重新选择。")
        until = None
    if actor:
        records = records.filter(actor__username=actor)
    if action:
        records = records.filter(action__startswith=action)
    if target:
        records = records.filter(target_type=target)
    target_id = request.GET.get("target_id", "").strip()
    if target_id:
        records = records.filter(Q(target_id=target_id) | Q(target_repr__contains=target_id))
    if since:
        records = records.filter(created_at__date__gte=since)
    if until:
        records = records.filter(created_at__date__lte=until)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    for record in page:
        record.label = display.action_label(record.action, record.target_type)  # type: ignore[attr-defined]
        record.target_label = display.target_label(record.target_type)  # type: ignore[attr-defined]
        record.changes = display.changes(record)  # type: ignore[attr-defined]
    actions = in_county.order_by().values_list("action", "target_type").distinct()
    action_choices = sorted(
        {code: display.action_label(code, kind) for code, kind in actions}.items(), key=lambda pair: pair[1]
    )
    target_choices = sorted(
        {kind: display.target_label(kind) for _code, kind in actions}.items(), key=lambda pair: pair[1]
    )
    actors = (
        User.objects.filter(pk__in=in_county.order_by().values("actor_id").distinct())
        .order_by("username")
        .values_list("username", "full_name")
    )
    return render(
        request,
        "audit/list.html",
        {
            "page": page,
            "action_choices": action_choices,
            "target_choices": target_choices,
            "actors": actors,
            "errors": errors,
            "filters": {
                "actor": actor,
                "action": action,
                "target": target,
                "target_id": target_id,
                "since": request.GET.get("since", ""),
                "until": request.GET.get("until", ""),
            },
        },
    )
