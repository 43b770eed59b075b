"""Numbers from query strings and hidden fields, read without trusting them (issue #18).

`str.isdigit()` is not enough before `int()`: it accepts "²" and "٣" (int() refuses the first),
and a long run of digits overflows the database's integer or Python's digit limit. These helpers
answer None for anything that is not a short run of ASCII digits within the given range, so a
view can ignore a junk filter or refuse it with a message, never fail.
"""

from __future__ import annotations

from bangfu.lib import dates

MAX_ID = 2**63 - 1  # the largest primary key PostgreSQL and SQLite can hold


def int_param(text: str | None, *, low: int = 0, high: int = MAX_ID) -> int | None:
    """The integer `text` spells (ASCII digits only, no sign), if within [low, high]; else None."""
    text = (text or "").strip()
    if not text or len(text) > 19 or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if low <= value <= high else None


def year_param(text: str | None) -> int | None:
    """A plausible year (1949 to next year on the office clock), or None."""
    return int_param(text, low=dates.FOUNDING.year, high=dates.latest_year())
