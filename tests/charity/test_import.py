from __future__ import annotations

import io
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from bangfu.charity import funds, services
from bangfu.charity.models import Donation, DonationImport
from bangfu.ledger.models import Entry
from tests.charity.conftest import RANBU, give

pytestmark = pytest.mark.django_db

HEADER = (
    "收据编号,捐赠人类型,捐赠人,统一社会信用代码,金额,捐赠日期,渠道,同意公开,"
    "定向,定向村代码,定向户编号,定向项目\n"
)
GOOD = HEADER + (
    'B-001,单位,格桑牦牛乳业有限公司,91513325MA62A00013,"50,000.00",2020-07-01,银行转账,是,,,,\n'
    "B-002,个人,赵淑芬,,500,2020/07/02,网络平台,否,,,,\n"
    f"B-003,个人,孙立新,,3000,2020年7月3日,bank,否,定向到户,{RANBU},H-9,\n"
    f"B-004,个人,钱多多,,200.5,2020-07-03,bank,是,定向到村,{RANBU},,\n"
)


def test_it_imports_a_gb18030_statement_in_one_batch(county_admin, campaign) -> None:
    result = services.import_donations(
        actor=county_admin, campaign=campaign, data=GOOD.encode("gb18030"), filename="流水.csv"
    )
    assert (result.count, result.total) == (4, Decimal("53700.50"))
    assert DonationImport.objects.get().file_format == "csv/gb18030"
    assert Donation.objects.filter(source_import=result.batch).count() == 4
    assert Donation.objects.get(receipt_number="B-003").earmark_household == "H-9"
    # One ledger entry per pool for the whole import.
    assert Entry.objects.count() == 3
    assert funds.totals(campaign)["credit"] == Decimal("53700.50")


def test_it_imports_an_xlsx_statement(county_admin, campaign) -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for c, name in enumerate(["收据编号", "捐赠人类型", "捐赠人", "金额", "捐赠日期", "渠道"]):
        sheet.write(0, c, name)
    sheet.write_row(1, 0, ["X-1", "个人", "王五", 1200.10, "2020-07-01", "现金"])
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    from datetime import datetime

    sheet.write_row(2, 0, ["X-2", "个人", "赵六", 99])
    sheet.write_datetime(2, 4, datetime(2020, 7, 2), date_format)
    sheet.write(2, 5, "平台")
    book.close()
    result = services.import_donations(
        actor=county_admin, campaign=campaign, data=buffer.getvalue(), filename="statement.xlsx"
    )
    assert result.count == 2
    assert Donation.objects.get(receipt_number="X-1").amount == Decimal("1200.10")
    assert Donation.objects.get(receipt_number="X-2").donated_on.isoformat() == "2020-07-02"


def test_row_errors_name_row_field_and_reason_and_nothing_is_saved(county_admin, campaign) -> None:
    give(county_admin, campaign, receipt_number="OLD-1")
    before = (Donation.objects.count(), Entry.objects.count(), DonationImport.objects.count())
    bad = GOOD + (
        "B-005,单位,某公司,91513325MA62A00014,100,2020-07-01,bank,是,,,,\n"  # row 6: checksum
        "B-006,个人,张三,,-5,2020-07-01,bank,是,,,,\n"  # row 7: negative
        "B-007,个人,李四,,abc,2020-13-01,飞鸽,也许,,,,\n"  # row 8: amount, date, channel, consent
        "B-001,个人,王五,,10,2020-07-01,bank,是,,,,\n"  # row 9: duplicate of row 2
        "OLD-1,个人,赵六,,10,2020-07-01,bank,是,,,,\n"  # row 10: already registered
        "B-010,个人,周七,,10,2020-07-01,bank,是,定向到户,,,\n"  # row 11: household without village
    )
    with pytest.raises(services.DonationImportError) as exc:
        services.import_donations(
            actor=county_admin, campaign=campaign, data=bad.encode(), filename="bad.csv"
        )
    errors = [(e.row, e.field) for e in exc.value.row_errors]
    assert (6, "统一社会信用代码") in errors
    assert (7, "金额") in errors
    assert {(8, "金额"), (8, "捐赠日期"), (8, "渠道"), (8, "同意公开")} <= set(errors)
    assert (9, "收据编号") in errors
    assert (10, "收据编号") in errors
    assert {(11, "定向村代码"), (11, "定向户编号")} <= set(errors)
    messages = [str(e) for e in exc.value.row_errors]
    assert "第9行 收据编号：“B-001”与第2行重复" in messages
    assert "第10行 收据编号：“OLD-1”已登记，不能重复" in messages
    assert (Donation.objects.count(), Entry.objects.count(), DonationImport.objects.count()) == before


def test_a_missing_column_is_reported_on_the_header_row(county_admin, campaign) -> None:
    with pytest.raises(services.DonationImportError) as exc:
        services.import_donations(
            actor=county_admin, campaign=campaign, data="收据编号,捐赠人\nA,B\n".encode(), filename="x.csv"
        )
    assert exc.value.row_errors[0].row == 1
    assert "金额" in exc.value.row_errors[0].message


def test_the_import_page_lists_every_error_and_imports_nothing(county_admin, client_for, campaign) -> None:
    client = client_for(county_admin)
    bad = HEADER + "B-1,个人,张三,,-5,2020-07-01,bank,是,,,,\n"
    upload = SimpleUploadedFile("bad.csv", bad.encode("gb18030"), content_type="text/csv")
    response = client.post(f"/charity/{campaign.code}/donations/import/", {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert "未导入任何数据" in page and "必须大于0" in page
    assert Donation.objects.count() == 0
    upload = SimpleUploadedFile("good.csv", GOOD.encode("utf-8-sig"), content_type="text/csv")
    response = client.post(f"/charity/{campaign.code}/donations/import/", {"file": upload})
    assert response.status_code == 302
    assert Donation.objects.count() == 4
