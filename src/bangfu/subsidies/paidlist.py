"""Parse the finance bureau's paid list (报账清单: xlsx or CSV in UTF-8/GB18030) for a Yulu term.

Columns (header row, Chinese or English): 证件号码/id_number, 金额/amount, 发放日期/paid_on.
Every problem is reported with its row and field; the caller writes nothing unless all rows pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from bangfu.lib import clock, sheets
from bangfu.lib.dates import date_problem
from bangfu.lib.money import MAX_AMOUNT, AmountError, parse_amount

HEADERS = {
    "id_number": ("证件号码", "身份证号码", "身份证号", "id_number"),
    "amount": ("金额", "发放金额", "amount"),
    "paid_on": ("发放日期", "paid_on"),
}


@dataclass(frozen=True)
class PaidRow:
    line: int
    id_number: str
    amount: Decimal
    paid_on: date


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_paid_list(
    data: bytes, filename: str, *, maximum: Decimal = MAX_AMOUNT, earliest: date | None = None
) -> tuple[list[PaidRow], list[tuple[int, str]]]:
    """(rows, errors); errors are (line, message naming the row and field). An amount above
    `maximum` (the term's standard) is an error."""
    try:
        table = sheets.open_sheet(name=filename, data=data, use="upload").table()
    except sheets.SheetRefused as exc:
        return [], [(0, str(exc))]
    if not table:
        return [], [(0, _("文件是空的。"))]
    header = [str(c).strip() for c in table[0]]
    columns: dict[str, int] = {}
    for key, names in HEADERS.items():
        for i, cell in enumerate(header):
            if cell in names:
                columns[key] = i
                break
    missing = [HEADERS[k][0] for k in HEADERS if k not in columns]
    if missing:
        return [], [(1, _("第1行：缺少列 %(cols)s。") % {"cols": "、".join(missing)})]
    rows: list[PaidRow] = []
    errors: list[tuple[int, str]] = []
    max_chars = sheets.limits("upload").max_cell_chars
    for line, raw in enumerate(table[1:], start=2):
        long = next((i for i, cell in enumerate(raw) if sheets.cell_too_long(cell, max_chars)), None)
        if long is not None:
            reason = sheets.long_cell_message(long + 1, len(raw[long]), max_chars)
            errors.append((line, _("第%(line)d行：%(p)s。") % {"line": line, "p": reason}))
            continue
        cells = [raw[columns[k]] if columns[k] < len(raw) else "" for k in ("id_number", "amount", "paid_on")]
        if not any(str(c).strip() for c in cells):
            continue
        id_number, amount_raw, day_raw = cells
        problems = []
        if not str(id_number).strip():
            problems.append(_("证件号码不能为空"))
        try:
            amount = parse_amount(amount_raw, maximum=maximum)
        except AmountError as exc:
            amount = Decimal(0)
            problems.append(_("金额%(reason)s") % {"reason": exc})
        paid_on = _date(day_raw)
        if paid_on is None:
            problems.append(_("发放日期“%(v)s”无效，应为 2020-05-20") % {"v": str(day_raw)[:20]})
        elif (problem := date_problem(paid_on, earliest=earliest, latest=clock.today())) is not None:
            problems.append(_("发放日期%(problem)s") % {"problem": problem})
        if problems:
            errors.append((line, _("第%(line)d行：%(p)s。") % {"line": line, "p": "；".join(problems)}))
            continue
        assert paid_on is not None
        rows.append(PaidRow(line, str(id_number).strip(), amount, paid_on))
    return rows, errors
