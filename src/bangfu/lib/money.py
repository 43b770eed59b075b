"""Money in: the one parser every form, API body and import uses for an amount of yuan.

`parse_amount` reads what people type and what spreadsheets hold ("1,234.50", "１２３４元",
"￥500", 1234.5 from a cell, a Decimal from a form) and checks it in this order: a finite number,
within the use's range (`maximum`, default what the ledgers store) — before any rounding, so an
absurd value is refused instead of raising inside `quantize` — then at most two decimal places.
It returns the amount with exactly two places. `clean_amount` is the same for services, raising
Django's ValidationError on the named field.

Money out: `format_money` (thousands separators, two places).
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# What every money column holds: DecimalField(max_digits=14, decimal_places=2).
MAX_AMOUNT = Decimal("999999999999.99")
_STRIP = str.maketrans("", "", ",，  ¥￥元")


class AmountError(ValueError):
    """`str()` is the reason, in the user's language, without the field's name."""


def to_cents(value: Decimal | int | None) -> Decimal:
    """A sum as money: None (an empty aggregate) is zero; always two places (SQLite hands back
    Decimal("408"))."""
    return (Decimal(value) if value is not None else ZERO).quantize(CENT)


def format_money(value: Decimal) -> str:
    return f"{value:,.2f}"


def parse_amount(
    raw: Any,
    *,
    maximum: Decimal = MAX_AMOUNT,
    minimum: Decimal = CENT,
    exact: bool = True,
) -> Decimal:
    """The amount in `raw` with two decimal places, or AmountError. `minimum` is the smallest
    amount accepted (CENT: positive; ZERO: zero allowed). With `exact=False` more decimal places
    are rounded (statistics such as a household's income) instead of refused."""
    if isinstance(raw, bool) or raw is None:
        raise AmountError(_("不是有效数字"))
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    else:
        text = unicodedata.normalize("NFKC", str(raw)).strip().translate(_STRIP)
        if not text or len(text) > 40:
            raise AmountError(_("不是有效数字") if text else _("不能为空"))
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise AmountError(_("“%(value)s”不是有效数字") % {"value": text[:20]}) from None
    if not value.is_finite():
        raise AmountError(_("不是有效数字"))
    if value > maximum:
        raise AmountError(_("过大（上限 %(max)s 元）") % {"max": format_money(maximum)})
    if value < minimum:
        if minimum == CENT:
            raise AmountError(_("必须大于0"))
        if minimum == ZERO:
            raise AmountError(_("不能为负数"))
        raise AmountError(_("不能少于 %(min)s 元") % {"min": format_money(minimum)})
    if exact and value.as_tuple().exponent < -2 and value != value.quantize(CENT):  # type: ignore[operator]
        raise AmountError(_("最多两位小数"))
    return value.quantize(CENT)


def clean_amount(
    raw: Any, *, field: str = "amount", maximum: Decimal = MAX_AMOUNT, minimum: Decimal = CENT
) -> Decimal:
    """`parse_amount` for services: ValidationError({field: reason})."""
    try:
        return parse_amount(raw, maximum=maximum, minimum=minimum)
    except AmountError as exc:
        raise ValidationError({field: _("金额%(reason)s。") % {"reason": exc}}) from None
