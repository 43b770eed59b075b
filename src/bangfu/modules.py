"""The domain apps, in dependency order, and the optional modules each may provide.

An app plugs itself in by having any of these modules; nothing else needs editing:
- `urls.py`   — `urlpatterns` (full paths, e.g. "registry/households/"), included at the site root
               under the app label as namespace;
- `api.py`    — `router` (django-ninja), mounted at /api/v1/<label>/;
- `nav.py`    — `NAV_ITEMS`: [(url name, label, roles)], appended to the main navigation as the
               app's menu group, labelled `NAV_LABEL` if set (else the app's verbose name);
- `demo.py`   — `seed_demo(county)`, called by `bangfu seed-demo` after the areas, organisations and
               demo users exist (idempotent);
- `integrity.py` — `CHECKS`: callables yielding `bangfu.core.integrity.Breach`, run by
               `bangfu check-integrity` (docs/operations.md);
- `indicators.py` — `@indicator` figures (`bangfu.lib.indicators`);
- `milestones.py` — `@milestone_rule` rules that judge plan milestones (`bangfu.lib.milestones`);
- `attention.py` — `@attention_source` open problems for home pages, dashboard, reminders and the
               bulletin (`bangfu.lib.attention`).
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

DOMAIN_APPS = [
    "areas",
    "registry",
    "partners",
    "workplan",
    "ledger",
    "projects",
    "charity",
    "awards",
    "network",
    "subsidies",
    "monitoring",
    "documents",
]


def app_module(label: str, name: str) -> ModuleType | None:
    dotted = f"bangfu.{label}.{name}"
    if importlib.util.find_spec(dotted) is None:
        return None
    return importlib.import_module(dotted)


def provided(name: str) -> list[tuple[str, ModuleType]]:
    """(label, module) for every domain app that has `name`, in dependency order."""
    found = []
    for label in DOMAIN_APPS:
        module = app_module(label, name)
        if module is not None:
            found.append((label, module))
    return found
