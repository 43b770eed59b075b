from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bangfu.accounts.scopes import areas_for_user, get_area_for_user
from bangfu.areas.models import Level


@login_required
def area_list(request: HttpRequest) -> HttpResponse:
    areas = areas_for_user(request.user).select_related("parent")
    level = request.GET.get("level", "")
    query = request.GET.get("q", "").strip()
    poor = request.GET.get("poor", "")
    if level in Level.values:
        areas = areas.filter(level=level)
    if query:
        areas = areas.filter(Q(name__icontains=query) | Q(code__startswith=query))
    if poor == "1":
        areas = areas.filter(registered_poor=True)
    page = Paginator(areas, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "areas/list.html",
        {"page": page, "level": level, "q": query, "poor": poor, "levels": Level.choices},
    )


@login_required
def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    area = get_area_for_user(request.user, code)
    children = areas_for_user(request.user).filter(parent=area)
    return render(request, "areas/detail.html", {"area": area, "children": children})
