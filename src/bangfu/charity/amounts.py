"""Chinese capital numerals for receipts (人民币大写), e.g. 1234.50 → 壹仟贰佰叁拾肆元伍角整."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ["", "拾", "佰", "仟"]
BIG_UNITS = ["", "万", "亿", "万亿"]


def _four(n: int) -> str:
    """0 < n < 10000, with inner zeros as 零."""
    out = ""
    zero = False
    for position in range(3, -1, -1):
        digit = n // 10**position % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += DIGITS[digit] + SMALL_UNITS[position]
    return out


def amount_in_words(amount: Decimal) -> str:
    cents = int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    if cents < 0:
        return "负" + amount_in_words(-amount)
    yuan, rest = divmod(cents, 100)
    jiao, fen = divmod(rest, 10)
    parts: list[str] = []
    group_index = 0
    need_zero = False
    while yuan > 0:
        group = yuan % 10000
        if group:
            text = _four(group) + BIG_UNITS[group_index]
            if need_zero:
                text += "零"
            parts.insert(0, text)
            need_zero = group < 1000
        elif parts:
            need_zero = True
        yuan //= 10000
        group_index += 1
    words = "".join(parts)
    if words.endswith("零"):
        words = words[:-1]
    if words:
        words += "元"
    if jiao == 0 and fen == 0:
        return (words or "零元") + "整"
    if jiao:
        words += DIGITS[jiao] + "角"
    elif words:
        words += "零"
    if fen:
        words += DIGITS[fen] + "分"
    else:
        words += "整"
    return words
