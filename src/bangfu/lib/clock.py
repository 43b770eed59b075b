"""The one clock. Everything date-dependent (late reports, current quarter, reminders, term
eligibility) asks here, so the demo and tests can live inside the plan year via BANGFU_TODAY."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.utils import timezone


def today() -> date:
    fixed: date | None = getattr(settings, "BANGFU_TODAY", None)
    if fixed is not None:
        return fixed
    return timezone.localdate()


def now() -> datetime:
    """Aware 'now'; on a fixed BANGFU_TODAY it keeps the wall-clock time but moves the date."""
    current = timezone.localtime()
    fixed: date | None = getattr(settings, "BANGFU_TODAY", None)
    if fixed is None:
        return current
    return current.replace(year=fixed.year, month=fixed.month, day=fixed.day)
