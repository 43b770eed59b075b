"""Results cached per process under a key that carries a cheap *stamp* of what they show.

A page that costs a lot to compute but changes rarely first reads a stamp: one cheap SQL
statement over the rows behind it (counts, newest change times). The stamp is part of the cache
key, so a write that moves the stamp makes the next request compute afresh in every process,
with nothing invalidated explicitly and no signal; superseded entries age out. The duty this puts
on writes: every path that changes what the result shows must move the stamp, bulk ones too
(`QuerySet.update()` and `bulk_update` skip `auto_now`, so they set `updated_at` themselves).

The cache is Django's default one, local memory: per process, thread-safe, values pickled (a
caller cannot alter what the next request gets). Used by the public charity disclosure
(`charity.views`) and the work-ledger completeness matrix (`workplan.selectors`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from django.core.cache import cache

T = TypeVar("T")
_MISSING = object()


def as_datetime(value: Any) -> datetime | None:
    """A datetime read by raw SQL: PostgreSQL returns it aware, SQLite as text (stored in UTC)."""
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _part(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def stamp_key(name: str, *parts: Any) -> str:
    """`name:part:part…`: dates and datetimes in ISO form, None as `-`."""
    return ":".join([name, *map(_part, parts)])


def cached(key: str | None, compute: Callable[[], T], timeout: int) -> T:
    """The value stored under `key`, or `compute()`'s, stored for `timeout` seconds. With no key
    (a request the caller chose not to cache) it just computes."""
    if key is None:
        return compute()
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, timeout)
    return value  # type: ignore[return-value] # what compute() stored under this key


def newest_ids(*models: Any) -> tuple[Any, ...]:
    """The newest primary key of each model's table, in one statement of `MAX(id)` subqueries (each
    read from the end of the primary-key index, whatever the table's size). Inserts move it in
    every table; nothing is hard-deleted. Models in any order and repeated are read once, sorted by
    table name (the tuple is a stamp: its order must not depend on the caller's)."""
    from django.db import connection

    tables = sorted({(m._meta.db_table, m._meta.pk.column) for m in models})
    if not tables:
        return ()
    q = connection.ops.quote_name
    # Identifiers from the models' own metadata, quoted; no value enters the text.
    sql = "SELECT " + ", ".join(f"(SELECT MAX({q(col)}) FROM {q(table)})" for table, col in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return tuple(row or ())


def audit_chain_stamp(county_code: str) -> tuple[Any, ...]:
    """The length of the county's audit hash chain (`audit.AuditChainHead`). Records join the chain
    just after their transaction commits, in commit order, so the length moves with every committed
    write of the county even where a newest id does not: two transactions may commit in the other
    order than they took their ids (PostgreSQL), and a reader between the two commits would see the
    larger id already. One primary-key lookup."""
    from django.db import connection

    from bangfu.audit.models import AuditChainHead

    q = connection.ops.quote_name
    meta = AuditChainHead._meta
    length = meta.get_field("length").column or "length"
    county = meta.get_field("county_code").column or "county_code"
    sql = f"SELECT {q(length)} FROM {q(meta.db_table)} WHERE {q(county)} = %s"  # noqa: S608 - names from _meta
    with connection.cursor() as cursor:
        cursor.execute(sql, [county_code])
        row = cursor.fetchone()
    return (row[0] if row else 0,)
