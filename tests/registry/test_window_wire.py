"""The reader process sends a window column by column (`reading._pack_window`); the importing
process gets back the very records (`reading._unpack_window`)."""

from __future__ import annotations

import pickle
from datetime import date

from bangfu.registry import reading
from bangfu.registry.importer import EXPORT_COLUMNS, RowError, RowParser, detect_header, parse_chunk
from bangfu.registry.sample import generate_rows
from bangfu.registry.writer import Sealer

from .conftest import RANBU, ZHUOGA

HEADER = detect_header([[label for _key, label in EXPORT_COLUMNS]])


def _window(rows):
    parsed = parse_chunk(RowParser(HEADER, today=date(2026, 12, 6)), 2, rows)
    records = [p for p in parsed if p is not None and not isinstance(p, RowError)]
    Sealer()(records)
    return records, [p for p in parsed if isinstance(p, RowError)]


def _round_trip(records, errors):
    message = pickle.dumps(("window", reading._pack_window(records, errors, 7)), pickle.HIGHEST_PROTOCOL)
    kind, payload = pickle.loads(message)
    assert kind == "window"
    return reading._unpack_window(*payload)


def test_a_window_comes_back_as_it_was_sent():
    rows = [
        [row.get(key, "") for key, _label in EXPORT_COLUMNS]
        for row in generate_rows([RANBU, ZHUOGA], households=4, seed=3)
    ]
    rows[1][5] = "卓嘎\x00次仁"  # the separator inside a text: that column goes as a list
    rows[2][7] = "123"  # an error row
    records, errors = _window(rows)
    assert len(records) > 2 and errors
    columns = reading._pack_window(records, errors, 7)[0]
    assert type(columns[reading._RECORD_FIELDS.index("name")]) is not str
    assert type(columns[reading._RECORD_FIELDS.index("id_number")]) is str
    got_records, got_errors, counted = _round_trip(records, errors)
    assert got_records == records
    assert got_errors == errors
    assert counted == 7


def test_an_empty_window_comes_back_empty():
    assert _round_trip([], []) == ([], [], 7)
