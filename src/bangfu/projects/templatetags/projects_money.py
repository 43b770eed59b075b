from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def yuan(value: Any) -> str:
    """1234567.5 → "1,234,567.50" (amounts in yuan, always two decimals)."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.2f}"
