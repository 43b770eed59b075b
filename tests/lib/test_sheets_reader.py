"""The guarded reader (bangfu.lib.sheets): what it refuses before calamine runs, what it reads in
the capped child process, and the bounds its pre-scan proves."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bangfu.lib import sheets

from ..hostile import dimension_bomb, high_ratio, xlsx


def _open(data: bytes, name: str = "t.xlsx") -> sheets.Sheet:
    return sheets.open_sheet(name=name, data=data, use="upload")


def test_it_refuses_a_dimension_bomb_before_calamine_sees_it():
    with pytest.raises(sheets.SheetRefused, match=r"t\.xlsx.*1048576行，超过上限100000行"):
        _open(dimension_bomb())


def test_it_refuses_a_cell_far_out_of_a_small_table():
    with pytest.raises(sheets.SheetRefused, match="16384列"):
        _open(xlsx(b'<row r="1"><c r="A1"><v>1</v></c><c r="XFD9"><v>1</v></c><c r="B1"><v>1</v></c></row>'))


def test_it_refuses_a_table_larger_than_its_xml_could_hold():
    """Within the row and column limits, but 99,999 rows × 30 columns from a few bytes."""
    with pytest.raises(sheets.SheetRefused, match="远大于文件实际内容"):
        _open(
            xlsx(b'<row r="1"><c r="A1"><v>1</v></c></row><row r="99999"><c r="AD99999"><v>1</v></c></row>')
        )


def test_it_refuses_a_compression_bomb():
    with pytest.raises(sheets.SheetRefused, match="压缩比"):
        _open(high_ratio())


def test_a_sheet_written_unusually_is_read_in_the_child_and_placed_like_any_other():
    sheet = _open(xlsx(b"<row><c><v>1</v></c><c/><c><v>2</v></c></row><row/><row><c><v>3</v></c></row>"))
    assert not sheet._pre_scanned
    assert sheet.table() == [[1.0, "", 2.0], ["", "", ""], [3.0, "", ""]]


def test_a_second_r_attribute_cannot_smuggle_a_cell_past_the_pre_scan():
    with pytest.raises(sheets.SheetRefused, match="1048576行"):
        _open(xlsx(b'<row r="2"><c r="B2" r="XFD1048576"><v>1</v></c></row>')).table()


def test_a_canonical_sheet_is_read_in_process_with_its_own_row_and_column_numbers():
    sheet = _open(
        xlsx(b'<row r="2"><c r="B2" t="inlineStr"><is><t>x</t></is></c><c r="D2"><v>1</v></c></row>')
    )
    assert sheet._pre_scanned
    assert sheet.table() == [["", "", "", ""], ["", "x", "", 1.0]]


@pytest.mark.parametrize(
    ("content", "encoding", "delimiter"),
    [
        ("姓名,金额\n张三,1\n".encode("utf-8-sig"), "utf-8-sig", ","),
        ("姓名,金额\n张三,1\n".encode("gb18030"), "gb18030", ","),
        ("姓名\t金额\n张三\t1\n".encode("utf-16"), "utf-16", "\t"),
        ("name,amount\nzhang,1\n".encode("utf-16-le"), "utf-16-le", ","),
    ],
)
def test_it_reads_the_encodings_offices_save(content, encoding, delimiter):
    sheet = _open(content, "t.csv")
    assert (sheet.encoding, sheet._text_delimiter) == (encoding, delimiter)
    assert sheet.table()[1][1] == "1"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\xff\xfe\x00\x00a\x00\x00\x00", "无法识别文件编码"),
        (b"a,b\n\x07,1\n", "控制字符"),
        (b"", "文件是空的"),
        (b"\n\n  \n", "文件是空的"),
    ],
)
def test_it_refuses_what_is_not_a_text_table(content, reason):
    with pytest.raises(sheets.SheetRefused, match=reason):
        _open(content, "t.csv")


@given(st.integers(min_value=1, max_value=2_000_000))
def test_the_row_bound_takes_every_row_up_to_it_and_none_above(row):
    bound, pattern = sheets._rows_bound(row)
    assert row <= bound <= row * 1.11 + 100
    regex = re.compile(pattern + r"\Z")
    for n in (row, bound, 1, max(1, bound // 10)):
        assert regex.match(str(n)), (row, n)
    assert not regex.match(str(bound + 1))


@given(st.integers(min_value=1, max_value=16384), st.integers(min_value=1, max_value=16384))
def test_the_column_bound_is_exact(limit, column):
    regex = re.compile(sheets._letters_at_most(sheets._column_letters(limit)) + r"\Z")
    assert bool(regex.match(sheets._column_letters(column))) == (column <= limit)


def test_a_sheet_just_under_the_row_limit_is_not_refused_for_rounding(settings):
    """The pre-scan rounds the last row up for its pattern; a sheet whose real rows fit the limit
    is read even where the rounded bound would not (1,000,002 rows against 1,048,576, scaled)."""
    settings.SHEET_LIMITS = {
        **settings.SHEET_LIMITS,
        "upload": {**settings.SHEET_LIMITS["upload"], "max_rows": 1048, "max_cells": 10**6},
    }
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (r, r) for r in range(1, 1003)
    )
    assert len(_open(xlsx(rows)).table()) == 1002
    with pytest.raises(sheets.SheetRefused, match="有1050行，超过上限1048行"):
        _open(xlsx(rows + b'<row r="1050"><c r="A1050" t="inlineStr"><is><t>x</t></is></c></row>'))
