"""Streaming rows of a pre-scanned .xlsx whose first worksheet holds only text cells.

python-calamine loads a whole worksheet before the first row comes out: for a 1,000,000-row
registry export that is some 2 GB of cells. A national-system export is written the way large
exports are (POI's streaming writer, XlsxWriter's constant-memory mode): every cell an inline
string, `<c r="B7" t="inlineStr"><is><t>text</t></is></c>`, or empty. For such a sheet (proved by
`bangfu.lib.sheets`' pre-scan, which sets `Sheet._stream_width`) this reader inflates the worksheet
a few MB at a time and cuts it at row ends; each piece's cells come out of two C-level `findall`
passes (column letters and values) and one `decode`, with Python work per row, not per cell. It
holds one piece at a time, and reads the sheet about twice as fast as python-calamine
(docs/benchmarks.md "Registry import").

It is also the check of the sheet's body when the pre-scan left it to the stream
(`open_sheet(stream=True)`): every piece must be read whole by its patterns (rows of canonical text
cells and whitespace, nothing else), and no row may lie past the caller's `last_row`; anything
else is NotStreamable (the caller completes the pre-scan) or TooFar (refused).

Rows are as `Sheet.rows()` gives them: numbered from the sheet's row 1 (missing rows as blank
rows), cells under their own columns, every row `width` cells wide (the pre-scan's column bound;
trailing blank cells may be more than python-calamine's).
"""

from __future__ import annotations

import html
import itertools
import re
import zipfile
from collections.abc import Iterator
from typing import IO

BLOCK_BYTES = 4 << 20  # inflated worksheet XML read at a time
_SHEET_DATA_OPEN = re.compile(rb"<sheetData\s*(/?)>")
_ROW_NUMBER = re.compile(rb'r="([0-9]{1,7})"')
_LETTERS = re.compile(rb'<c r="([A-Z]{1,3})')
# The forms of a text cell after its canonical start tag (the pre-scan proved every cell tag
# canonical). The value's group is empty for an empty cell. Any other content — a value `<v>`
# (number, shared string, boolean), a formula, rich text, whitespace between tags — does not match.
_TEXT_CELL_END = rb'(?:/>|><is><t(?: xml:space="preserve")?>([^<]*)</t></is></c>|><is><t/></is></c>|></c>)'
_CELL_START = rb'<c r="%s[0-9]{1,7}"(?: s="[0-9]{1,9}")?(?: t="inlineStr")?'
_TEXT_CELL = re.compile(_CELL_START % rb"[A-Z]{1,3}" + _TEXT_CELL_END)
# A whole row after its `<row `: text cells only, then the whitespace before the next row.
_ANY_ROW = re.compile(rb'r="[0-9]{1,7}"[^>/]*>(?:' + _TEXT_CELL.pattern + rb")*</row>\s*")
# OOXML's escape of characters XML cannot hold (`_x000D_` for a carriage return).
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


class NotStreamable(Exception):
    """The worksheet holds something this reader does not read (the caller reads it otherwise)."""


class OutOfOrder(Exception):
    """A row numbered before one already read: no spreadsheet program writes that."""


class TooFar(Exception):
    """A row numbered past the last row the caller allows (the sheet's area limits)."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number


# The workbook part and its relationships name the first sheet; real ones take a few KB.
_INDEX_PART_BYTES = 1 << 20
_INDEX_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")


def first_worksheet(archive: zipfile.ZipFile) -> str | None:
    """The part name of the workbook's first sheet (as python-calamine picks it), or None."""
    try:
        if max(archive.getinfo(p).file_size for p in _INDEX_PARTS) > _INDEX_PART_BYTES:
            return None
        workbook, rels = (archive.read(p) for p in _INDEX_PARTS)
    except KeyError:
        return None
    sheet = re.search(rb"<sheet\b[^>]*?\br:id=\"([^\"]+)\"", workbook)
    if sheet is None:
        return None
    for rel in re.finditer(rb"<Relationship\b[^>]*>", rels):
        tag = rel.group(0)
        if re.search(rb'\bId="' + re.escape(sheet.group(1)) + rb'"', tag):
            target = re.search(rb'\bTarget="([^"]+)"', tag)
            if target is None:
                return None
            path = target.group(1).decode()
            path = path.removeprefix("/") if path.startswith("/") else "xl/" + path
            return path if path in archive.NameToInfo else None
    return None


def stream_rows(source: IO[bytes], part: str, width: int, last_row: int) -> Iterator[list[str]]:
    """The rows of worksheet `part` of the archive in `source`, `width` cells each; TooFar for a
    row numbered past `last_row`, NotStreamable for anything but canonical text cells in rows.

    `zipfile` inflates no more than the entry's declared size and checks its CRC at the end, so the
    caller's checks of the archive directory bound what is read."""
    archive = zipfile.ZipFile(source)
    with archive.open(part) as stream:
        yield from _rows(_pieces(stream), width, last_row)


def _pieces(stream: IO[bytes]) -> Iterator[bytes]:
    """The inside of `<sheetData>`, cut after a `</row>` every few MB."""
    buffer = b""
    started = False
    while True:
        block = stream.read(BLOCK_BYTES)
        buffer += block
        if not started:
            opening = _SHEET_DATA_OPEN.search(buffer)
            if opening is None:
                if not block:
                    return
                buffer = buffer[-64:]  # the tag may be cut at the block's end
                continue
            if opening.group(1):  # <sheetData/>
                return
            started = True
            buffer = buffer[opening.end() :]
        if not block:
            end = buffer.find(b"</sheetData>")
            yield buffer if end < 0 else buffer[:end]
            return
        cut = buffer.rfind(b"</row>")
        if cut >= 0:
            cut += len(b"</row>")
            yield buffer[:cut]
            buffer = buffer[cut:]


def _regular_row(width: int) -> re.Pattern[bytes]:
    """A row (with the whitespace before it) with every cell A.. up to `width`, in order, each a
    text cell: one match gives the whole row, its number and the cells' values."""
    cells = b"".join(_CELL_START % _letters(i) + _TEXT_CELL_END for i in range(1, width + 1))
    return re.compile(rb'(\s*<row r="([0-9]{1,7})"[^>/]*>' + cells + rb"</row>)")


def _rows(pieces: Iterator[bytes], width: int, last_row: int) -> Iterator[list[str]]:
    regular = _regular_row(width)
    position = {_letters(i): i - 1 for i in range(1, width + 1)}
    blank = [""] * width
    next_row = 1
    for piece in pieces:
        found = regular.findall(piece)
        if len(found) == piece.count(b"<row ") and _tiled(found, piece):
            # The common case: one C-level pass per piece, which read all of it.
            values = _texts(list(itertools.chain.from_iterable(f[1:] for f in found)), piece)
            numbered = [
                (int(values[i]), values[i + 1 : i + width + 1]) for i in range(0, len(values), width + 1)
            ]
        else:
            before, *parts = piece.split(b"<row ")
            if before.strip():
                raise NotStreamable
            numbered = [_irregular(part, position, blank) for part in parts]
        for number, row in numbered:
            if number < next_row:
                raise OutOfOrder
            if number > last_row:
                raise TooFar(number)
            while next_row < number:
                yield blank.copy()
                next_row += 1
            yield row
            next_row += 1


def _tiled(found: list[tuple[bytes, ...]], piece: bytes) -> bool:
    """Whether the matched rows cover the whole piece (bar trailing whitespace): nothing between
    them, such as a cell in another form or namespace, went unread."""
    covered = sum(len(f[0]) for f in found)
    return covered == len(piece) or covered == len(piece.rstrip())


def _irregular(part: bytes, position: dict[bytes, int], blank: list[str]) -> tuple[int, list[str]]:
    """One row (the XML after `<row `) whose cells are not all there: each cell under its column."""
    number = _ROW_NUMBER.match(part)
    if number is None or _ANY_ROW.fullmatch(part) is None:
        raise NotStreamable
    letters = _LETTERS.findall(part)
    raw = _TEXT_CELL.findall(part)
    if len(letters) != len(raw):
        raise NotStreamable
    row = blank.copy()
    for column, value in zip(letters, _texts(raw, part), strict=True):
        index = position.get(column)
        if index is None:
            raise NotStreamable
        row[index] = value
    return int(number.group(1)), row


def _letters(number: int) -> bytes:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters.encode()


def _texts(raw: list[bytes], piece: bytes) -> list[str]:
    """The cells' text: decoded in one go (NUL cannot occur in XML), entities and OOXML escapes
    undone where the piece has any."""
    if not raw:
        return []
    values = b"\x00".join(raw).decode("utf-8").split("\x00")
    if b"&" in piece:
        values = [html.unescape(v) if "&" in v else v for v in values]
    if b"_x" in piece:
        values = [_OOXML_ESCAPE.sub(_unescape, v) if "_x" in v else v for v in values]
    return values


def _unescape(match: re.Match[str]) -> str:
    return chr(int(match.group(1), 16))
