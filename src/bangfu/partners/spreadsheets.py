"""Reading organisation and cadre sheets for the partners app (through `bangfu.lib.sheets`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from bangfu.lib import sheets


@dataclass(frozen=True)
class RowError:
    """One problem of an imported sheet: its row number (as Excel shows it), field and reason."""

    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return _("第%(row)d行 %(field)s：%(reason)s") % {
            "row": self.row,
            "field": self.field,
            "reason": self.reason,
        }


class SheetError(ValueError):
    """The sheet could not be imported; `errors` lists every problem. Nothing was saved."""

    def __init__(self, errors: Sequence[RowError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = list(errors)


def cell_text(value: Any) -> str:
    """A cell as text: Excel stores phone numbers and codes as floats (13900000000.0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def read_sheet(
    data: bytes,
    columns: Mapping[str, tuple[str, ...]],
    required: Iterable[str],
    *,
    file_name: str = "upload.xlsx",
) -> list[tuple[int, dict[str, str]]]:
    """Rows of the first sheet as (row number, {field: text}). `columns` maps a field to the
    header names accepted for it. Raises SheetError for a file `bangfu.lib.sheets` refuses,
    missing columns or cells over the length limit."""
    try:
        sheet = sheets.open_sheet(name=file_name, data=data, use="upload")
        rows = sheet.table()
    except sheets.SheetRefused as exc:
        raise SheetError([RowError(1, _("文件"), str(exc))]) from None
    if not rows:
        raise SheetError([RowError(1, _("文件"), _("工作表是空的。"))])
    header = [cell_text(h).lower() for h in rows[0]]
    index: dict[str, int] = {}
    for field, names in columns.items():
        for name in names:
            if name.lower() in header:
                index[field] = header.index(name.lower())
                break
    missing = [columns[f][0] for f in required if f not in index]
    if missing:
        raise SheetError([RowError(1, _("表头"), _("缺少列：%(cols)s。") % {"cols": "、".join(missing)})])
    result = []
    errors = []
    limit = sheets.limits("upload").max_cell_chars
    for number, raw in enumerate(rows[1:], start=2):
        long = next((i for i, cell in enumerate(raw) if sheets.cell_too_long(cell, limit)), None)
        if long is not None:
            where = _("第%(col)d列") % {"col": long + 1}
            errors.append(RowError(number, where, _("单元格超过%(max)d个字符。") % {"max": limit}))
            continue
        values = {f: cell_text(raw[i]) if i < len(raw) else "" for f, i in index.items()}
        if any(values.values()):
            result.append((number, values))
    if errors:
        raise SheetError(errors)
    return result
