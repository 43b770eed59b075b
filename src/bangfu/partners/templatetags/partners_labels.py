"""Choice labels for values the partners app stores in JSON lists (never the codes on a page)."""

from __future__ import annotations

from typing import Any

from django import template

from bangfu.partners.models import HelpMode

register = template.Library()


@register.filter
def help_mode_labels(modes: Any) -> str:
    """["industry", "employment"] → "产业、就业" (an unknown code is shown as it is)."""
    labels = dict(HelpMode.choices)
    return "、".join(str(labels.get(m, m)) for m in modes or [])
