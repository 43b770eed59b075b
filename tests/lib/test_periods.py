from __future__ import annotations

from datetime import date

from bangfu.lib import periods


def test_months_roll_over_the_year_and_clamp_the_day() -> None:
    assert periods.next_month(date(2020, 12, 15)) == date(2021, 1, 1)
    assert periods.previous_month(date(2020, 1, 31)) == date(2019, 12, 1)
    assert periods.add_months(date(2020, 1, 31), 1) == date(2020, 2, 29)
    assert periods.add_months(date(2020, 3, 31), -13) == date(2019, 2, 28)
    assert periods.month_starts(2020)[11] == date(2020, 12, 1)


def test_quarters_are_half_open_and_spans_inclusive() -> None:
    assert periods.quarter_of(date(2020, 3, 31)) == 1 and periods.quarter_of(date(2020, 4, 1)) == 2
    assert periods.quarter_bounds(2020, 4) == (date(2020, 10, 1), date(2021, 1, 1))
    assert periods.last_day_of_quarter(2020, 1) == date(2020, 3, 31)
    assert periods.quarters_span(2020, 2, 3) == (date(2020, 4, 1), date(2020, 9, 30))


def test_working_days_skip_weekends_and_configured_holidays(settings) -> None:
    # Friday 25 Sep 2020 + 5 working days, no holidays configured: Friday 2 Oct.
    assert periods.add_working_days(date(2020, 9, 25), 5) == date(2020, 10, 2)
    settings.PUBLIC_HOLIDAYS = [date(2020, 10, d) for d in range(1, 9)]
    settings.MAKEUP_WORKDAYS = [date(2020, 9, 27), date(2020, 10, 10)]
    # Sun 27 Sep (调休), Mon 28, Tue 29, Wed 30 Sep, then Fri 9 Oct.
    assert periods.add_working_days(date(2020, 9, 25), 5) == date(2020, 10, 9)
    assert periods.is_working_day(date(2020, 10, 10)) and not periods.is_working_day(date(2020, 10, 5))
