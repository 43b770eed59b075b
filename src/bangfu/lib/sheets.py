"""Every spreadsheet that comes into or goes out of bangfu passes through here.

**Reading** (`open_sheet`, `decode_text`): a file from outside is hostile until checked. Before
python-calamine loads anything, the file is checked against the limits of its use
(`settings.SHEET_LIMITS`, `docs/operations.md` "Spreadsheet uploads"):

- its size; its kind from its first bytes (xlsx/xlsm = a zip archive, xls = an OLE2 compound
  file, csv/txt = text), which must agree with its name;
- xlsx: the archive — entry count, compression methods, declared and *actual* decompressed sizes
  (each entry is inflated here, so a size the directory lies about is caught) and the compression
  ratio — and every worksheet's cells. calamine allocates the bounding box of the cells it finds
  (rows × columns) in one block, so a 7 KB sheet with one cell at XFD1048576 asks for half a
  terabyte and aborts the process. The pre-scan bounds that box: one C-speed regular-expression
  pass over each inflated worksheet proves that every cell is written the canonical way
  (`<c r="B7" s="1" t="s">`, as Excel, WPS, POI, openpyxl and xlsxwriter write it) and lies
  inside (rows × columns) within the limits and not larger than the XML could hold (a few bytes
  per cell); no Python loop runs per cell. A workbook the pre-scan cannot vouch for (any .xls,
  an .xlsx written in an unusual way: cells without `r`, namespace prefixes, UTF-16 XML) is read
  in a child process whose address space and CPU time are capped (`bangfu.lib._sheet_child`):
  whatever calamine then does, only the child can die. For the registry import
  (`open_sheet(stream=True)`), a first worksheet whose first block holds only text cells is not
  inflated twice: the streaming reader (`bangfu.lib._sheet_stream`) reads it and makes the same
  checks as it goes (canonical text cells only, rows within the area limits, the declared size),
  handing anything else back to the full pre-scan;
- csv/txt: the encoding (UTF-8 with or without BOM, GB18030, UTF-16 with BOM or recognisably
  without), no control characters, the row count and the column count.

Every refusal is `SheetRefused`, whose text is a message for the user naming the file and the
limit. A cell longer than the limit is not a refusal: it is the row's error, reported by the
importer (`cell_too_long`).

**Writing** (`Workbook`, `tables`, `write_table`, `csv_safe`): the one place bangfu writes
spreadsheets. Text is always written as text, never as a formula; text that Excel would take for
a formula when someone edits the cell (starting with = + - @, a tab or a carriage return) carries
Excel's quote prefix, so it stays text even then, and in CSV it gets a leading apostrophe.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import os
import pickle
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django import forms
from django.utils.translation import gettext as _

# A cell is bounded by its file: the csv module's own limit (128 KB) would only turn a long cell
# into an exception mid-file. Long cells are the importers' row errors (`cell_too_long`).
csv.field_size_limit(2**31 - 1)

# --- limits ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """What one use of the reader accepts (`settings.SHEET_LIMITS[use]`)."""

    max_bytes: int  # the file as uploaded
    max_rows: int
    max_columns: int
    max_cells: int  # rows × columns of the first sheet's used area (what calamine allocates)
    max_cell_chars: int
    max_uncompressed: int  # xlsx: all archive entries together, inflated
    max_ratio: int  # xlsx: inflated / compressed size of an entry of 1 MiB or more
    max_entries: int  # xlsx: archive entries
    child_memory: int  # bytes of address space for the child process
    child_seconds: int  # CPU seconds for the child process


LIMIT_FIELDS = tuple(f.name for f in fields(Limits))


def limits(use: str) -> Limits:
    from django.conf import settings

    return Limits(**settings.SHEET_LIMITS[use])


# Bytes of worksheet XML per cell of the used area a file may claim: a written cell takes 20 or
# more (`<c r="A1"><v>1</v></c>`), so even a sparse real sheet stays far below this; a sheet that
# claims more cells than its XML could describe is a memory bomb.
BYTES_PER_CELL = 4
# A sheet up to this many cells is never refused for claiming more than its bytes.
SMALL_SHEET_CELLS = 100_000
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
TEXT_SUFFIXES = (".csv", ".txt")
ACCEPTED = ".xlsx、.xls、.csv"


class SheetRefused(ValueError):
    """The file cannot be read at all; `str()` is a message for the user."""


def _refuse(name: str, reason: str) -> SheetRefused:
    return SheetRefused(_("文件“%(name)s”：%(reason)s") % {"name": _short(name), "reason": reason})


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _size(n: int) -> str:
    if n >= 1 << 30:
        return f"{n / (1 << 30):.1f} GB"
    if n >= 1 << 20:
        return f"{n / (1 << 20):.0f} MB"
    return f"{n / 1024:.0f} KB"


def cell_too_long(value: Any, max_chars: int) -> bool:
    return type(value) is str and len(value) > max_chars


def long_cell_message(column: int | str, length: int, max_chars: int) -> str:
    """The row error for a cell over the limit (`column` is 1-based or a header label)."""
    if isinstance(column, int):
        where = _("第%(col)d列") % {"col": column}
    else:
        where = _short(str(column), 20)
    return _("%(where)s有%(n)d个字符，超过上限%(max)d") % {"where": where, "n": length, "max": max_chars}


# --- opening -----------------------------------------------------------------------------------------
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(head: bytes) -> str:
    """'zip', 'ole2' or 'text' from a file's first bytes."""
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(OLE2_MAGIC):
        return "ole2"
    return "text"


@dataclass
class Sheet:
    """The first sheet of a checked file. `rows()` yields its rows once, numbered from the sheet's
    row 1 (blank leading rows as empty lists) and from its column A."""

    name: str
    kind: str  # "xlsx", "xls", "csv"
    encoding: str  # for csv: the detected encoding
    limits: Limits
    _data: bytes | None
    _path: Path | None
    _text_delimiter: str = ","
    _pre_scanned: bool = False
    # Set by the pre-scan when the first worksheet holds only text cells: its part name, width and
    # inflated size.
    _stream_part: str | None = None
    _stream_width: int = 0
    _stream_bytes: int = 0
    # `open_sheet(stream=True)` left that worksheet's body to the stream, which checks it as it
    # reads; anything else that reads the sheet first completes the pre-scan (`_scanned`).
    _scan_pending: bool = False

    @property
    def format(self) -> str:
        return f"csv/{self.encoding}" if self.kind == "csv" else self.kind

    def rows(self) -> Iterator[list[Any]]:
        if self.kind == "csv":
            return self._csv_rows()
        self._scanned()
        if self._pre_scanned:
            return self._calamine_rows()
        return self._child_rows()

    def table(self) -> list[list[Any]]:
        return list(self.rows())

    def stream_rows(self) -> Iterator[list[Any]]:
        """`rows()`, read a piece at a time where the pre-scan found only text cells (memory
        bounded by the piece, `bangfu.lib._sheet_stream`); the rows may then carry more trailing
        blank cells than `rows()` gives."""
        if self._stream_part is None:
            return self.rows()
        return self._streamed_rows()

    def _scanned(self) -> None:
        """Complete a pre-scan that left the first worksheet to the stream (SheetRefused)."""
        if self._scan_pending:
            self._scan_pending = False
            self._pre_scanned = _XlsxScan(self).run()

    def _streamed_rows(self) -> Iterator[list[Any]]:
        from bangfu.lib import _sheet_stream

        assert self._stream_part is not None
        width, xml_bytes = self._stream_width, self._stream_bytes
        # The stream refuses a row past the area limits, so a sheet that claims a huge area is
        # refused before its blank rows are made.
        last_row = self._last_row(width, xml_bytes)
        source: IO[bytes] = io.BytesIO(self._data) if self._data is not None else open(self._path, "rb")  # type: ignore[arg-type]
        done = 0
        try:
            with source:
                for row in _sheet_stream.stream_rows(source, self._stream_part, width, last_row):
                    yield row
                    done += 1
        except _sheet_stream.NotStreamable:
            # Something the streaming reader does not read, after the first block: the pre-scan
            # checks the whole sheet (if it had not), python-calamine (or the capped child) reads
            # it and the rows go on from where the stream stopped.
            yield from itertools.islice(self.rows(), done, None)
        except _sheet_stream.TooFar as exc:
            raise self._area_refusal(exc.number, width, xml_bytes) from None
        except _sheet_stream.OutOfOrder:
            raise _unreadable(self.name, "rows out of order") from None
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, UnicodeDecodeError) as exc:
            raise _unreadable(self.name, str(exc)) from None

    # -- csv ------------------------------------------------------------------------------------------
    def _csv_rows(self) -> Iterator[list[Any]]:
        data = self._data if self._data is not None else _read_path(self._path)
        stream = io.TextIOWrapper(io.BytesIO(data), encoding=self.encoding, newline="")
        reader = csv.reader(stream, delimiter=self._text_delimiter)
        max_columns = self.limits.max_columns
        number = 0
        try:
            for number, row in enumerate(reader, start=1):
                if len(row) > max_columns:
                    raise _refuse(
                        self.name,
                        _("第%(row)d行有%(n)d列，超过上限%(max)d列")
                        % {"row": number, "n": len(row), "max": max_columns},
                    )
                yield row
        except csv.Error as exc:
            raise _refuse(
                self.name, _("第%(row)d行无法解析（%(error)s）") % {"row": number + 1, "error": exc}
            ) from None

    # -- xlsx, pre-scanned ---------------------------------------------------------------------------
    def _calamine_rows(self) -> Iterator[list[Any]]:
        from python_calamine import CalamineWorkbook

        try:
            book = (
                CalamineWorkbook.from_path(str(self._path))
                if self._path is not None
                else CalamineWorkbook.from_filelike(io.BytesIO(self._data or b""))
            )
            if not book.sheet_names:
                return
            sheet = book.get_sheet_by_index(0)
            start = sheet.start
            rows = sheet.iter_rows()
        except Exception as exc:  # calamine raises its own error types for broken files
            raise _unreadable(self.name, str(exc)) from None
        yield from _placed(rows, start)

    # -- xls and odd xlsx: in a capped child process --------------------------------------------------
    def _child_rows(self) -> Iterator[list[Any]]:
        lim = self.limits
        request = {
            "path": str(self._path) if self._path is not None else None,
            "max_rows": lim.max_rows,
            "max_columns": lim.max_columns,
            "max_cells": lim.max_cells,
            "memory": lim.child_memory,
            "cpu_seconds": lim.child_seconds,
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "bangfu.lib._sheet_child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert process.stdin is not None and process.stdout is not None
        try:
            try:
                process.stdin.write(json.dumps(request).encode() + b"\n")
                if self._path is None:
                    process.stdin.write(self._data or b"")
                process.stdin.close()
            except BrokenPipeError:
                pass
            start: tuple[int, int] = (0, 0)
            while True:
                kind, payload = _read_frame(process.stdout)
                if kind == b"D":
                    area = json.loads(payload)
                    start = (int(area["start"][0]), int(area["start"][1]))
                    self._check_area(int(area["rows"]), int(area["columns"]), None)
                elif kind == b"R":
                    yield from _placed(_SafeUnpickler(io.BytesIO(payload)).load(), start)
                elif kind == b"E":
                    raise self._child_error(json.loads(payload))
                elif kind == b"Z":
                    return
                else:  # the child died (memory or CPU cap) or wrote nonsense
                    raise _refuse(
                        self.name,
                        _("读取时超出内存上限（%(memory)s）或时间上限，文件过大或已损坏")
                        % {"memory": _size(lim.child_memory)},
                    )
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
            process.stdout.close()

    def _child_error(self, error: dict[str, Any]) -> SheetRefused:
        if error.get("code") == "too_big":
            return self._area_refusal(int(error["rows"]), int(error["columns"]), None)
        if error.get("code") == "no_sheet":
            return _refuse(self.name, _("工作簿中没有工作表"))
        if error.get("code") == "memory":
            return _refuse(
                self.name, _("读取时超出内存上限（%(memory)s）") % {"memory": _size(self.limits.child_memory)}
            )
        return _unreadable(self.name, str(error.get("detail", "")))

    def _check_area(self, rows: int, columns: int, xml_bytes: int | None) -> None:
        if columns > self.limits.max_columns or rows > self._last_row(columns, xml_bytes):
            raise self._area_refusal(rows, columns, xml_bytes)

    def _last_row(self, columns: int, xml_bytes: int | None) -> int:
        """The last row a sheet `columns` wide may reach: at most `max_rows`, at most `max_cells`
        in all, and (given its XML's size) no more cells than that XML could describe."""
        lim = self.limits
        if not columns:
            return lim.max_rows
        last = min(lim.max_rows, lim.max_cells // columns)
        if xml_bytes is not None:
            last = min(last, max(SMALL_SHEET_CELLS, xml_bytes // BYTES_PER_CELL) // columns)
        return last

    def _area_refusal(self, rows: int, columns: int, xml_bytes: int | None) -> SheetRefused:
        lim = self.limits
        if rows > lim.max_rows:
            return _refuse(self.name, _("有%(n)d行，超过上限%(max)d行") % {"n": rows, "max": lim.max_rows})
        if columns > lim.max_columns:
            return _refuse(
                self.name, _("有%(n)d列，超过上限%(max)d列") % {"n": columns, "max": lim.max_columns}
            )
        if rows * columns > lim.max_cells:
            return _refuse(
                self.name,
                _("表格范围%(rows)d行×%(cols)d列，超过上限%(max)d个单元格")
                % {"rows": rows, "cols": columns, "max": lim.max_cells},
            )
        return _refuse(
            self.name,
            _("表格声明的范围（%(rows)d行×%(cols)d列）远大于文件实际内容，疑为恶意构造的文件")
            % {"rows": rows, "cols": columns},
        )


def _placed(rows: Iterable[list[Any]], start: tuple[int, int] | None) -> Iterator[list[Any]]:
    """python-calamine's `iter_rows` starts at the sheet's first row but at the first used
    column: put the cells back under their own columns (what header detection and error messages
    count)."""
    first_col = start[1] if start else 0
    if first_col:
        pad = [""] * first_col
        for row in rows:
            yield [*pad, *row]
    else:
        yield from rows


def _read_frame(stream: IO[bytes]) -> tuple[bytes, bytes]:
    head = stream.read(5)
    if len(head) < 5:
        return b"", b""
    (length,) = struct.unpack(">I", head[1:])
    payload = stream.read(length)
    if len(payload) < length:
        return b"", b""
    return head[:1], payload


class _SafeUnpickler(pickle.Unpickler):
    """Rows from the child hold only builtins and datetime values; nothing else may be loaded."""

    ALLOWED = {
        ("datetime", "date"),
        ("datetime", "datetime"),
        ("datetime", "time"),
        ("datetime", "timedelta"),
    }

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.ALLOWED:
            return {"date": date, "datetime": datetime, "time": time, "timedelta": timedelta}[name]
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed")


def _unreadable(name: str, detail: str) -> SheetRefused:
    if "password" in detail.lower():
        return _refuse(name, _("文件有密码保护，请去掉密码后再上传"))
    return _refuse(
        name, _("文件已损坏或不是 Excel 工作簿，无法读取（%(detail)s）") % {"detail": _short(detail, 120)}
    )


def _read_path(path: Path | None) -> bytes:
    assert path is not None
    return path.read_bytes()


def open_sheet(
    *,
    name: str,
    data: bytes | None = None,
    path: Path | str | None = None,
    use: str = "upload",
    stream: bool = False,
) -> Sheet:
    """Check a file (bytes of an upload, or a path for the CLI) and return its first sheet.
    Raises SheetRefused, naming the file and the limit, for anything it will not read.

    `stream=True` is for a caller that reads with `Sheet.stream_rows()`: when the first block of
    the first worksheet shows only text cells, the pre-scan leaves the rest of that worksheet to
    the stream, which checks it as it reads (so it is inflated once, not twice); a refusal may then
    come from `stream_rows()`, mid-sheet."""
    lim = limits(use)
    file_path = Path(path) if path is not None else None
    shown = Path(name).name or name
    suffix = Path(name).suffix.lower()
    if suffix not in EXCEL_SUFFIXES + TEXT_SUFFIXES:
        raise _refuse(
            shown,
            _("不支持的文件类型“%(type)s”，只接受 %(accepted)s 文件")
            % {"type": suffix or name, "accepted": ACCEPTED},
        )
    try:
        size = len(data) if data is not None else os.stat(file_path).st_size  # type: ignore[arg-type]
        if size > lim.max_bytes:
            raise _refuse(
                shown,
                _("文件大小%(size)s，超过上限%(max)s") % {"size": _size(size), "max": _size(lim.max_bytes)},
            )
        if size == 0:
            raise _refuse(shown, _("文件是空的"))
        if data is not None:
            head = data[:8]
        else:
            with open(file_path, "rb") as handle:  # type: ignore[arg-type]
                head = handle.read(8)
    except OSError as exc:
        raise _refuse(shown, _("无法打开文件（%(error)s）") % {"error": exc.strerror or exc}) from None
    content = sniff(head)
    if suffix in EXCEL_SUFFIXES and content == "text":
        raise _refuse(
            shown,
            _("扩展名是%(suffix)s，但内容不是 Excel 工作簿（可能是改了扩展名的文本或网页文件）；")
            % {"suffix": suffix}
            + _("请用 Excel 或 WPS 打开后另存为 .xlsx"),
        )
    if suffix in TEXT_SUFFIXES and content != "text":
        raise _refuse(
            shown,
            _("扩展名是%(suffix)s，但内容是 Excel 工作簿；请把扩展名改回 .xlsx 或 .xls，或另存为 CSV")
            % {"suffix": suffix},
        )
    if content == "text":
        raw = data if data is not None else _read_path(file_path)
        encoding, delimiter = _check_text(raw, shown, lim)
        return Sheet(shown, "csv", encoding, lim, data if data is not None else raw, None, delimiter)
    if content == "ole2":
        return Sheet(shown, "xls", "", lim, data, file_path)
    sheet = Sheet(shown, "xlsx", "", lim, data, file_path)
    sheet._pre_scanned = _XlsxScan(sheet).run(stream=stream)
    return sheet


def inflated_size(data: bytes) -> int:
    """What a file will take once read: an xlsx's declared uncompressed size (checked for real
    by `open_sheet`), any other file's own size."""
    if sniff(data[:8]) != "zip":
        return len(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return len(data)


def spreadsheet_upload_error(upload: Any, *, use: str = "upload", max_bytes: int | None = None) -> str | None:
    """Why an uploaded file is refused before it is even read (its name or its size), or None."""
    name = str(getattr(upload, "name", "") or "")
    suffix = Path(name).suffix.lower()
    if suffix not in EXCEL_SUFFIXES + TEXT_SUFFIXES:
        return _("只接受 %(accepted)s 文件。") % {"accepted": ACCEPTED}
    max_bytes = min(max_bytes or limits(use).max_bytes, limits(use).max_bytes)
    if (getattr(upload, "size", 0) or 0) > max_bytes:
        return _("文件超过%(max)s。") % {"max": _size(max_bytes)}
    return None


class SpreadsheetField(forms.FileField):
    """An upload field for a spreadsheet: refuses other file types and files over the size limit
    of its use before the view reads a byte (the content is checked by `open_sheet`)."""

    def __init__(self, *args: Any, use: str = "upload", max_bytes: int | None = None, **kwargs: Any) -> None:
        self.use = use
        self.max_bytes = max_bytes
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload:
            problem = spreadsheet_upload_error(upload, use=self.use, max_bytes=self.max_bytes)
            if problem:
                raise forms.ValidationError(problem)
        return upload


# --- text --------------------------------------------------------------------------------------------
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TEXT_CHUNK = 1 << 20
TEXT_ENCODINGS = "UTF-8、GB18030（GBK）或 UTF-16"


def detect_encoding(data: bytes) -> str | None:
    """The encoding of a text file as Chinese offices save them, or None: a BOM decides; NUL bytes
    in every other position mean UTF-16 without BOM; then UTF-8, then GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = data[:4096]
    if b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > len(head) // 4 and even == 0:
            return "utf-16-le"
        if even > len(head) // 4 and odd == 0:
            return "utf-16-be"
        return None
    for encoding in ("utf-8", "gb18030"):
        if _decodes(data, encoding):
            return encoding
    return None


def _decodes(data: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        for start in range(0, len(data), _TEXT_CHUNK):
            decoder.decode(data[start : start + _TEXT_CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _text_chunks(data: bytes, encoding: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(encoding)()
    for start in range(0, len(data), _TEXT_CHUNK):
        yield decoder.decode(data[start : start + _TEXT_CHUNK])
    yield decoder.decode(b"", final=True)


def _check_text(data: bytes, name: str, lim: Limits) -> tuple[str, str]:
    """(encoding, delimiter) of a CSV/TXT file, or SheetRefused."""
    encoding = detect_encoding(data)
    if encoding is None:
        raise _refuse(
            name,
            _("无法识别文件编码，或文件不是文本表格；请另存为 %(encodings)s 编码的 CSV 文件")
            % {"encodings": TEXT_ENCODINGS},
        )
    lines = 0
    first_line: str | None = None
    content = False
    try:
        for chunk in _text_chunks(data, encoding):
            if _CONTROL.search(chunk):
                raise _refuse(name, _("文件含有不可见的控制字符，不是文本表格（可能是改了扩展名的其他文件）"))
            lines += chunk.count("\n")
            content = content or bool(chunk.strip())
            if first_line is None and chunk:
                first_line = chunk.partition("\n")[0]
    except UnicodeDecodeError:
        raise _refuse(
            name, _("文件编码有误；请另存为 %(encodings)s 编码的 CSV 文件") % {"encodings": TEXT_ENCODINGS}
        ) from None
    if not content:
        raise _refuse(name, _("文件是空的"))
    if lines > lim.max_rows:
        raise _refuse(name, _("有%(n)d行，超过上限%(max)d行") % {"n": lines, "max": lim.max_rows})
    first_line = first_line or ""
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    return encoding, delimiter


def decode_text(data: bytes, *, name: str, max_bytes: int | None = None) -> str:
    """A whole text file (a plan YAML, an area list) in one of the accepted encodings, or
    SheetRefused naming the encodings."""
    if max_bytes is not None and len(data) > max_bytes:
        raise _refuse(
            name, _("文件大小%(size)s，超过上限%(max)s") % {"size": _size(len(data)), "max": _size(max_bytes)}
        )
    encoding = detect_encoding(data)
    if encoding is None:
        raise _refuse(
            name,
            _("无法识别文件编码，或文件不是文本；请另存为 %(encodings)s 编码")
            % {"encodings": TEXT_ENCODINGS},
        )
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:  # a BOM or NUL pattern promised UTF-16, the rest is not
        raise _refuse(
            name,
            _("文件不是有效的 %(encoding)s 文本；请另存为 %(encodings)s 编码")
            % {"encoding": encoding.upper(), "encodings": TEXT_ENCODINGS},
        ) from None
    if _CONTROL.search(text):
        raise _refuse(name, _("文件含有不可见的控制字符，不是文本文件"))
    return text


# --- xlsx pre-scan -----------------------------------------------------------------------------------
_LOCAL_HEADER = struct.Struct("<4s22xHH")
_IN_CHUNK = 1 << 20
_OUT_CHUNK = 8 << 20
_RATIO_FLOOR = 1 << 20  # entries smaller than this may compress as well as they like
_SHEET_DATA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheetData[\s/>]")
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_DIMENSION = re.compile(rb'<dimension ref="(?:[A-Z]+[0-9]+:)?([A-Z]{1,3})([0-9]{1,7})"')
_LAST_CELL = b'<c r="'
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([^\"']+)[\"']")
# In a worksheet's first block: content the streaming reader does not read (values, formulas,
# rich text). Later blocks are not searched: the reader hands over to python-calamine if it meets any.
_NOT_TEXT = re.compile(rb"<v>|<f[\s>/]|<is><r[\s>]")


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + (char - 64)
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _letters_at_most(limit: str) -> str:
    """A regex for column letters that read as a column ≤ `limit` (shorter strings are smaller;
    strings of the same length compare letter by letter)."""
    options = [f"[A-Z]{{1,{len(limit) - 1}}}"] if len(limit) > 1 else []
    for i, char in enumerate(limit):
        if char != "A":
            rest = len(limit) - i - 1
            options.append(f"{limit[:i]}[A-{chr(ord(char) - 1)}]" + (f"[A-Z]{{{rest}}}" if rest else ""))
    options.append(limit)
    return "(?:" + "|".join(options) + ")"


def _rows_bound(row: int) -> tuple[int, str]:
    """(bound, regex): `row` rounded up in its third significant digit, and a regex for row
    numbers up to the bound. The rounding lets one compiled pattern serve many chunks."""
    digits = len(str(row))
    if digits <= 2:
        return 99, "[1-9][0-9]?"
    scale = 10 ** (digits - 2)
    bound = (row // scale + 1) * scale - 1
    text = str(bound)
    first, second, rest = int(text[0]), int(text[1]), len(text) - 2
    options = [f"{first}[0-{second}][0-9]{{{rest}}}"]
    if first > 1:
        options.append(f"[1-{first - 1}][0-9]{{{len(text) - 1}}}")
    options.append(f"[1-9][0-9]{{0,{len(text) - 2}}}+")
    return bound, "(?:" + "|".join(options) + ")"


class _XlsxScan:
    """The archive and worksheet checks of one .xlsx (see the module docstring)."""

    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
        self.lim = sheet.limits
        self.name = sheet.name
        self.canonical = True
        self.patterns: dict[tuple[int, str], re.Pattern[bytes]] = {}
        self.worksheets: dict[str, _WorksheetScan] = {}  # by part name

    def run(self, *, stream: bool = False) -> bool:
        """True when calamine may read the file in this process; False to read it in the child.
        Raises SheetRefused. With `stream`, the first worksheet's body is left to the stream when
        its first block holds only text cells (`open_sheet`)."""
        lim, name = self.lim, self.name
        source: IO[bytes]
        if self.sheet._data is not None:
            source = io.BytesIO(self.sheet._data)
        else:
            source = open(self.sheet._path, "rb")  # type: ignore[arg-type]
        with source:
            try:
                archive = zipfile.ZipFile(source)
                entries = archive.infolist()
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
                raise _unreadable(name, "zip") from None
            if len(entries) > lim.max_entries:
                raise _refuse(
                    name,
                    _("压缩包内有%(n)d个文件，超过上限%(max)d") % {"n": len(entries), "max": lim.max_entries},
                )
            names = [entry.filename.lower() for entry in entries]
            if len(set(names)) != len(names):
                raise _unreadable(name, "duplicate entries")
            declared = sum(entry.file_size for entry in entries)
            if declared > lim.max_uncompressed:
                raise self._too_big(declared)
            for entry in entries:
                if entry.flag_bits & 0x1:
                    raise _refuse(name, _("文件有密码保护，请去掉密码后再上传"))
                if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise _unreadable(name, f"compression {entry.compress_type}")
                if entry.file_size >= _RATIO_FLOOR and entry.file_size > lim.max_ratio * max(
                    entry.compress_size, 1
                ):
                    raise _refuse(
                        name,
                        _("压缩比%(ratio)d:1，超过上限%(max)d:1，疑为压缩炸弹")
                        % {"ratio": entry.file_size // max(entry.compress_size, 1), "max": lim.max_ratio},
                    )
            from bangfu.lib._sheet_stream import first_worksheet

            first = first_worksheet(archive)
            deferred = None
            for entry in entries:
                if stream and entry.filename == first and self._first_block(source, entry):
                    deferred = entry
                else:
                    self._entry(source, entry)
            if deferred is not None and self.canonical:
                self._choose_stream(deferred, pending=True)
            elif self.canonical and first in archive.NameToInfo:
                self._choose_stream(archive.NameToInfo[first], pending=False)  # type: ignore[index]
        return self.canonical

    def _choose_stream(self, entry: zipfile.ZipInfo, *, pending: bool) -> None:
        """Let the first worksheet be streamed when it holds only text cells."""
        scan = self.worksheets.get(entry.filename)
        if scan is not None and scan.text_only and scan.columns:
            self.sheet._stream_part = entry.filename
            self.sheet._stream_width = scan.columns
            self.sheet._stream_bytes = entry.file_size
            self.sheet._scan_pending = pending

    def _too_big(self, size: int) -> SheetRefused:
        return _refuse(
            self.name,
            _("解压后大小%(size)s，超过上限%(max)s")
            % {"size": _size(size), "max": _size(self.lim.max_uncompressed)},
        )

    def _entry(self, source: IO[bytes], entry: zipfile.ZipInfo) -> None:
        """Inflate one entry from its raw bytes (as calamine's zip reader will, to the end of its
        deflate stream, whatever the directory says), scanning it if it is a worksheet."""
        scanner: _WorksheetScan | None = None
        pending = b""  # inflated bytes not yet handed to the scanner
        produced = 0
        for out in self._inflated(source, entry):
            produced += len(out)
            pending += out
            if len(pending) >= _OUT_CHUNK:
                scanner, pending = self._feed(scanner, pending)
        scanner, pending = self._feed(scanner, pending, final=True)
        if scanner is not None and self.canonical:
            scanner.finish(produced)
            self.worksheets[entry.filename] = scanner

    def _first_block(self, source: IO[bytes], entry: zipfile.ZipInfo) -> bool:
        """Scan the first block of the first worksheet only; True when it holds only text cells,
        so the stream may read (and check) the rest: `_sheet_stream` reads only canonical text
        cells, hands anything else back to the full pre-scan, refuses a row past the area limits,
        and reads through `zipfile`, which stops at the declared size and checks the CRC."""
        if not self.canonical or entry.file_size <= _OUT_CHUNK:
            return False  # a small worksheet is scanned whole
        pending = b""
        for out in self._inflated(source, entry):
            pending += out
            if len(pending) >= _OUT_CHUNK:
                break
        scanner, _rest = self._feed(None, pending)  # up to the last tag start, as for any block
        if scanner is None or not self.canonical or not scanner.text_only or not scanner.columns:
            self.canonical = True  # (it was before) the full scan of this entry decides
            return False
        self.worksheets[entry.filename] = scanner
        return True

    def _inflated(self, source: IO[bytes], entry: zipfile.ZipInfo) -> Iterator[bytes]:
        """The inflated bytes of one entry, in blocks, checked against its declared size."""
        source.seek(entry.header_offset)
        header = source.read(_LOCAL_HEADER.size)
        if len(header) < _LOCAL_HEADER.size:
            raise _unreadable(self.name, "truncated")
        signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
        if signature != b"PK\x03\x04":
            raise _unreadable(self.name, "local header")
        source.seek(entry.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
        inflater = zlib.decompressobj(-15) if entry.compress_type == zipfile.ZIP_DEFLATED else None
        remaining = entry.compress_size
        produced = 0
        while remaining:
            block = source.read(min(_IN_CHUNK, remaining))
            if not block:
                raise _unreadable(self.name, "truncated")
            remaining -= len(block)
            while block:
                if inflater is None:
                    out, block = block, b""
                else:
                    out = inflater.decompress(block, _OUT_CHUNK)
                    block = inflater.unconsumed_tail
                produced += len(out)
                if produced > entry.file_size:
                    raise _unreadable(self.name, "size mismatch")
                yield out
                if inflater is not None and inflater.eof:
                    break
        if inflater is not None and not inflater.eof:
            raise _unreadable(self.name, "truncated deflate stream")
        if produced != entry.file_size:
            raise _unreadable(self.name, "size mismatch")

    def _feed(
        self, scanner: _WorksheetScan | None, pending: bytes, *, final: bool = False
    ) -> tuple[_WorksheetScan | None, bytes]:
        """Hand complete tags to the worksheet scanner; return what is left over."""
        if scanner is None:
            match = _SHEET_DATA.search(pending)
            if match is None:
                # Not a worksheet (yet): keep only enough to find a tag cut at the chunk's end.
                return None, b"" if final else pending[-256:]
            if not self.canonical:
                return None, b""
            scanner = _WorksheetScan(self, pending[: match.start()])
            pending = pending[match.end() :]
        if not self.canonical:
            return scanner, b""
        cut = len(pending) if final else pending.rfind(b"<")
        if cut <= 0:
            return scanner, pending
        scanner.scan(pending[:cut])
        return scanner, pending[cut:]

    def pattern(self, columns: int, rows_regex: str) -> re.Pattern[bytes]:
        """Matches a cell tag that is not canonical or not inside columns × rows."""
        key = (columns, rows_regex)
        if key not in self.patterns:
            cols = _letters_at_most(_column_letters(columns))
            # A canonical tag: `r` first, then at most `s` and `t` (a second `r` would win).
            ok = f' r="{cols}{rows_regex}"(?: s="[0-9]{{1,9}}+")?+(?: t="[a-zA-Z]{{1,9}}+")?+/?>'
            self.patterns[key] = re.compile(f"<c(?!{ok})[\\s/>]".encode())
        return self.patterns[key]


class _WorksheetScan:
    def __init__(self, scan: _XlsxScan, prologue: bytes) -> None:
        self.owner = scan
        lim = scan.lim
        self.columns = 0
        self.rows = 0
        self.xml_bytes = 0
        self.text_only: bool | None = None  # the first block holds only text cells (streamable)
        declaration = _XML_DECLARATION.match(prologue)
        if (
            b"\x00" in prologue[:200]
            or prologue.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
            or (declaration is not None and declaration.group(1).lower() not in (b"utf-8", b"utf8"))
            or b"<!DOCTYPE" in prologue
            or b"<!ENTITY" in prologue
        ):
            scan.canonical = False
            return
        dimension = _DIMENSION.search(prologue)
        if dimension is not None:
            columns = _column_number(dimension.group(1))
            if columns <= lim.max_columns:
                self.columns = columns

    def scan(self, block: bytes) -> None:
        owner = self.owner
        if not owner.canonical:
            return
        self.xml_bytes += len(block)
        if self.text_only is None:
            self.text_only = _NOT_TEXT.search(block) is None
        if not self.columns or self.rows == 0:
            # The first cells say how wide the table is (a POI-streamed file declares "A1").
            for match in _CELL_REF.finditer(block, 0, 1 << 18):
                self.columns = max(self.columns, _column_number(match.group(1)))
        last = block.rfind(_LAST_CELL)
        if last >= 0:
            ref = _CELL_REF.match(block, last)
            if ref is None:
                owner.canonical = False
                return
            self.rows = max(self.rows, int(ref.group(2)))
        if self.columns > owner.lim.max_columns:
            raise owner.sheet._area_refusal(self.rows, self.columns, None)
        if self.rows > owner.lim.max_rows:
            raise owner.sheet._area_refusal(self.rows, self.columns, None)
        if last < 0 and b"<c" not in block:
            if _PREFIXED_CELL.search(block):
                owner.canonical = False
            return
        bound, rows_regex = _rows_bound(max(self.rows, 1))
        if owner.pattern(max(self.columns, 1), rows_regex).search(block) or _PREFIXED_CELL.search(block):
            owner.canonical = False
            return
        self.rows_bound = bound

    def finish(self, xml_bytes: int) -> None:
        if not self.owner.canonical or not self.rows:
            return
        bound = getattr(self, "rows_bound", self.rows)
        # The bound is the last row seen rounded up in its third digit (one compiled pattern serves
        # many blocks); near the row limit that rounding alone would refuse a legitimate sheet
        # (1,000,002 rows → 1,099,999 > 1,048,576). Then the rows actually seen decide, and a cell
        # hidden between them and the bound can add at most that rounding (< 10 %) to the area.
        if bound > self.owner.lim.max_rows >= self.rows:
            bound = self.rows
        self.owner.sheet._check_area(bound, self.columns, xml_bytes)


# --- writing -----------------------------------------------------------------------------------------
MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_NAME_MAX = 31  # Excel's limit on a sheet name
A4 = 9  # Excel's paper size code
# What Excel (and LibreOffice) may read as the start of a formula when a cell is edited or a CSV
# is opened.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_START)


def csv_safe(value: Any) -> Any:
    """A CSV cell that Excel opens as text: formula-like text gets a leading apostrophe."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def write_csv(rows: Iterable[Sequence[Any]], *, encoding: str = "utf-8") -> bytes:
    """CSV bytes (Excel opens UTF-8 with BOM as Chinese text: pass "utf-8-sig"); formula-like text
    neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([csv_safe(value) for value in row])
    return buffer.getvalue().encode(encoding)


@dataclass(frozen=True)
class Formula:
    """A formula bangfu writes itself (never text from a user), with the value it computes now,
    which readers that do not recalculate show."""

    formula: str
    value: Any


class Workbook:
    """An .xlsx with one look everywhere: a bold shaded header row, frozen panes below it, money as
    numbers with two decimals, dates as ISO text, blank cells for missing values, text as text.

    In memory by default (`close()` returns the bytes); given a path it streams to that file with
    xlsxwriter's constant-memory mode (rows must then be written in order)."""

    def __init__(self, path: Path | str | None = None) -> None:
        import xlsxwriter

        self.buffer = io.BytesIO() if path is None else None
        options: dict[str, Any] = {
            # Text stays text whatever it looks like: never a formula, a number or a link.
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        }
        if path is None:
            options["in_memory"] = True
        else:
            options["constant_memory"] = True
        self.book = xlsxwriter.Workbook(self.buffer if path is None else str(path), options)
        self._formats: dict[int, Any] = {}
        self._quoted: dict[int, Any] = {}
        self.head = self.format({"bold": True, "bg_color": "#EEF1F4", "border": 1, "text_wrap": True})
        self.money = self.format({"num_format": "#,##0.00"})
        self.total = self.format({"num_format": "#,##0.00", "bold": True, "top": 1})
        self.wrap = self.format({"text_wrap": True, "valign": "top"})
        self.number = self.format({"num_format": "#,##0.##", "valign": "top"})
        self.integer = self.format({"num_format": "0", "valign": "top"})
        self.title_format = self.format(
            {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}
        )
        self.subtitle = self.format({"align": "right", "valign": "vcenter"})
        self.total_text = self.format({"bold": True, "top": 1, "valign": "top"})
        self._quote = self.format({})

    def format(self, properties: dict[str, Any]) -> Any:
        """A cell format; text cells written with it that look like formulas get a quote-prefixed
        twin of it."""
        fmt = self.book.add_format(properties)
        self._formats[id(fmt)] = properties
        return fmt

    def _quoted_format(self, fmt: Any) -> Any:
        key = id(fmt)
        if key not in self._quoted:
            properties = self._formats.get(key, {}) if fmt is not None else {}
            self._quoted[key] = self.book.add_format({**properties, "quote_prefix": True})
        return self._quoted[key]

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
        if isinstance(widths, int):
            sheet.set_column(0, max(len(headers) - 1, 0), widths)
        elif widths:
            for col, width in enumerate(widths):
                sheet.set_column(col, col, width)
        sheet.freeze_panes(*(freeze or (header_row + 1, 0)))
        if headers:
            self.row(sheet, header_row, [str(h) for h in headers], self.head)
        return sheet

    def text(self, sheet: Any, row: int, col: int, value: str, cell_format: Any = None) -> None:
        """One text cell, as text."""
        if value.startswith(FORMULA_START):
            cell_format = self._quoted_format(cell_format)
        sheet.write_string(row, col, value, cell_format)

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
            self._cell(sheet, row, col, value, (formats or {}).get(col, cell_format))

    def _cell(self, sheet: Any, row: int, col: int, value: Any, cell_format: Any) -> None:
        if isinstance(value, Formula):
            cached = float(value.value) if isinstance(value.value, Decimal) else value.value
            sheet.write_formula(row, col, value.formula, cell_format or self.money, cached)
        elif value is None:
            sheet.write_blank(row, col, None, cell_format)
        elif isinstance(value, str):
            self.text(sheet, row, col, value, cell_format)
        elif isinstance(value, Decimal):
            sheet.write_number(row, col, float(value), cell_format or self.money)
        elif isinstance(value, bool):
            self.text(sheet, row, col, str(value), cell_format)
        elif isinstance(value, int | float):
            sheet.write_number(row, col, value, cell_format)
        elif isinstance(value, date):
            sheet.write_string(row, col, value.isoformat(), cell_format)
        else:
            self.text(sheet, row, col, str(value), cell_format)

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

    def title(self, sheet: Any, row: int, first_col: int, last_col: int, text: str) -> None:
        """A title merged across columns."""
        if last_col > first_col:
            sheet.merge_range(row, first_col, row, last_col, "", self.head)
        self.text(sheet, row, first_col, text, self.head)

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue() if self.buffer is not None else b""


def tables(sheets: Iterable[tuple[str, Sequence[Any], Iterable[Sequence[Any]]]], *, width: int = 16) -> bytes:
    """An .xlsx with one plain table per (title, header, rows)."""
    book = Workbook()
    for title, header, rows in sheets:
        sheet = book.sheet(title, header, widths=width)
        for r, values in enumerate(rows, start=1):
            book.row(sheet, r, values)
    return book.close()


def write_table(
    out: Path | str | io.BytesIO,
    *,
    sheet_name: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    title: str | None = None,
) -> None:
    """One table (with an optional merged title row above its header) to a file, streamed, or
    into a BytesIO."""
    book = Workbook(None if isinstance(out, io.BytesIO) else out)
    first = 1 if title else 0
    sheet = book.sheet(sheet_name, (), header_row=first)
    if title:
        book.title(sheet, 0, 0, len(header) - 1, title)
    book.row(sheet, first, header, book.head)
    for r, values in enumerate(rows, start=first + 1):
        book.row(sheet, r, values)
    content = book.close()
    if isinstance(out, io.BytesIO):
        out.write(content)
