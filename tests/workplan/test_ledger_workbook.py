"""The ledger workbook (工作台账) as an office uses it: summed with a spreadsheet program, printed."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from bangfu.lib.indicators import IndicatorQuery, get_indicator
from bangfu.projects.demo import seed_demo as seed_projects
from bangfu.projects.models import Project
from bangfu.workplan.demo import seed_demo as seed_workplan
from bangfu.workplan.models import LedgerReport, Plan


@pytest.fixture
def workbook(settings, county, tmp_path):
    settings.BANGFU_TODAY = date(2020, 7, 15)
    seed_workplan(county)
    seed_projects(county)
    out = tmp_path / "ledger.xlsx"
    call_command("export_ledger", "--year", "2020", "-o", str(out))
    return load_workbook(io.BytesIO(out.read_bytes()))


def _header(sheet, row: int) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[row] if cell.value}


def test_the_money_column_sums_to_the_figure_the_pages_show(workbook, county, county_admin, client_for):
    sheet = workbook["汇总"]
    head = _header(sheet, 3)
    col = head["资金合计（万元）"]
    rows = [r for r in sheet.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    column_sum = sum(r[col - 1] or 0 for r in rows)
    # The county's figure: what the bulletin and the ledger pages show (the computed indicator) …
    allocated = get_indicator("projects.funds_allocated").value(
        IndicatorQuery(county=county, start=date(2020, 1, 1), end=date(2021, 1, 1))
    )
    assert allocated > 0
    assert abs(Decimal(str(column_sum)) - allocated / 10000) < Decimal("0.00001")
    # … and what each project's page shows as received, added up.
    client = client_for(county_admin)
    pages = sum(
        Decimal(str(client.get(f"/api/v1/projects/{p.code}").json()["allocated"]))
        for p in Project.objects.filter(county=county, year=2020)
    )
    assert abs(Decimal(str(column_sum)) - pages / 10000) < Decimal("0.00001")
    # The totals row says the same, as a formula a spreadsheet recalculates.
    total_row = next(r for r in sheet.iter_rows(min_row=4) if r[0].value == "合计")
    assert str(total_row[col - 1].value).startswith("=SUM(")
    by_source = list(range(head["项目"] + 1, col))
    assert [sheet.cell(3, c).value for c in by_source] == [
        "帮扶方资金（万元）",
        "省级资金（万元）",
        "县级配套（万元）",
        "企业资金（万元）",
        "社会资金（万元）",
    ]
    assert abs(sum(sum(r[c - 1] or 0 for r in rows) for c in by_source) - column_sum) < 1e-6


def test_the_summary_has_the_ledger_columns_and_numbers_as_numbers(workbook):
    sheet = workbook["汇总"]
    head = _header(sheet, 3)
    for name in (
        "序号",
        "牵头单位",
        "责任单位",
        "帮扶村",
        "项目",
        "受益户（户）",
        "受益人口（人）",
        "进展",
        "存在问题",
        "填报人",
        "联系电话",
        "审核人",
    ):
        assert name in head, name
    numbers = [
        r[head["资金合计（万元）"] - 1]
        for r in sheet.iter_rows(min_row=4, values_only=True)
        if isinstance(r[0], int)
    ]
    assert all(isinstance(v, int | float) for v in numbers)
    cell = next(c for c in sheet.iter_rows(min_row=4) if isinstance(c[0].value, int))[
        head["资金合计（万元）"] - 1
    ]
    assert cell.number_format == "#,##0.00"
    assert sheet.freeze_panes == "E4"
    assert [s for s in workbook.sheetnames[:2]] == ["汇总", "报送情况"]


def test_every_sheet_prints_on_a4_landscape_with_its_titles_repeated(workbook):
    for sheet in workbook.worksheets:
        assert sheet.page_setup.paperSize == 9
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        # One page wide (1 is the file format's default, left out), as many pages long as needed.
        assert (sheet.page_setup.fitToWidth or 1) == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.print_title_rows is not None


def test_the_task_sheets_keep_typed_figures_as_numbers(workbook, county):
    plan = Plan.objects.get(county=county, year=2020)
    # The designated households are derived from pairings + registry: no unit types them.
    assert not any("定点帮扶脱贫户数" in str(h) for h in _header(workbook["3_1_1"], 2))
    sheet = workbook["3_4"]
    head = _header(sheet, 2)
    column = head["业务培训期数（本月，期）"]  # a flow: what the month did
    values = [
        r[column - 1] for r in sheet.iter_rows(min_row=3, values_only=True) if r[column - 1] is not None
    ]
    assert values and all(isinstance(v, int | float) for v in values)
    assert sheet.max_row - 2 == LedgerReport.objects.filter(task__plan=plan, task__code="3.4").count()


def test_the_status_sheet_counts_every_slot_due(workbook, county):
    sheet = workbook["报送情况"]
    head = _header(sheet, 2)
    due = sum(r[head["应报"] - 1] for r in sheet.iter_rows(min_row=3, values_only=True) if r[0])
    plan = Plan.objects.get(county=county, year=2020)
    assert due == LedgerReport.objects.filter(task__plan=plan).count()
