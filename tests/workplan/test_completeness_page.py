"""The reporting matrix (报送情况) explains itself (issue #17): a legend saying what "4/5" means,
a reporting rate per unit, months after the office clock's month blank instead of "0/5", an xlsx
download of the same figures, and a table that scrolls in its own box on a phone."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from bangfu.accounts.models import User
from bangfu.lib.sheets import open_sheet
from bangfu.partners.models import Organisation
from bangfu.workplan.models import LedgerReport
from bangfu.workplan.services import save_report, submit_report

pytestmark = pytest.mark.django_db
PAGE = "/workplan/completeness/"


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _row(html: str, org: Organisation) -> list[str]:
    """The cells of one unit's row: month cells' text ('' when blank) and, last, the rate."""
    found = re.search(rf"<tr><th>{re.escape(org.name)}</th>(.*?)</tr>", html, re.S)
    assert found, org.name
    cells = re.findall(r"<td[^>]*>(.*?)</td>", found.group(1), re.S)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in cells]


def _future_cells(html: str, org: Organisation) -> list[bool]:
    found = re.search(rf"<tr><th>{re.escape(org.name)}</th>(.*?)</tr>", html, re.S)
    assert found
    return [c == "future" for c in re.findall(r'<td(?: class="([^"]*)")?', found.group(1))][:12]


def test_the_matrix_explains_its_cells_blanks_the_months_to_come_and_rates_each_unit(
    settings, plan, finance_reporter
) -> None:
    settings.BANGFU_TODAY = date(2020, 7, 15)
    org = finance_reporter.organisation
    for month in (5, 6):
        report = LedgerReport.objects.filter(organisation=org, month=date(2020, month, 1)).first()
        assert report is not None
        save_report(actor=finance_reporter, report=report, progress="已推进")
        submit_report(actor=finance_reporter, report=report)
    client = _client("admin")
    html = client.get(PAGE).content.decode()
    assert "格内“4/5”" in html and "报送率" in html
    assert '<div class="table-scroll"><table class="grid matrix">' in html
    row = _row(html, org)
    assert len(row) == 13
    per_month = LedgerReport.objects.filter(organisation=org, month=date(2020, 6, 1)).count()
    assert row[5] == f"1/{per_month}"  # June: one of its reports submitted
    assert row[6] == f"0/{per_month}"  # July has begun: nothing submitted yet
    assert row[7:12] == ["", "", "", "", ""]  # August to December: not yet begun, left blank
    assert _future_cells(html, org) == [False] * 7 + [True] * 5
    # Jan–June are due (6 × per_month), two submitted; July's are not due yet
    due = 6 * per_month
    assert row[12] == f"{round(200 / due)}% 2/{due}"
    # the cached cells follow the office clock: in August, July is due and August has begun
    settings.BANGFU_TODAY = date(2020, 8, 20)
    row = _row(client.get(PAGE).content.decode(), org)
    assert row[7] == f"0/{per_month}" and row[8:12] == ["", "", "", ""]
    assert row[12] == f"{round(200 / (due + per_month))}% 2/{due + per_month}"
    # a submission shows on the next request (the cache's stamp moves)
    report = LedgerReport.objects.filter(organisation=org, month=date(2020, 7, 1)).first()
    assert report is not None
    save_report(actor=finance_reporter, report=report, progress="已推进")
    submit_report(actor=finance_reporter, report=report)
    row = _row(client.get(PAGE).content.decode(), org)
    assert row[6] == f"1/{per_month}" and row[12].endswith(f" 3/{due + per_month}")


def test_the_matrix_downloads_as_xlsx_with_the_same_figures(settings, plan, finance_reporter) -> None:
    settings.BANGFU_TODAY = date(2020, 7, 15)
    org = finance_reporter.organisation
    report = LedgerReport.objects.filter(organisation=org, month=date(2020, 6, 1)).first()
    assert report is not None
    save_report(actor=finance_reporter, report=report, progress="已推进")
    submit_report(actor=finance_reporter, report=report)
    client = _client("inspector")
    html = client.get(PAGE).content.decode()
    assert 'href="?format=xlsx"' in html
    response = client.get(PAGE, {"format": "xlsx", "organisation": org.pk})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="completeness-2020.xlsx"'
    rows = open_sheet(name="m.xlsx", data=response.content).table()
    assert rows[0][0].startswith("2020年工作台账报送情况")
    assert rows[1][:3] == ["序号", "单位", "1月"] and rows[1][-3:] == ["已提交", "已到期", "报送率"]
    unit = rows[2]
    assert unit[1] == org.name  # the organisation filter applies to the download too
    per_month = LedgerReport.objects.filter(organisation=org, month=date(2020, 6, 1)).count()
    assert unit[7].endswith(f"1/{per_month}")
    assert [c or "" for c in unit[9:14]] == ["", "", "", "", ""]  # August to December
    assert int(unit[14]) == 1 and int(unit[15]) == 6 * per_month
    assert unit[16] == f"{round(100 / (6 * per_month))}%"
    assert len([r for r in rows[2:] if r[1] and r[0] not in ("", None)]) == 1
    # units that do not oversee cannot download it either
    assert _client("unit").get(PAGE, {"format": "xlsx"}).status_code == 403
