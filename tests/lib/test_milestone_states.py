from __future__ import annotations

from datetime import date

import pytest

from bangfu.lib.milestones import State, derive_state

DUE = date(2020, 6, 30)


@pytest.mark.parametrize(
    ("today", "done", "done_on", "expected"),
    [
        (date(2020, 7, 15), True, date(2020, 6, 20), State.DONE),
        (date(2020, 7, 15), True, date(2020, 7, 2), State.DONE_LATE),
        (date(2020, 7, 15), True, None, State.DONE),
        (date(2020, 7, 1), False, None, State.OVERDUE),
        (date(2020, 6, 30), False, None, State.AT_RISK),
        (date(2020, 6, 16), False, None, State.AT_RISK),
        (date(2020, 6, 15), False, None, State.OPEN),
    ],
)
def test_it_derives_the_state_from_evidence_and_the_office_date(today, done, done_on, expected):
    assert derive_state(due_date=DUE, today=today, done=done, done_on=done_on) == expected
