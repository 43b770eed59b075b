"""Role-aware navigation: only links the user can actually use."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import STAFF_ROLES
from bangfu.modules import provided

NavItem = tuple[str, Any, tuple[str, ...]]  # (url name, label, roles that see it)


def nav_items() -> list[NavItem]:
    """Home, then each domain app's `nav.NAV_ITEMS` (bangfu.modules), then administration."""
    items: list[NavItem] = [("home", _("首页"), STAFF_ROLES)]
    for _label, module in provided("nav"):
        items.extend(module.NAV_ITEMS)
    items += [
        ("accounts:users", _("用户管理"), (Role.COUNTY_ADMIN,)),
        ("audit:list", _("审计日志"), (Role.COUNTY_ADMIN,)),
    ]
    return items


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
        for name, label, roles in nav_items()
        if role in roles
    ]
    return {"nav_items": items}
