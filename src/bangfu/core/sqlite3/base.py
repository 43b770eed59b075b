"""Django's SQLite backend with two changes for hostile or damaged input.

A query that compares a column with an integer SQLite cannot take (a 20-digit id in a form or a
URL: `OverflowError` in the driver) compares it with that number as a float instead: the answer
is the same (no row has such an id), where Django would otherwise fail with a server error.
Only reads are retried so; a write of such a number still fails.

And a decimal column holding a value its field cannot
(a row written before amounts were range-checked, or by hand: SQLite stores any number in a
NUMERIC column) is read as the number it is, instead of raising `decimal.InvalidOperation` in
every page, report and command that touches the row. `bangfu check-integrity` lists such rows
(`bangfu.core.integrity.check_money_in_range`). PostgreSQL refuses such values when they are
written, so it needs no counterpart."""

from __future__ import annotations

import decimal
from collections.abc import Callable
from typing import Any

from django.db.backends.sqlite3 import base, operations

_AS_STORED = decimal.Context(prec=15).create_decimal_from_float


class DatabaseOperations(operations.DatabaseOperations):
    def get_decimalfield_converter(self, expression: Any) -> Callable[..., Any]:
        convert = super().get_decimalfield_converter(expression)

        def tolerant(value: Any, expression: Any, connection: Any) -> Any:
            try:
                return convert(value, expression, connection)
            except decimal.InvalidOperation:
                return _AS_STORED(float(value))

        return tolerant


_INT64 = (-(2**63), 2**63 - 1)


def _as_float(value: Any) -> Any:
    if type(value) is int and not _INT64[0] <= value <= _INT64[1]:
        return float(value)
    return value


class CursorWrapper(base.SQLiteCursorWrapper):
    def execute(self, query: str, params: Any = None) -> Any:
        try:
            return super().execute(query, params)
        except OverflowError:
            if params is None or not query.lstrip().upper().startswith("SELECT"):
                raise
            if isinstance(params, dict):
                return super().execute(query, {k: _as_float(v) for k, v in params.items()})
            return super().execute(query, [_as_float(v) for v in params])


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def create_cursor(self, name: Any = None) -> Any:
        return self.connection.cursor(factory=CursorWrapper)
