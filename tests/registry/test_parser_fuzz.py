from __future__ import annotations

from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bangfu.registry.importer import EXPORT_COLUMNS, Record, RowError, RowParser, detect_header

HEADER = detect_header([[label for _key, label in EXPORT_COLUMNS]])
PARSER = RowParser(HEADER, today=date(2020, 7, 15))

cells = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.text(alphabet="0123456789xX１２３ Ｘ", max_size=22),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(min_value=datetime(1, 1, 1)),
    st.sampled_from(["中职一年级", "高职高专三年级", "", "户主", "残疾人证", "1e400", "NaN", "-0"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(cells, min_size=0, max_size=len(EXPORT_COLUMNS) + 3))
def test_the_row_parser_returns_a_record_or_a_clear_error_and_never_raises(row):
    result = PARSER.parse(7, row)
    assert result is None or isinstance(result, Record | RowError)
    if isinstance(result, RowError):
        assert result.row == 7
        assert result.reason  # a message a clerk can read
        assert "无法解析" not in result.reason  # not the safety net: every case has its own reason
    if isinstance(result, Record):
        assert len(result.id_number) in (18, 20, 22)
        assert result.name
