"""Role-aware navigation: only links the user can actually use."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import STAFF_ROLES

# (url name, label, roles that see it). Later apps add their entries here.
NAV_ITEMS: list[tuple[str, Any, tuple[str, ...]]] = [
    ("home", _("首页"), STAFF_ROLES),
    ("areas:list", _("区划"), STAFF_ROLES),
    ("partners:organisations", _("单位"), STAFF_ROLES),
    ("accounts:users", _("用户管理"), (Role.COUNTY_ADMIN,)),
    ("audit:list", _("审计日志"), (Role.COUNTY_ADMIN,)),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": []}
    role = getattr(user, "role", None)
    items = [
        {
            "url": reverse(name),
            "label": label,
            "active": request.resolver_match is not None and request.resolver_match.view_name == name,
        }
        for name, label, roles in NAV_ITEMS
        if role in roles
    ]
    return {"nav_items": items}
