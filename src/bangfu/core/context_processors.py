"""Role-aware navigation: only links the user can actually use."""

from __future__ import annotations

import functools
from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
        ("audit:list", _("审计日志"), (Role.COUNTY_ADMIN, Role.INSPECTOR)),
    ]
    return items


# Menu groups: one per app, labelled with its `nav.NAV_LABEL` (a short form, so that the bar keeps
# to one line at 1280 px in English too) or else its verbose name; accounts and audit share
# "系统管理", awards join charity under "扶贫日", monitoring joins the registry's menu.
GROUP_OF_NAMESPACE = {"accounts": "admin", "audit": "admin", "awards": "charity", "monitoring": "registry"}
GROUP_LABELS = {"admin": pgettext_lazy("nav", "系统管理"), "charity": pgettext_lazy("nav", "扶贫日")}


@functools.cache
def _nav_labels() -> dict[str, Any]:
    labels = {label: module.NAV_LABEL for label, module in provided("nav") if hasattr(module, "NAV_LABEL")}
    return {**labels, **GROUP_LABELS}


def group_label(key: str, first_label: Any) -> Any:
    if key in _nav_labels():
        return _nav_labels()[key]
    return apps.get_app_config(key).verbose_name if apps.is_installed(f"bangfu.{key}") else first_label


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": [], "nav_groups": []}
    role = getattr(user, "role", None)
    current = request.resolver_match.view_name if request.resolver_match is not None else ""
    items = [
        {"url": reverse(name), "label": label, "active": current == name, "name": name}
        for name, label, roles in nav_items()
        if role in roles
    ]
    groups: dict[str, dict[str, Any]] = {}
    for item in items:
        namespace = item["name"].partition(":")[0] if ":" in item["name"] else item["name"]
        key = GROUP_OF_NAMESPACE.get(namespace, namespace)
        if key not in groups:
            groups[key] = {"label": group_label(key, item["label"]), "items": [], "active": False}
        groups[key]["items"].append(item)
        groups[key]["active"] = groups[key]["active"] or current.startswith(f"{namespace}:") or item["active"]
    return {"nav_items": items, "nav_groups": list(groups.values())}
