"""The site's one set of display helpers: the publishing office, numbers, amounts and dates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils import timezone, translation

from bangfu.lib.money import CENT

register = template.Library()


@register.simple_tag
def publishing_office() -> str:
    """The office that publishes the site's pages, named in every page's footer: the county's office
    profile (documents app), or its default name until one is saved."""
    from bangfu.areas.models import Area, Level
    from bangfu.documents.selectors import profile_for

    county = Area.objects.filter(level=Level.COUNTY).order_by("code").first()
    return profile_for(county).office_name if county is not None else ""


def _chinese() -> bool:
    return (translation.get_language() or "zh-hans").startswith("zh")


@register.filter
def cn_date(value: Any) -> str:
    """2020-07-15 → 2020年7月15日 (English: 15 Jul 2020); empty → —."""
    if not value:
        return "—"
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    if not isinstance(value, date):
        return str(value)
    if _chinese():
        return f"{value.year}年{value.month}月{value.day}日"
    return value.strftime("%d %b %Y").lstrip("0")


@register.filter
def cn_datetime(value: Any) -> str:
    """A moment in local time: 2020年7月15日 10:49 (English: 15 Jul 2020 10:49)."""
    if not value:
        return "—"
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{cn_date(local.date())} {local:%H:%M}"


@register.filter
def amount(value: Any, places: int = 2) -> str:
    """1234567.5 → 1,234,567.50 (thousands separators; `places` decimals)."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{number:,.{int(places)}f}"


@register.filter
def count(value: Any) -> str:
    """12345 → 12,345."""
    return amount(value, 0)


@register.filter
def wan(value: Any) -> str:
    """Yuan as offices write large sums: 13170000 → 1,317万元 (English: 13.17 million yuan)."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if _chinese():
        tenk = (number / 10000).quantize(CENT).normalize()
        return f"{tenk:,f}万元"
    million = (number / 1000000).quantize(CENT).normalize()
    return f"{million:,f} million yuan"
