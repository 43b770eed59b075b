"""Calendar arithmetic, written once: months, quarters and working days, on local calendar dates.

Dates here are office dates (`bangfu.lib.clock.today()`, the Asia/Shanghai date): 31 March is in
Q1 and 1 April in Q2 whatever the UTC time of entry. Half-open ranges ([start, end)) are what the
queries use (`date__gte=start, date__lt=end`).

Working days are Monday to Friday minus the public holidays in `settings.PUBLIC_HOLIDAYS`
(`BANGFU_PUBLIC_HOLIDAYS`: ISO dates separated by commas), plus the make-up working days on a
weekend in `settings.MAKEUP_WORKDAYS` (`BANGFU_MAKEUP_WORKDAYS`, 调休上班). Both are empty unless the
office sets them, which it does once a year when the State Council publishes the holidays.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.conf import settings


# --- months ---------------------------------------------------------------------------------------
def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` (negative goes back), clamped to the month's last day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_month(day: date) -> date:
    """The first day of the month after `day`'s."""
    return add_months(month_start(day), 1)


def previous_month(day: date) -> date:
    """The first day of the month before `day`'s."""
    return add_months(month_start(day), -1)


def month_starts(year: int) -> list[date]:
    return [date(year, m, 1) for m in range(1, 13)]


# --- quarters -------------------------------------------------------------------------------------
def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """[first day, first day of the next quarter)."""
    start = date(year, 3 * (quarter - 1) + 1, 1)
    return start, add_months(start, 3)


def last_day_of_quarter(year: int, quarter: int) -> date:
    return quarter_bounds(year, quarter)[1] - timedelta(days=1)


def quarters_span(year: int, first: int, last: int) -> tuple[date, date]:
    """The first day of quarter `first` and the last day of quarter `last` (both inclusive)."""
    return quarter_bounds(year, first)[0], last_day_of_quarter(year, last)


# --- working days ---------------------------------------------------------------------------------
def _dates(setting: str) -> frozenset[date]:
    return frozenset(getattr(settings, setting, ()) or ())


def is_working_day(day: date) -> bool:
    if day in _dates("MAKEUP_WORKDAYS"):
        return True
    return day.weekday() < 5 and day not in _dates("PUBLIC_HOLIDAYS")


def add_working_days(start: date, days: int) -> date:
    """The day `days` working days after `start`."""
    holidays, makeup = _dates("PUBLIC_HOLIDAYS"), _dates("MAKEUP_WORKDAYS")
    current, remaining = start, days
    while remaining > 0:
        current += timedelta(days=1)
        if current in makeup or (current.weekday() < 5 and current not in holidays):
            remaining -= 1
    return current
