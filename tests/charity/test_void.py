from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from bangfu.areas.models import Area
from bangfu.charity import funds, services
from bangfu.charity.models import Donation
from bangfu.ledger.models import Entry, EntryKind
from tests.charity.conftest import RANBU, give

pytestmark = pytest.mark.django_db


def test_voiding_a_donation_reverses_its_credit_and_keeps_the_row(county_admin, client_for, campaign) -> None:
    give(county_admin, campaign, amount="300")
    wrong = give(county_admin, campaign, receipt_number="R-2", amount="700", donor_name="错录捐赠人")
    response = client_for(county_admin).post(f"/charity/donations/{wrong.pk}/void/", {"reason": "重复录入"})
    assert response.status_code == 302
    wrong.refresh_from_db()
    assert wrong.voided_at is not None and wrong.void_reason == "重复录入"
    assert Donation.objects.count() == 2
    assert funds.totals(campaign) == {
        "credit": Decimal("300.00"),
        "debit": Decimal("0.00"),
        "balance": Decimal("300.00"),
    }
    assert Entry.objects.filter(kind=EntryKind.REVERSAL).count() == 1
    page = Client().get(f"/disclosure/{campaign.code}/").content.decode()
    assert "错录捐赠人" not in page
    with pytest.raises(ValidationError, match="已作废"):
        services.void_donation(actor=county_admin, donation=wrong, reason="again")


def test_voiding_one_imported_donation_recredits_the_rest_of_its_batch(county_admin, campaign) -> None:
    data = (
        "收据编号,捐赠人类型,捐赠人,金额,捐赠日期,渠道,定向,定向村代码\n"
        f"I-1,个人,甲,100,2020-07-01,bank,定向到村,{RANBU}\n"
        f"I-2,个人,乙,250,2020-07-01,bank,定向到村,{RANBU}\n"
    ).encode()
    services.import_donations(actor=county_admin, campaign=campaign, data=data, filename="s.csv")
    key = f"village:{RANBU}"
    # Spend most of it: voiding I-1 must still work (300 → 350 − 100 = 250 ≥ spent 200).
    spending = services.request_spending(
        actor=county_admin,
        campaign=campaign,
        earmark=key,
        recipient_kind="village",
        village=Area.objects.get(code=RANBU),
        purpose="路灯",
        amount=Decimal("200"),
    )
    from tests.charity.conftest import _admin

    for approver in (_admin("ap-1", "C22"), _admin("ap-2", "C01")):
        services.decide_spending(actor=approver, spending=spending, approve=True)
    services.void_donation(
        actor=county_admin, donation=Donation.objects.get(receipt_number="I-1"), reason="退款"
    )
    pool = funds.pool_balances(campaign)[key]
    assert (pool["credit"], pool["debit"], pool["balance"]) == (
        Decimal("250.00"),
        Decimal("200.00"),
        Decimal("50.00"),
    )
    # Voiding I-2 would take the pool below what was spent: refused, nothing changes.
    entries = Entry.objects.count()
    with pytest.raises(ValidationError, match="已被使用"):
        services.void_donation(
            actor=county_admin, donation=Donation.objects.get(receipt_number="I-2"), reason="退款"
        )
    assert Entry.objects.count() == entries
    assert Donation.objects.get(receipt_number="I-2").voided_at is None
