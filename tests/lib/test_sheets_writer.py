"""The one xlsx writer: what a downloaded spreadsheet holds, read back with openpyxl."""

import io
from datetime import date
from decimal import Decimal

import openpyxl

from bangfu.lib.sheets import tables


def _sheet(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def test_values_keep_their_kind_and_the_header_stays_in_view():
    content = tables(
        [
            (
                "捐赠",
                ["姓名", "金额（元）", "日期", "人数", "备注"],
                [["张三", Decimal("1234.50"), date(2020, 10, 17), 3, None]],
            )
        ]
    )
    sheet = _sheet(content)
    assert [c.value for c in sheet[1]] == ["姓名", "金额（元）", "日期", "人数", "备注"]
    assert [c.value for c in sheet[2]] == ["张三", 1234.5, "2020-10-17", 3, None]
    assert sheet["B2"].number_format == "#,##0.00"
    assert sheet.freeze_panes == "A2"


def test_text_that_looks_like_a_formula_stays_text():
    """A donor named "=HYPERLINK(...)" must not become a live formula in the office's Excel."""
    content = tables([("t", ["捐赠人"], [['=HYPERLINK("http://x.invalid","点我")'], ["+1-1"]])])
    sheet = _sheet(content)
    assert sheet["A2"].value == '=HYPERLINK("http://x.invalid","点我")'
    assert sheet["A2"].data_type == "s"
    assert sheet["A3"].data_type == "s"


def test_long_sheet_names_are_cut_to_excels_limit():
    content = tables([("很长的工作表名称" * 5, ["a"], [])])
    assert len(openpyxl.load_workbook(io.BytesIO(content)).sheetnames[0]) == 31
