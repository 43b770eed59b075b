from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from bangfu.audit.models import AuditRecord
from bangfu.charity import funds, services
from bangfu.charity.amounts import amount_in_words
from bangfu.charity.models import Donation, add_working_days
from bangfu.ledger.models import Entry
from tests.charity.conftest import RANBU, donation, give

pytestmark = pytest.mark.django_db

VALID_USCC = "91513325MA62A00013"


def test_it_defaults_the_disclosure_deadline_to_30_working_days(campaign) -> None:
    # 31 Oct 2020 is a Saturday; 30 Monday-to-Friday days later is Friday 11 Dec.
    assert campaign.disclosure_deadline.isoformat() == "2020-12-11"
    assert add_working_days(campaign.ends_on, 30) == campaign.disclosure_deadline
    assert campaign.code == "513325-2020"


def test_it_records_an_organisation_donation_and_credits_the_ledger(county_admin, campaign) -> None:
    d = give(
        county_admin,
        campaign,
        donor_kind="单位",
        donor_name="格桑牦牛乳业有限公司",
        donor_uscc=VALID_USCC.lower(),
        amount="50,000.00",
    )
    assert d.donor_uscc == VALID_USCC
    assert d.amount == Decimal("50000.00")
    assert funds.balance(campaign, "general") == Decimal("50000.00")
    entry = Entry.objects.get()
    assert (entry.source_type, entry.source_id) == ("charity.donation", str(d.pk))
    assert AuditRecord.objects.filter(action="charity.donation.create").count() == 1


def test_it_refuses_an_invalid_uscc_and_changes_nothing(county_admin, campaign) -> None:
    with pytest.raises(services.DonationImportError) as exc:
        give(
            county_admin,
            campaign,
            donor_kind="organisation",
            donor_name="某公司",
            donor_uscc="91513325MA62A00014",
        )
    assert "统一社会信用代码" in str(exc.value.row_errors[0])
    with pytest.raises(services.DonationImportError):
        give(county_admin, campaign, donor_kind="organisation", donor_name="某公司", donor_uscc="")
    assert Donation.objects.count() == 0
    assert Entry.objects.count() == 0


def test_it_refuses_a_duplicate_receipt(county_admin, campaign) -> None:
    give(county_admin, campaign)
    with pytest.raises(services.DonationImportError) as exc:
        give(county_admin, campaign, donor_name="另一人", amount="5")
    assert "已登记" in str(exc.value.row_errors[0])
    assert Donation.objects.count() == 1
    assert funds.totals(campaign)["credit"] == Decimal("1000.00")


def test_goods_are_valued_but_not_money_in_the_ledger(county_admin, campaign) -> None:
    give(county_admin, campaign, kind="物资", goods_description="冬衣200套", amount="12000")
    assert Donation.objects.get().amount == Decimal("12000.00")
    assert Entry.objects.count() == 0
    with pytest.raises(services.DonationImportError):
        give(county_admin, campaign, receipt_number="R-2", kind="goods", goods_description="")


def test_earmarks_open_one_ledger_pool_each(county_admin, campaign) -> None:
    give(county_admin, campaign, earmark_kind="定向到村", earmark_village=RANBU)
    give(
        county_admin,
        campaign,
        receipt_number="R-2",
        earmark_kind="household",
        earmark_village=RANBU,
        earmark_household="H-77",
    )
    give(county_admin, campaign, receipt_number="R-3", earmark_kind="project", earmark_project="牦牛合作社")
    assert funds.pool_keys(campaign) == {
        f"village:{RANBU}",
        f"household:{RANBU}:H-77",
        "project:牦牛合作社",
    }
    with pytest.raises(services.DonationImportError) as exc:
        give(
            county_admin,
            campaign,
            receipt_number="R-4",
            earmark_kind="village",
            earmark_village="110101001001",
        )
    assert "行政村代码" in str(exc.value.row_errors[0])


def test_only_county_admins_record_donations(township_clerk, campaign) -> None:
    with pytest.raises(PermissionDenied):
        services.record_donation(actor=township_clerk, campaign=campaign, data=donation())
    assert Donation.objects.count() == 0


def test_the_entry_form_shows_field_errors_and_saves_nothing(county_admin, client_for, campaign) -> None:
    client = client_for(county_admin)
    url = f"/charity/{campaign.code}/donations/new/"
    response = client.post(
        url,
        {
            "receipt_number": "X1",
            "donor_kind": "organisation",
            "donor_name": "某公司",
            "donor_uscc": "123",
            "kind": "money",
            "amount": "100",
            "earmark_kind": "none",
            "channel": "bank",
            "donated_on": "2020-07-01",
        },
    )
    assert response.status_code == 200
    assert "统一社会信用代码" in response.content.decode()
    assert Donation.objects.count() == 0
    response = client.post(
        url,
        {
            "receipt_number": "X1",
            "donor_kind": "person",
            "donor_name": "王五",
            "kind": "money",
            "amount": "100",
            "earmark_kind": "none",
            "channel": "bank",
            "donated_on": "2020-07-01",
        },
    )
    assert response.status_code == 302
    assert Donation.objects.get().receipt_number == "X1"


def test_other_roles_get_403_or_404(township_clerk, other_township_clerk, client_for, campaign) -> None:
    assert client_for(township_clerk).get(f"/charity/{campaign.code}/").status_code == 403
    assert client_for(township_clerk).get("/charity/").status_code == 403


def test_a_receipt_page_prints_the_amount_in_words(county_admin, client_for, campaign) -> None:
    d = give(county_admin, campaign, amount="10005.03")
    page = client_for(county_admin).get(f"/charity/donations/{d.pk}/receipt/").content.decode()
    assert "壹万零伍元零叁分" in page
    assert d.receipt_number in page
    assert "<script" not in page


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("1234.50", "壹仟贰佰叁拾肆元伍角整"),
        ("100000", "壹拾万元整"),
        ("100200300", "壹亿零贰拾万零叁佰元整"),
        ("0.05", "伍分"),
        ("20", "贰拾元整"),
    ],
)
def test_amount_in_words(amount: str, words: str) -> None:
    assert amount_in_words(Decimal(amount)) == words
