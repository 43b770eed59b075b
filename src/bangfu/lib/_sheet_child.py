"""The child process `bangfu.lib.sheets` reads a workbook in when its cheap pre-scan cannot vouch
for the file (every .xls; an .xlsx written in an unusual way). Run as `python -m
bangfu.lib._sheet_child`; it imports neither Django nor bangfu, only python-calamine.

It first caps its own address space (RLIMIT_AS) and CPU time, so a file that makes calamine
allocate without bound kills this process, never the server. Protocol, all on stdin/stdout:

    in:  one JSON line {"path": str | null, "max_rows", "max_columns", "max_cells",
         "memory", "cpu_seconds"}, then, when path is null, the file's bytes until EOF;
    out: frames of (1 byte kind, 4 bytes big-endian length, payload):
         b"D" JSON {"rows", "columns", "start": [row, col]} — the sheet's used area, once;
         b"R" pickle of a list of rows (lists of cells), repeated;
         b"E" JSON {"code": ..., ...} — a refusal or a read error, then exit;
         b"Z" empty — the end.
The parent unpickles with an allow-list of classes (datetime types only).
"""

from __future__ import annotations

import json
import pickle
import resource
import struct
import sys
from typing import Any

CHUNK_ROWS = 2000


def _frame(out: Any, kind: bytes, payload: bytes) -> None:
    out.write(kind + struct.pack(">I", len(payload)) + payload)


def main() -> None:
    stdin, out = sys.stdin.buffer, sys.stdout.buffer
    request = json.loads(stdin.readline())
    memory = int(request["memory"])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(request["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    import io

    from python_calamine import CalamineWorkbook

    try:
        if request["path"]:
            book = CalamineWorkbook.from_path(request["path"])
        else:
            book = CalamineWorkbook.from_filelike(io.BytesIO(stdin.read()))
        if not book.sheet_names:
            _frame(out, b"E", json.dumps({"code": "no_sheet"}).encode())
            return
        sheet = book.get_sheet_by_index(0)
    except MemoryError:
        _frame(out, b"E", json.dumps({"code": "memory"}).encode())
        return
    except Exception as exc:  # calamine's own error types: the file is not a readable workbook
        _frame(out, b"E", json.dumps({"code": "unreadable", "detail": str(exc)[:200]}).encode())
        return
    start = sheet.start or (0, 0)
    height, width = sheet.height, sheet.width
    rows, columns = start[0] + height, start[1] + width
    _frame(out, b"D", json.dumps({"rows": rows, "columns": columns, "start": list(start)}).encode())
    if (
        rows > request["max_rows"]
        or columns > request["max_columns"]
        or height * width > request["max_cells"]
    ):
        _frame(out, b"E", json.dumps({"code": "too_big", "rows": rows, "columns": columns}).encode())
        return
    chunk: list[list[Any]] = []
    for row in sheet.iter_rows():
        chunk.append(row)
        if len(chunk) == CHUNK_ROWS:
            _frame(out, b"R", pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL))
            chunk = []
    if chunk:
        _frame(out, b"R", pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL))
    _frame(out, b"Z", b"")
    out.flush()


if __name__ == "__main__":
    main()
