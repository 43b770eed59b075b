from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client
from python_calamine import CalamineWorkbook

from bangfu.areas.models import Area
from bangfu.charity import services
from bangfu.charity.demo import as_of
from bangfu.charity.demo import seed_demo as seed_charity
from bangfu.charity.models import Campaign, CampaignStatus, Donation, Spending, SpendingStatus
from bangfu.ledger.models import Account, Entry
from bangfu.lib.money import format_money
from tests.charity.conftest import RANBU, give

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_campaign(demo) -> Campaign:
    seed_charity(Area.objects.get(code="513325000000"))
    return Campaign.objects.get(year=2019)


def _ledger_sums(campaign: Campaign) -> dict[str, Decimal]:
    accounts = Account.objects.filter(reference__startswith=f"charity:{campaign.pk}:")
    entries = Entry.objects.filter(account__in=accounts)
    credit = entries.filter(amount__gt=0).aggregate(s=Sum("amount"))["s"]
    debit = -entries.filter(amount__lt=0).aggregate(s=Sum("amount"))["s"]
    return {"credit": credit, "debit": debit, "balance": credit - debit}


def test_public_totals_equal_the_internal_ledger(demo_campaign: Campaign) -> None:
    data = json.loads(Client().get(f"/disclosure/{demo_campaign.code}/disclosure.json").content)
    totals = data["totals"]
    ledger = _ledger_sums(demo_campaign)
    assert Decimal(totals["money_raised"]) == ledger["credit"]
    assert Decimal(totals["spent"]) == ledger["debit"]
    assert Decimal(totals["balance"]) == ledger["balance"]
    # … and the ledger agrees with the records behind it.
    money = Donation.objects.filter(campaign=demo_campaign, kind="money").aggregate(s=Sum("amount"))["s"]
    spent = Spending.objects.filter(campaign=demo_campaign, status=SpendingStatus.APPROVED).aggregate(
        s=Sum("amount")
    )["s"]
    assert (ledger["credit"], ledger["debit"]) == (money, spent)
    assert sum(Decimal(p["balance"]) for p in data["pools"]) == ledger["balance"]
    # The page, the CSV and the workbook show the same figures.
    page = Client().get(f"/disclosure/{demo_campaign.code}/").content.decode()
    assert format_money(Decimal(totals["balance"])) in page
    assert format_money(Decimal(totals["total_raised"])) in page
    rows = list(
        csv.DictReader(
            io.StringIO(
                Client().get(f"/disclosure/{demo_campaign.code}/donations.csv").content.decode("utf-8-sig")
            )
        )
    )
    assert sum(Decimal(r["金额（元）"]) for r in rows) == Decimal(totals["total_raised"])
    spending_rows = list(
        csv.DictReader(
            io.StringIO(
                Client().get(f"/disclosure/{demo_campaign.code}/spending.csv").content.decode("utf-8-sig")
            )
        )
    )
    assert sum(Decimal(r["金额（元）"]) for r in spending_rows) == ledger["debit"]
    book = CalamineWorkbook.from_filelike(
        io.BytesIO(Client().get(f"/disclosure/{demo_campaign.code}/disclosure.xlsx").content)
    )
    sheet = book.get_sheet_by_index(2).to_python()
    assert Decimal(str(sum(r[7] for r in sheet[1:]))).quantize(Decimal("0.01")) == ledger["debit"]


def test_donors_without_consent_are_shown_as_aixin_renshi(demo_campaign: Campaign) -> None:
    page = Client().get(f"/disclosure/{demo_campaign.code}/").content.decode()
    assert "爱心人士" in page
    assert "欧阳明远" in page  # consented
    assert "格桑牦牛乳业有限公司" in page  # organisations by name
    for name in Donation.objects.filter(donor_kind="person", publish_name=False).values_list(
        "donor_name", flat=True
    ):
        assert name not in page


def test_public_pages_need_no_login_no_javascript_and_are_cacheable(demo_campaign: Campaign) -> None:
    client = Client()
    for url in ("/disclosure/", f"/disclosure/{demo_campaign.code}/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
        assert "Cookie" not in response.get("Vary", "")
        assert "Set-Cookie" not in response.headers
        assert "<script" not in response.content.decode()
        again = client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
        assert again.status_code == 304


def test_the_deadline_is_shown_met_or_missed(demo_campaign: Campaign, county_admin) -> None:
    assert demo_campaign.disclosed_on is not None
    assert demo_campaign.disclosed_on <= demo_campaign.disclosure_deadline
    data = json.loads(Client().get(f"/disclosure/{demo_campaign.code}/disclosure.json").content)
    assert data["campaign"]["deadline_met"] is True
    late = Campaign.objects.get(year=2020)
    with as_of(date(2020, 11, 2)):
        services.change_campaign_status(actor=county_admin, campaign=late, status=CampaignStatus.OPEN)
        services.change_campaign_status(actor=county_admin, campaign=late, status=CampaignStatus.CLOSED)
    with as_of(date(2021, 3, 1)):
        page = Client().get(f"/disclosure/{late.code}/").content.decode()
        assert "未按期公示" in page
    with as_of(date(2020, 11, 5)):
        assert "尚未到期" in Client().get(f"/disclosure/{late.code}/").content.decode()


def test_an_unknown_campaign_is_404(demo) -> None:
    assert Client().get("/disclosure/nope/").status_code == 404
    assert Client().get("/disclosure/nope/disclosure.json").status_code == 404


def test_a_new_donation_shows_on_the_public_page(county_admin, campaign) -> None:
    give(county_admin, campaign, amount="321.00", donor_name="公开捐赠人")
    page = Client().get(f"/disclosure/{campaign.code}/").content.decode()
    assert "321.00" in page and "公开捐赠人" in page


def test_the_public_donation_list_is_paged(county_admin, campaign) -> None:
    lines = ["收据编号,捐赠人类型,捐赠人,金额,捐赠日期,渠道,同意公开"]
    lines += [f"P{i:04d},个人,公开人{i:04d},1,2020-07-01,bank,是" for i in range(205)]
    services.import_donations(
        actor=county_admin, campaign=campaign, data="\n".join(lines).encode(), filename="p.csv"
    )
    first = Client().get(f"/disclosure/{campaign.code}/").content.decode()
    assert "P0199" in first and "P0200" not in first and "?page=2" in first
    second = Client().get(f"/disclosure/{campaign.code}/?page=2").content.decode()
    assert "P0204" in second and "P0000" not in second
    assert "205.00" in first  # the totals cover every page


def test_the_cached_public_page_changes_with_every_donation_and_void(county_admin, campaign) -> None:
    first = give(county_admin, campaign, amount="321.00", donor_name="第一位捐赠人")
    url = f"/disclosure/{campaign.code}/"
    assert "第一位捐赠人" in Client().get(url).content.decode()
    assert "第一位捐赠人" in Client().get(url).content.decode()  # served from the page cache
    give(county_admin, campaign, receipt_number="R-0002", amount="55.00", donor_name="第二位捐赠人")
    page = Client().get(url).content.decode()
    assert "第二位捐赠人" in page and "376.00" in page
    services.void_donation(actor=county_admin, donation=first, reason="重复录入")
    page = Client().get(url).content.decode()
    assert "第一位捐赠人" not in page and "376.00" not in page and "55.00" in page
    # An odd page parameter is answered (not cached) like any other request.
    assert Client().get(url + "?page=x" + "9" * 20).status_code == 200


def test_a_donor_name_that_looks_like_a_formula_stays_text_in_the_public_csv(county_admin, campaign) -> None:
    """Anyone downloads the public CSV into Excel: a name such as =HYPERLINK(...) must not run."""
    name = '=HYPERLINK("http://x.invalid","点我")'
    give(county_admin, campaign, donor_name=name)
    rows = list(
        csv.DictReader(
            io.StringIO(
                Client().get(f"/disclosure/{campaign.code}/donations.csv").content.decode("utf-8-sig")
            )
        )
    )
    assert [r["捐赠人"] for r in rows] == ["'" + name]
    assert [r["金额（元）"] for r in rows] == ["1000.00"]


def test_cash_and_goods_are_shown_apart_and_the_goods_say_where_they_went(demo_campaign: Campaign) -> None:
    """#17: the page read 捐赠合计 197,500 − 已使用 133,000 = 余额 52,500, leaving the 12,000 of goods
    out silently. Money and goods are separate figures; the goods are listed by destination."""
    data = json.loads(Client().get(f"/disclosure/{demo_campaign.code}/disclosure.json").content)
    money, goods = data["money"], data["goods"]
    assert Decimal(money["donated"]) - Decimal(money["used"]) == Decimal(money["balance"])
    goods_value = Donation.objects.filter(campaign=demo_campaign, kind="goods").aggregate(s=Sum("amount"))[
        "s"
    ]
    assert goods_value and Decimal(goods["donated_value"]) == goods_value
    assert sum(Decimal(g["value"]) for g in goods["destinations"]) == goods_value
    assert Decimal(data["totals"]["total_raised"]) == Decimal(money["donated"]) + goods_value
    (winter,) = [g for g in goods["destinations"] if "冬衣200套" in g["description"]]
    assert winter["destination"] == "非定向" and winter["received_on"] == "2019-10-17"
    page = Client().get(f"/disclosure/{demo_campaign.code}/").content.decode()
    for text in ("资金余额（元）", "物资捐赠折价（元）", "物资去向", "冬衣200套", format_money(goods_value)):
        assert text in page
    index = Client().get("/disclosure/").content.decode()
    assert "资金余额（元）" in index and "物资折价（元）" in index and format_money(goods_value) in index


def test_goods_for_a_household_are_shown_by_village_only(county_admin, campaign) -> None:
    give(
        county_admin,
        campaign,
        receipt_number="G-0001",
        kind="goods",
        goods_description="棉被20床",
        amount="2400.00",
        earmark_kind="household",
        earmark_village=RANBU,
        earmark_household="513325100202000123",
    )
    data = json.loads(Client().get(f"/disclosure/{campaign.code}/disclosure.json").content)
    (row,) = data["goods"]["destinations"]
    assert row["destination"] == "定向到户（然布村）" and row["township"] == "雪岭镇"
    assert row["value"] == "2400.00" and row["donations"] == 1
    page = Client().get(f"/disclosure/{campaign.code}/").content.decode()
    assert "棉被20床" in page and "然布村" in page
    assert "513325100202000123" not in page and "513325100202000123" not in json.dumps(data)


def test_a_goods_donation_shows_at_once_on_the_cached_page(county_admin, campaign) -> None:
    url = f"/disclosure/{campaign.code}/"
    assert "本次活动没有物资捐赠" in Client().get(url).content.decode()
    give(
        county_admin,
        campaign,
        receipt_number="G-0002",
        kind="goods",
        goods_description="大米50袋",
        amount="1500.00",
    )
    page = Client().get(url).content.decode()
    assert "大米50袋" in page and "1,500.00" in page


def test_last_updated_is_an_office_date_from_the_records_never_the_machine_s(
    demo_campaign: Campaign, settings
) -> None:
    """#15/#17: "最后更新：2026-…" stood next to 2019 data. It is the newest record date."""
    settings.BANGFU_TODAY = date(2020, 7, 15)
    newest = max(
        [
            *Donation.objects.filter(campaign=demo_campaign).values_list("donated_on", flat=True),
            *(
                d.date()
                for d in Spending.objects.filter(campaign=demo_campaign).values_list("decided_at", flat=True)
                if d
            ),
            demo_campaign.disclosed_on,
        ]
    )
    data = json.loads(Client().get(f"/disclosure/{demo_campaign.code}/disclosure.json").content)
    assert data["updated_on"] == newest.isoformat()
    page = Client().get(f"/disclosure/{demo_campaign.code}/").content.decode()
    assert f"最后更新：{newest.year}年{newest.month}月{newest.day}日" in page
    machine_year = date.today().year  # the machine's clock, which the page must not show
    if machine_year not in (2019, 2020):
        assert f"{machine_year}" not in page
    # Never after the office's today, whatever a record says.
    settings.BANGFU_TODAY = date(2019, 10, 20)
    data = json.loads(Client().get(f"/disclosure/{demo_campaign.code}/disclosure.json").content)
    assert data["updated_on"] <= "2019-10-20"
