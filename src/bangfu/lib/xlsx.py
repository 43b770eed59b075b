"""Writing the .xlsx files bangfu hands out (xlsxwriter, in memory), with one look everywhere: a bold
shaded header row, frozen panes below it, money as numbers with two decimals, dates as ISO text,
blank cells for missing values; sheets meant for paper get `print_setup` (A4, title rows repeated,
fitted to the page width)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import xlsxwriter

MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_NAME_MAX = 31  # Excel's limit on a sheet name
A4 = 9  # Excel's paper size code


@dataclass(frozen=True)
class Formula:
    """A formula bangfu writes itself (never text from a user), with the value it computes now,
    which readers that do not recalculate show."""

    formula: str
    value: Any


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
        self.number = self.book.add_format({"num_format": "#,##0.##", "valign": "top"})
        self.integer = self.book.add_format({"num_format": "0", "valign": "top"})
        self.title = self.book.add_format(
            {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}
        )
        self.subtitle = self.book.add_format({"align": "right", "valign": "vcenter"})
        self.total_text = self.book.add_format({"bold": True, "top": 1, "valign": "top"})

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

    def row(
        self,
        sheet: Any,
        row: int,
        values: Iterable[Any],
        cell_format: Any = None,
        *,
        formats: Mapping[int, Any] | None = None,
    ) -> None:
        """Write one row: Decimal as money, int/float as numbers, dates as ISO text, None blank,
        `Formula` as a formula, anything else as its text. `formats` overrides the format of
        some columns (e.g. money columns in a row of wrapped text)."""
        for col, value in enumerate(values):
            fmt = (formats or {}).get(col, cell_format)
            self._cell(sheet, row, col, value, fmt)

    def _cell(self, sheet: Any, row: int, col: int, value: Any, cell_format: Any) -> None:
        if isinstance(value, Formula):
            cached = float(value.value) if isinstance(value.value, Decimal) else value.value
            sheet.write_formula(row, col, value.formula, cell_format or self.money, cached)
            return
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

    def print_setup(
        self, sheet: Any, *, title_rows: tuple[int, int] = (0, 0), landscape: bool = True
    ) -> None:
        """For paper: A4, landscape or portrait, narrow margins, fitted to one page wide, the rows
        `title_rows` (first, last) repeated on every page, centred, "第 N 页，共 M 页" below."""
        if landscape:
            sheet.set_landscape()
        else:
            sheet.set_portrait()
        sheet.set_paper(A4)
        sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(*title_rows)
        sheet.center_horizontally()
        sheet.set_footer("&C第 &P 页，共 &N 页")

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
