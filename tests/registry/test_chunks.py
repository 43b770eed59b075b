"""The column-wise parser (`parse_chunk`) and windowed reading give exactly the per-row results."""

from __future__ import annotations

import copy
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from bangfu.lib import idnumbers
from bangfu.registry.importer import EXPORT_COLUMNS, RowParser, _ChunkParser, detect_header, parse_chunk
from bangfu.registry.models import Member
from bangfu.registry.sample import generate_rows
from bangfu.registry.services import import_registry

from .conftest import AS_OF, RANBU, ZHUOGA, xlsx_file
from .test_parser_fuzz import cells

HEADER = detect_header([[label for _key, label in EXPORT_COLUMNS]])
GOOD = [
    [row.get(key, "") for key, _label in EXPORT_COLUMNS]
    for row in generate_rows([RANBU, ZHUOGA], households=4, seed=3)
]
# Cells a clerk's file really has that the column-wise path must hand to the per-row parser.
AWKWARD = st.sampled_from(
    [
        " ５１３３２５１９９０ ０１０１００１x ",  # full-width digits, inner spaces, lowercase x
        "513325900101001",  # 15-digit first-generation number
        "残疾人证",
        "身份证",
        "已脱贫",
        "2025",
        "一般户",
        "是",
        "abc",
        "1.5e3",
        "　户主　",
        "",
        "x" * 70,
    ]
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=len(GOOD) - 1),
            st.dictionaries(st.integers(0, len(EXPORT_COLUMNS) + 1), st.one_of(cells, AWKWARD), max_size=3),
            st.booleans(),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_parse_chunk_gives_the_per_row_result_for_every_row(specs):
    rows = []
    for index, changes, truncate in specs:
        row: list[object] = list(GOOD[index])
        for position, value in changes.items():
            if position < len(row):
                row[position] = value
        rows.append(row[: len(row) // 2] if truncate and not changes else row)
    rows.append([""] * len(EXPORT_COLUMNS))  # a blank row: skipped (None) on both paths
    per_row = RowParser(HEADER, today=date(2020, 7, 15))
    chunked = RowParser(HEADER, today=date(2020, 7, 15))
    expected = [per_row.parse(10 + i, row) for i, row in enumerate(rows)]
    assert parse_chunk(chunked, 10, rows) == expected


def test_the_fast_path_builds_clean_rows_and_sends_the_rest_to_the_row_parser():
    rows = [list(r) for r in GOOD[:3]]
    id_column = [key for key, _label in EXPORT_COLUMNS].index("id_number")
    rows[1][id_column] = (
        rows[1][id_column][:17] + "0" if rows[1][id_column][17] != "0" else rows[1][id_column][:17] + "1"
    )
    chunk = _ChunkParser(RowParser(HEADER, today=date(2020, 7, 15)), 5, rows)
    first, second, third = chunk.run()
    assert chunk.slow == {1}  # only the bad row went through the per-row parser
    assert (first.row, third.row) == (5, 7)
    assert first.id_number == GOOD[0][id_column]
    assert first.birth_date == date(
        int(first.id_number[6:10]), int(first.id_number[10:12]), int(first.id_number[12:14])
    )
    assert second.row == 6 and "校验位错误" in second.reason


def test_windows_of_two_rows_give_the_same_import_and_name_a_duplicate_from_an_earlier_window(demo, tmp_path):
    rows = generate_rows([RANBU, ZHUOGA], households=3, seed=11)
    rows = copy.deepcopy(rows[:7])
    rows[5]["id_number"] = rows[1]["id_number"]  # row 7 repeats row 3, two windows earlier
    rows[4]["schooling"] = "大学"  # row 6: rejected on the per-row path
    rows[2]["id_number"] = rows[2]["id_number"].lower()  # row 4: per-row path, accepted
    path = xlsx_file(tmp_path, rows)
    summary = import_registry(actor=None, path=path, as_of=AS_OF, chunk_rows=2, dry_run=True)
    whole = import_registry(actor=None, path=path, as_of=AS_OF)
    assert [(e.row, e.reason) for e in summary.errors] == [(e.row, e.reason) for e in whole.errors]
    assert [e.row for e in whole.errors] == [6, 7]
    assert whole.errors[1].reason == "证件号码与第3行重复"
    assert (
        (summary.accepted, summary.rejected, summary.created)
        == (whole.accepted, whole.rejected, whole.created)
        == (5, 2, 5)
    )
    assert summary.warning_messages == whole.warning_messages
    assert Member.objects.count() == 5
    assert idnumbers.normalise(rows[2]["id_number"]) == rows[2]["id_number"].upper()


def test_numbers_and_empty_cells_stay_on_the_fast_path_except_in_the_id_column():
    keys = [key for key, _label in EXPORT_COLUMNS]
    rows = [list(r) for r in GOOD[:3]]
    rows[0][keys.index("household_number")] = 120034.0  # Excel stores 户编号 as a number
    rows[0][keys.index("member_phone")] = None
    rows[1][keys.index("household_size")] = 4.0
    rows[2][keys.index("id_number")] = 5.13325199001011e17  # Excel turned the ID into a number
    chunk = _ChunkParser(RowParser(HEADER, today=date(2020, 7, 15)), 5, rows)
    first, second, third = chunk.run()
    assert chunk.slow == {2}
    assert first.household_number == "120034"
    assert first.member_phone == ""
    assert second.household["household_size"] == 4
    assert "被 Excel 存成了数字" in third.reason
    per_row = RowParser(HEADER, today=date(2020, 7, 15))
    assert [first, second, third] == [per_row.parse(5 + i, row) for i, row in enumerate(rows)]
