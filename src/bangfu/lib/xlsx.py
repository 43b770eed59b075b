"""Writing the .xlsx files bangfu hands out (xlsxwriter, in memory), with one look everywhere: a bold
shaded header row, frozen panes below it, money as numbers with two decimals, dates as ISO text,
blank cells for missing values."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import xlsxwriter

MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_NAME_MAX = 31  # Excel's limit on a sheet name


class Workbook:
    """An in-memory workbook: add sheets with `sheet()`, fill them with `row()`, get bytes from
    `close()`."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {"in_memory": True})
        self.head = self.book.add_format(
            {"bold": True, "bg_color": "#EEF1F4", "border": 1, "text_wrap": True}
        )
        self.money = self.book.add_format({"num_format": "#,##0.00"})
        self.total = self.book.add_format({"num_format": "#,##0.00", "bold": True, "top": 1})
        self.wrap = self.book.add_format({"text_wrap": True, "valign": "top"})

    def sheet(
        self,
        name: str,
        headers: Sequence[Any] = (),
        widths: Sequence[int] | int | None = None,
        *,
        header_row: int = 0,
        freeze: tuple[int, int] | None = None,
    ) -> Any:
        """A new sheet with `headers` on `header_row` and the panes frozen below it (or at
        `freeze`). `widths` is one width per column or one width for every header column."""
        sheet = self.book.add_worksheet(str(name)[:SHEET_NAME_MAX])
        if headers:
            sheet.write_row(header_row, 0, [str(h) for h in headers], self.head)
        if isinstance(widths, int):
            sheet.set_column(0, max(len(headers) - 1, 0), widths)
        elif widths:
            for col, width in enumerate(widths):
                sheet.set_column(col, col, width)
        sheet.freeze_panes(*(freeze or (header_row + 1, 0)))
        return sheet

    def row(self, sheet: Any, row: int, values: Iterable[Any], cell_format: Any = None) -> None:
        """Write one row: Decimal as money, int/float as numbers, dates as ISO text, None blank,
        anything else as its text."""
        for col, value in enumerate(values):
            if value is None:
                sheet.write_blank(row, col, None, cell_format)
            elif isinstance(value, Decimal):
                sheet.write_number(row, col, float(value), cell_format or self.money)
            elif isinstance(value, bool):
                sheet.write_string(row, col, str(value), cell_format)
            elif isinstance(value, int | float):
                sheet.write_number(row, col, value, cell_format)
            elif isinstance(value, date):
                sheet.write_string(row, col, value.isoformat(), cell_format)
            else:
                sheet.write_string(row, col, str(value), cell_format)

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()


def tables(sheets: Iterable[tuple[str, Sequence[Any], Iterable[Sequence[Any]]]], *, width: int = 16) -> bytes:
    """An .xlsx with one plain table per (title, header, rows)."""
    book = Workbook()
    for title, header, rows in sheets:
        sheet = book.sheet(title, header, widths=width)
        for r, values in enumerate(rows, start=1):
            book.row(sheet, r, values)
    return book.close()
