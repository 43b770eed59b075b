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
from tests.charity.conftest import give

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
    assert totals["balance"] in page and totals["total_raised"] in page
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
