from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bangfu.accounts.scopes import organisations_for_user
from bangfu.partners.models import AdminLevel, OrgType


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    orgs = organisations_for_user(request.user)
    query = request.GET.get("q", "").strip()
    org_type = request.GET.get("type", "")
    level = request.GET.get("level", "")
    if query:
        orgs = orgs.filter(Q(name__icontains=query) | Q(short_name__icontains=query) | Q(code=query))
    if org_type in OrgType.values:
        orgs = orgs.filter(org_type=org_type)
    if level in AdminLevel.values:
        orgs = orgs.filter(admin_level=level)
    page = Paginator(orgs, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/organisation_list.html",
        {
            "page": page,
            "q": query,
            "type": org_type,
            "level": level,
            "types": OrgType.choices,
            "levels": AdminLevel.choices,
        },
    )
