"""Plausible dates: the one check every service applies to a date a person or a file gave it.

Nothing bangfu records happened before the founding of the People's Republic (1949-10-01) or
more than a year after the office's today; within that, each record has its own window (a
donation within its campaign, an allocation within its project's year), passed as
`earliest`/`latest`.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from bangfu.lib import clock

FOUNDING = date(1949, 10, 1)
FUTURE_YEARS = 1


def latest_year() -> int:
    return clock.today().year + FUTURE_YEARS


def date_problem(value: date, *, earliest: date | None = None, latest: date | None = None) -> str | None:
    """Why `value` is not plausible (a message without the field's name), or None."""
    low = max(earliest or FOUNDING, FOUNDING)
    high = min(latest or date(latest_year(), 12, 31), date(latest_year(), 12, 31))
    if value < low:
        return _("不能早于%(date)s") % {"date": low.isoformat()}
    if value > high:
        return _("不能晚于%(date)s") % {"date": high.isoformat()}
    return None


def check_date(
    value: date | None, *, field: str, label: str, earliest: date | None = None, latest: date | None = None
) -> None:
    """ValidationError({field: "<label>不能早于…"}) for an implausible date; None passes."""
    if value is None:
        return
    problem = date_problem(value, earliest=earliest, latest=latest)
    if problem:
        raise ValidationError({field: f"{label}{problem}。"})


def year_problem(year: int, *, earliest: int = FOUNDING.year) -> str | None:
    if not earliest <= year <= latest_year():
        return _("年度应在%(low)d至%(high)d之间") % {"low": earliest, "high": latest_year()}
    return None
