"""The streaming reader of text-only worksheets (bangfu.lib._sheet_stream via Sheet.stream_rows):
the same rows as python-calamine gives, a piece at a time, and python-calamine taking over where
the stream meets a cell it does not read."""

from __future__ import annotations

import io

import pytest
import xlsxwriter

from bangfu.lib import _sheet_stream, sheets

from ..hostile import xlsx


def _open(data: bytes) -> sheets.Sheet:
    return sheets.open_sheet(name="t.xlsx", data=data, use="registry")


def _trimmed(rows: list[list[object]]) -> list[list[object]]:
    """Rows without trailing blank cells (the stream's rows are as wide as the pre-scan's bound)."""
    out = []
    for row in rows:
        row = list(row)
        while row and row[-1] == "":
            row.pop()
        out.append(row)
    return out


def _text_workbook(rows: dict[int, dict[int, str]]) -> bytes:
    """A constant-memory XlsxWriter workbook (inline strings), cells at (row, column) → text."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    sheet = book.add_worksheet()
    for r in sorted(rows):
        for c, text in sorted(rows[r].items()):
            sheet.write_string(r, c, text)
    book.close()
    return buffer.getvalue()


def test_a_text_only_sheet_is_streamed_with_the_rows_calamine_gives():
    full = {c: f"v-{c}" for c in range(28)}  # A..AB: letters past Z
    rows = {
        1: {1: "a", 3: "b &<x> \"q\" 'a'"},  # row 1 blank; entities; cells missing
        2: dict(full),
        4: {0: " 空格 ", 2: "", 27: "最后一列"},  # row 3 blank; an empty string; preserved spaces
        5: {0: "line\nbreak", 1: "\r"},  # a carriage return is written as _x000D_
        6: {r: f"第{r}列" for r in range(28)},
    }
    data = _text_workbook(rows)
    streamed = _open(data)
    assert streamed._stream_part == "xl/worksheets/sheet1.xml"
    expected = _open(data).table()
    got = list(streamed.stream_rows())
    assert len(got) == len(expected) == 7
    assert {len(row) for row in got} == {streamed._stream_width}
    assert _trimmed(got) == _trimmed(expected)
    assert got[1][3] == "b &<x> \"q\" 'a'" and got[5][1] == "\r" and got[4][2] == ""


def test_a_sheet_with_numbers_or_shared_strings_is_read_by_calamine():
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})  # shared strings, numbers as <v>
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["户编号", "姓名"])
    sheet.write_row(1, 0, [5133250001, "扎西"])
    book.close()
    opened = _open(buffer.getvalue())
    assert opened._stream_part is None
    assert list(opened.stream_rows()) == [["户编号", "姓名"], [5133250001.0, "扎西"]]


@pytest.mark.parametrize(
    "odd_row",
    [
        b'<row r="3"><c r="A3"><v>7</v></c></row>',  # a number
        b'<row r="3"><c r="A3" t="inlineStr"><is><r><t>rich</t></r></is></c></row>',  # rich text
        b'<row r="3">\n<c r="A3" t="inlineStr"><is><t>x</t></is></c></row>',  # whitespace
    ],
)
def test_calamine_takes_over_where_the_stream_meets_a_cell_it_does_not_read(odd_row):
    """The pre-scan looks at the first block only; a later cell the stream cannot read hands the
    rest of the sheet to python-calamine, from the row the stream had reached."""
    text = b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>t%d</t></is></c><c r="B%d"/></row>'
    data = xlsx(b"".join(text % (r, r, r, r) for r in (1, 2)) + odd_row + text % (4, 4, 4, 4))
    opened = _open(data)
    opened._stream_part, opened._stream_width = "xl/worksheets/sheet1.xml", 2  # as for a big file
    expected = _open(data).table()
    assert _trimmed(list(opened.stream_rows())) == _trimmed(expected)


def test_rows_out_of_order_are_refused():
    text = b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>t</t></is></c></row>'
    opened = _open(xlsx(text % (2, 2) + text % (1, 1)))
    assert opened._stream_part is not None
    with pytest.raises(sheets.SheetRefused, match="rows out of order"):
        list(opened.stream_rows())


def test_the_stream_holds_one_piece_at_a_time(monkeypatch):
    """Pieces are cut at row ends every BLOCK_BYTES of XML, and rows cross piece edges intact."""
    monkeypatch.setattr(_sheet_stream, "BLOCK_BYTES", 1024)
    rows = {r: {0: f"户{r}", 1: "很长的文字" * (r % 7), 2: str(r)} for r in range(400)}
    data = _text_workbook(rows)
    pieces = []
    real = _sheet_stream._pieces

    def counted(stream):  # type: ignore[no-untyped-def]
        for piece in real(stream):
            pieces.append(len(piece))
            yield piece

    monkeypatch.setattr(_sheet_stream, "_pieces", counted)
    got = list(_open(data).stream_rows())
    assert got == [[f"户{r}", "很长的文字" * (r % 7), str(r)] for r in range(400)]
    assert len(pieces) > 20 and max(pieces) < 4096


# --- a pre-scan that leaves the worksheet's body to the stream (open_sheet(stream=True)) -----------
_ROW = (
    b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>t%d</t></is></c>'
    b'<c r="B%d" t="inlineStr"><is><t>x</t></is></c></row>'
)


def _numbered(numbers: range | list[int]) -> bytes:
    return b"".join(_ROW % (r, r, r, r) for r in numbers)


def _deferred(data: bytes, monkeypatch: pytest.MonkeyPatch) -> sheets.Sheet:
    """Opened as the registry import opens it, with a first block of 1 KB (a real one is 8 MB)."""
    monkeypatch.setattr(sheets, "_OUT_CHUNK", 1024)
    opened = sheets.open_sheet(name="t.xlsx", data=data, use="registry", stream=True)
    assert opened._scan_pending and opened._stream_part == "xl/worksheets/sheet1.xml"
    return opened


def _until_refused(sheet: sheets.Sheet) -> tuple[list[list[object]], str]:
    got: list[list[object]] = []
    with pytest.raises(sheets.SheetRefused) as refused:
        for row in sheet.stream_rows():
            got.append(row)
    return got, str(refused.value)


def test_a_deferred_sheet_streams_the_rows_calamine_gives(monkeypatch):
    data = xlsx(_numbered(range(1, 300)))
    assert _trimmed(list(_deferred(data, monkeypatch).stream_rows())) == _trimmed(_open(data).table())


def test_a_row_past_the_area_limits_is_refused_before_blank_rows_are_made(monkeypatch):
    """A small sheet whose last row is numbered 900,000: the area it claims is far beyond what its
    bytes could hold. The stream refuses at that row, before making 899,700 blank rows."""
    data = xlsx(_numbered(range(1, 300)) + _numbered([900_000]))
    with pytest.raises(sheets.SheetRefused, match="远大于文件实际内容"):
        _open(data)  # the full pre-scan refuses it up front
    got, message = _until_refused(_deferred(data, monkeypatch))
    assert len(got) == 299
    assert "900000行×2列" in message and "远大于文件实际内容" in message


def test_a_later_cell_past_the_column_limit_is_refused_by_the_full_pre_scan(monkeypatch):
    far_cell = b'<row r="300"><c r="XFD300" t="inlineStr"><is><t>x</t></is></c></row>'
    _got, message = _until_refused(_deferred(xlsx(_numbered(range(1, 300)) + far_cell), monkeypatch))
    assert "16384列" in message


@pytest.mark.parametrize(
    "hidden",
    [
        # a cell in a namespace prefix, which the stream's patterns do not see
        b'<row r="300"><x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'r="A300" t="inlineStr"><x:is><x:t>hidden</x:t></x:is></x:c></row>',
        # a row with no number
        b'<row><c r="A300" t="inlineStr"><is><t>hidden</t></is></c></row>',
        # a cell whose attributes come in another order
        b'<row r="300"><c t="inlineStr" r="A300"><is><t>hidden</t></is></c></row>',
    ],
)
def test_what_the_stream_would_skip_goes_to_the_full_pre_scan(monkeypatch, hidden):
    """Rows or cells the stream's patterns do not match, after the first block, are not skipped:
    the whole sheet is pre-scanned and read as without the stream, from the row reached."""
    data = xlsx(_numbered(range(1, 300)) + hidden + _numbered(range(301, 320)))
    expected = _open(data).table()
    got = list(_deferred(data, monkeypatch).stream_rows())
    assert _trimmed(got) == _trimmed(expected)
    assert len(got) == 319


def test_a_worksheet_larger_than_its_declared_size_is_refused(monkeypatch):
    """The stream reads through zipfile, which stops at the size the directory declares and then
    finds the checksum wrong: the file is refused, not read short."""
    data = bytearray(xlsx(_numbered(range(1, 300))))
    name = b"xl/worksheets/sheet1.xml"
    central = data.index(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(name)] != name:
        central = data.index(b"PK\x01\x02", central + 4)
    size = int.from_bytes(data[central + 24 : central + 28], "little")
    data[central + 24 : central + 28] = (size - 100).to_bytes(4, "little")
    got, message = _until_refused(_deferred(bytes(data), monkeypatch))
    assert "无法读取" in message and len(got) < 299
