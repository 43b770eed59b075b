"""Django's SQLite backend with one change: a decimal column holding a value its field cannot
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


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
