from __future__ import annotations

from datetime import UTC, date, datetime

from django.core.cache import cache

from bangfu.lib.stampcache import as_datetime, cached, stamp_key


def test_it_computes_once_per_key_and_caches_empty_results_too() -> None:
    cache.clear()
    calls: list[str] = []

    def compute(value: object) -> object:
        calls.append("x")
        return value

    for value in (None, 0, {}):
        key = stamp_key("test:stampcache", repr(value))
        assert cached(key, lambda v=value: compute(v), 60) == value
        assert cached(key, lambda: compute("other"), 60) == value
    assert len(calls) == 3


def test_without_a_key_it_always_computes() -> None:
    calls: list[int] = []
    assert cached(None, lambda: calls.append(1) or len(calls), 60) == 1
    assert cached(None, lambda: calls.append(1) or len(calls), 60) == 2


def test_a_cached_value_is_a_copy_the_caller_cannot_alter() -> None:
    cache.clear()
    first = cached("test:stampcache:copy", lambda: {"a": [1]}, 60)
    first["a"].append(2)
    assert cached("test:stampcache:copy", lambda: {}, 60) == {"a": [1]}


def test_the_key_spells_dates_and_nothing() -> None:
    moment = datetime(2020, 7, 3, 2, 0, 5, 123, tzinfo=UTC)
    assert (
        stamp_key("n", 1, None, date(2020, 7, 3), moment)
        == "n:1:-:2020-07-03:2020-07-03T02:00:05.000123+00:00"
    )
    assert stamp_key("n", 1, None) != stamp_key("n", None, 1)


def test_it_reads_raw_sql_datetimes_of_both_backends() -> None:
    aware = datetime(2020, 7, 3, 2, 0, tzinfo=UTC)
    assert as_datetime(aware) is aware
    assert as_datetime("2020-07-03 02:00:00") == aware  # SQLite: text in UTC
    assert as_datetime(None) is None
