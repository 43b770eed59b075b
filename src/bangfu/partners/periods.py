"""Quarters of a calendar year, on local (Asia/Shanghai) dates.

Visit dates are stored as local calendar dates (`DateField`), so 31 March belongs to Q1 and
1 April to Q2 whatever the UTC time of entry; "today" comes from `bangfu.lib.clock.today()`,
which is the Asia/Shanghai date."""

from __future__ import annotations

from datetime import date, timedelta


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """[first day, first day of the next quarter)."""
    start = date(year, 3 * (quarter - 1) + 1, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end


def last_day_of_quarter(year: int, quarter: int) -> date:
    return quarter_bounds(year, quarter)[1] - timedelta(days=1)


def month_start(day: date) -> date:
    return day.replace(day=1)
