"""Shared pieces of the HTTP API (/api/v1/): the one error shape, the error responses each endpoint
declares in its `response=`, and bounded parameters (paging, years, months, codes) so that no input
reaches the database out of range. `tests/security/test_api_fuzz.py` holds every endpoint to what it
declares here."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import BeforeValidator, Strict

# Years the plan, the registry and the ledgers can be about (the national registry starts in 2014;
# the upper bound only keeps `date(year + 1, 1, 1)` and the database's integers safe).
MIN_YEAR = 2000
MAX_YEAR = 2100
# Beyond this an offset can only be an attack or a bug: it still answers an empty page, but never
# reaches the database as a number it cannot hold.
MAX_OFFSET = 2**31 - 1
MAX_LIMIT = 500

Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR, description=f"a year, {MIN_YEAR}–{MAX_YEAR}")]
Month = Annotated[
    str,
    Field(pattern=r"^(20\d\d|2100)-(0[1-9]|1[0-2])$", description="a month, YYYY-MM", examples=["2020-05"]),
]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]


def _iso_date(value: Any) -> Any:
    # pydantic would otherwise read a number (or a string of digits) as a Unix timestamp: `0` is
    # 1970-01-01. The schema says "YYYY-MM-DD"; hold clients to it.
    if isinstance(value, date) or (isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)):
        return value
    raise ValueError("a date, YYYY-MM-DD")


Day = Annotated[date, BeforeValidator(_iso_date), Field(description="a date, YYYY-MM-DD")]
# A database id in a path or a body: SQLite cannot even compare a larger number.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
# Yuan with fen, as the ledgers store them (DecimalField(max_digits=14, decimal_places=2)).
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
# Numbers in JSON bodies are strict: `true` or "5" is refused, not read as 1 or 5 (query and path
# values arrive as text, so the types above parse them).
IdIn = Annotated[int, Strict(), Field(ge=1, le=2**63 - 1)]
YearIn = Annotated[
    int, Strict(), Field(ge=MIN_YEAR, le=MAX_YEAR, description=f"a year, {MIN_YEAR}–{MAX_YEAR}")
]
Count = Annotated[int, Strict(), Field(ge=0, le=10_000_000)]
AreaCode = Annotated[str, Field(pattern=r"^\d{12}$", description="a 12-digit statistical area code")]


class ErrorOut(Schema):
    """Every refusal: `detail` is a message, a list of messages (or of input errors, each naming its
    `loc`), or a mapping of field → messages."""

    detail: str | list[Any] | dict[str, Any]


def errors(*codes: int) -> dict[int, type[ErrorOut]]:
    """The error responses of an endpoint, for its `response={200: Out, **errors(401, 404, 422)}`:
    401 no or bad credentials, 403 the role may not do this, 404 not found or out of scope,
    422 the input is invalid (every bad field named)."""
    return dict.fromkeys(codes, ErrorOut)


class Paging(LimitOffsetPagination):
    """ninja's limit/offset paging with both numbers bounded."""

    class Input(Schema):
        limit: Limit = 100
        offset: Offset = 0


def paged(view: Callable[..., Any]) -> Callable[..., Any]:
    """`@paginate(Paging)`, keeping the view's annotations resolvable: ninja evaluates string
    annotations (`from __future__ import annotations`) in the wrapper's module, which does not see
    the names the view's own module imports (`Year`, `AreaCode`, its filter schemas)."""
    wrapped = paginate(Paging)(view)
    wrapped.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
    return wrapped
