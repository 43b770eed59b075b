"""Parsed windows of a registry export, for the writer to take one at a time.

`parsed_windows` reads the rows after the header, parses them a window at a time
(`importer.parse_chunk`) and yields `(records, errors, rows)` per window. For a file large enough
to be worth it, the reading and parsing run in a forked child process while this process writes the
previous window: the two cores work at once (docs/benchmarks.md "Registry import"). The child
reads the file, parses, and puts ID numbers and phones in stored form (`writer.Sealer`, the
CPU-heavy part of a row's write); it never touches the database (it leaves with `os._exit`, so it
cannot close the parent's connection). At most WINDOWS_AHEAD windows wait for the writer, so memory
stays bounded by a few windows whatever the file's size.
"""

from __future__ import annotations

import itertools
import multiprocessing
import operator
import os
import pickle
import queue
import threading
import traceback
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import fields
from datetime import date
from typing import Any

from bangfu.registry.importer import FileProblem, Record, RowError, RowParser, parse_chunk

# Files up to this size are read in this process: a fork costs more than it saves, and a web upload
# this small is imported inside its request (`services.INLINE_IMPORT_BYTES`), where no process forks.
READER_PROCESS_MIN_BYTES = 2 << 20

# Windows the importing process takes from the pipe ahead of writing them.
WINDOWS_AHEAD = 4

Rows = Iterable[Sequence[Any]]
Window = tuple[list[Record], list[RowError], int]

_RECORD_FIELDS = tuple(f.name for f in fields(Record))
_record_values = operator.attrgetter(*_RECORD_FIELDS)
# The child sends a window column by column (`_pack_window`). Text that differs on nearly every row
# goes as one "\x00"-joined text per column: pickle would otherwise write and memoise each string
# on its own, and a join and the parent's split are one C call each. Repetitive columns stay lists
# (pickle's memo sends each distinct value once), birth dates go as day ordinals (a date pickles
# through a reduce call), and the sealed tuple goes as its five text columns.
_SEPARATOR = "\x00"
_SEALED_PARTS = 5
_BIRTH_DATE = _RECORD_FIELDS.index("birth_date")
_PLAIN = _RECORD_FIELDS.index("sealed")  # the last field: the ones before it are sent as they are
_JOINED = frozenset(
    [
        *map(
            _RECORD_FIELDS.index, ("household_number", "member_number", "name", "id_number", "member_phone")
        ),
        *range(_PLAIN, _PLAIN + _SEALED_PARTS),
    ]
)


def parsed_windows(
    rows: Rows, parser: RowParser, first_row: int, chunk_rows: int, *, size: int
) -> Iterator[Window]:
    """(accepted records, row errors, rows counted) of each window of `chunk_rows` raw rows, the
    first numbered `first_row`; in a child process when the file's `size` is over
    READER_PROCESS_MIN_BYTES and this system can fork."""
    if size > READER_PROCESS_MIN_BYTES and "fork" in multiprocessing.get_all_start_methods():
        return _in_child(rows, parser, first_row, chunk_rows)
    return _windows(rows, parser, first_row, chunk_rows)


def _windows(rows: Rows, parser: RowParser, first_row: int, chunk_rows: int) -> Iterator[Window]:
    iterator = iter(rows)
    next_row = first_row
    while chunk := list(itertools.islice(iterator, chunk_rows)):
        records: list[Record] = []
        errors: list[RowError] = []
        for parsed in parse_chunk(parser, next_row, chunk):
            if parsed is None:
                continue
            if isinstance(parsed, Record):
                records.append(parsed)
            else:
                errors.append(parsed)
        next_row += len(chunk)
        yield records, errors, len(records) + len(errors)


def _in_child(rows: Rows, parser: RowParser, first_row: int, chunk_rows: int) -> Iterator[Window]:
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, rows, parser, first_row, chunk_rows), daemon=True)
    child.start()
    send.close()
    pump = _Pump(receive)
    try:
        while True:
            message = pump.next()
            if message is None:
                child.join()
                raise RuntimeError(f"registry reader ended with no result ({child.exitcode})")
            # Our own child's bytes, pickled just now from parsed rows (no file content unparsed).
            kind, payload = pickle.loads(message)  # noqa: S301
            if kind == "window":
                yield _unpack_window(*payload)
            elif kind == "done":
                return
            elif kind == "problem":
                raise FileProblem(payload)
            else:
                raise RuntimeError(f"registry reader process failed:\n{payload}")
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        pump.stop()
        receive.close()


class _Pump:
    """Receives the child's messages on a thread, up to WINDOWS_AHEAD ahead of the writer: the
    child goes on parsing while the writer is busy with a slow window (the thread waits in the
    pipe's read, which releases the GIL)."""

    def __init__(self, receive: Any) -> None:
        self.receive = receive
        self.queue: queue.Queue[bytes | None] = queue.Queue(maxsize=WINDOWS_AHEAD)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="registry-reader-pump", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            try:
                message: bytes | None = self.receive.recv_bytes()
            except (EOFError, OSError):
                message = None
            while True:
                try:
                    self.queue.put(message, timeout=0.1)
                    break
                except queue.Full:
                    if self.stopped.is_set():
                        return
            if message is None:
                return

    def next(self) -> bytes | None:
        return self.queue.get()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()


def _child(send: Any, rows: Rows, parser: RowParser, first_row: int, chunk_rows: int) -> None:
    """Runs in the forked child: parse and send every window, then "done"; a file problem or any
    other failure is sent as such."""
    try:
        from bangfu.registry.writer import Sealer

        seal = Sealer()
        for records, errors, counted in _windows(rows, parser, first_row, chunk_rows):
            seal(records)
            send.send_bytes(
                pickle.dumps(("window", _pack_window(records, errors, counted)), pickle.HIGHEST_PROTOCOL)
            )
        send.send_bytes(pickle.dumps(("done", None)))
    except FileProblem as exc:
        send.send_bytes(pickle.dumps(("problem", str(exc))))
    except BrokenPipeError:  # the parent stopped listening (it failed or was killed)
        pass
    except BaseException:
        send.send_bytes(pickle.dumps(("crash", traceback.format_exc())))
    finally:
        send.close()
        os._exit(0)


def _pack_window(
    records: list[Record], errors: list[RowError], counted: int
) -> tuple[list[Any], list[RowError], int]:
    """A sealed window as the child sends it: the records' columns (see _SEPARATOR), the errors,
    the rows counted. `_unpack_window` gives back the window."""
    columns: list[Any] = list(zip(*map(_record_values, records), strict=True))
    if not columns:
        return [], errors, counted
    sealed = columns.pop()
    columns.extend(zip(*sealed, strict=True))
    columns[_BIRTH_DATE] = list(map(date.toordinal, columns[_BIRTH_DATE]))
    for index in _JOINED:
        joined = _SEPARATOR.join(columns[index])
        # Unless a text holds the separator itself (the parent could not split the join back): that
        # column goes as it is.
        if joined.count(_SEPARATOR) == len(records) - 1:
            columns[index] = joined
    return columns, errors, counted


def _unpack_window(columns: list[Any], errors: list[RowError], counted: int) -> Window:
    """The window `_pack_window` packed, in the importing process."""
    if not columns:
        return [], errors, counted
    columns = [column.split(_SEPARATOR) if type(column) is str else column for column in columns]
    columns[_BIRTH_DATE] = map(date.fromordinal, columns[_BIRTH_DATE])
    sealed = zip(*columns[_PLAIN:], strict=True)
    return list(map(Record, *columns[:_PLAIN], sealed)), errors, counted
