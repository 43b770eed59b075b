from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bangfu.areas.models import Area
from bangfu.charity import funds, services
from bangfu.charity.models import Spending, SpendingApproval, SpendingStatus
from bangfu.ledger.models import Entry, EntryKind
from tests.charity.conftest import ELUO, RANBU, give

pytestmark = pytest.mark.django_db


def _request(admin, campaign, *, earmark="general", amount="100.00", kind="village", village=RANBU, **extra):
    return services.request_spending(
        actor=admin,
        campaign=campaign,
        earmark=earmark,
        recipient_kind=kind,
        village=Area.objects.get(code=village) if village else None,
        purpose="村道路灯",
        amount=Decimal(amount),
        **extra,
    )


def test_two_users_other_than_the_requester_must_approve(county_admin, approvers, campaign) -> None:
    give(county_admin, campaign, amount="1000")
    spending = _request(county_admin, campaign, amount="400")
    with pytest.raises(ValidationError, match="申请人不能审批"):
        services.decide_spending(actor=county_admin, spending=spending, approve=True)
    first, second = approvers
    services.decide_spending(actor=first, spending=spending, approve=True)
    spending.refresh_from_db()
    assert spending.status == SpendingStatus.REQUESTED
    assert not Entry.objects.filter(kind=EntryKind.DEBIT).exists()
    with pytest.raises(ValidationError, match="已审批过"):
        services.decide_spending(actor=first, spending=spending, approve=True)
    services.decide_spending(actor=second, spending=spending, approve=True)
    spending.refresh_from_db()
    assert spending.status == SpendingStatus.APPROVED
    debit = Entry.objects.get(kind=EntryKind.DEBIT)
    assert debit.amount == Decimal("-400.00")
    assert spending.ledger_ref == str(debit.pk)
    assert funds.balance(campaign, "general") == Decimal("600.00")
    assert SpendingApproval.objects.filter(spending=spending).count() == 2


def test_a_rejection_closes_the_request_and_moves_no_money(county_admin, approvers, campaign) -> None:
    give(county_admin, campaign, amount="1000")
    spending = _request(county_admin, campaign)
    with pytest.raises(ValidationError):
        services.decide_spending(actor=approvers[0], spending=spending, approve=False, comment="")
    services.decide_spending(actor=approvers[0], spending=spending, approve=False, comment="用途不明")
    with pytest.raises(ValidationError, match="已处理"):
        services.decide_spending(actor=approvers[1], spending=spending, approve=True)
    assert Spending.objects.get().status == SpendingStatus.REJECTED
    assert funds.balance(campaign, "general") == Decimal("1000.00")


def test_never_more_than_the_balance(county_admin, approvers, campaign) -> None:
    give(county_admin, campaign, amount="500")
    with pytest.raises(ValidationError, match="余额"):
        _request(county_admin, campaign, amount="500.01")
    assert Spending.objects.count() == 0
    # Two requests each within the balance, together above it: the second final approval fails.
    a = _request(county_admin, campaign, amount="300")
    b = _request(county_admin, campaign, amount="300")
    for approver in approvers:
        services.decide_spending(actor=approver, spending=a, approve=True)
    services.decide_spending(actor=approvers[0], spending=b, approve=True)
    with pytest.raises(ValidationError, match="余额"):
        services.decide_spending(actor=approvers[1], spending=b, approve=True)
    b.refresh_from_db()
    assert b.status == SpendingStatus.REQUESTED
    assert b.approvals.count() == 1  # the refused approval was rolled back
    assert funds.balance(campaign, "general") == Decimal("200.00")


def test_earmarked_money_goes_only_to_its_earmark(county_admin, approvers, campaign) -> None:
    give(county_admin, campaign, amount="800", earmark_kind="village", earmark_village=RANBU)
    give(
        county_admin,
        campaign,
        receipt_number="R-2",
        amount="300",
        earmark_kind="household",
        earmark_village=ELUO,
        earmark_household="H-1",
    )
    give(county_admin, campaign, receipt_number="R-3", amount="100")
    village_key, household_key = f"village:{RANBU}", f"household:{ELUO}:H-1"
    # Village money to another village: refused.
    with pytest.raises(ValidationError, match="定向资金"):
        _request(county_admin, campaign, earmark=village_key, village=ELUO)
    # Household money to another household, or to the village: refused.
    with pytest.raises(ValidationError, match="定向资金"):
        _request(
            county_admin, campaign, earmark=household_key, kind="household", village=ELUO, household="H-2"
        )
    with pytest.raises(ValidationError, match="定向资金"):
        _request(county_admin, campaign, earmark=household_key, village=ELUO)
    # Unearmarked pool cannot cover more than its own 100 even though earmarked pools hold more.
    with pytest.raises(ValidationError, match="余额"):
        _request(county_admin, campaign, amount="150")
    assert Spending.objects.count() == 0
    ok = _request(
        county_admin,
        campaign,
        earmark=household_key,
        kind="household",
        village=ELUO,
        household="H-1",
        amount="300",
    )
    for approver in approvers:
        services.decide_spending(actor=approver, spending=ok, approve=True)
    pools = funds.pool_balances(campaign)
    assert pools[household_key]["balance"] == Decimal("0.00")
    assert pools[village_key]["balance"] == Decimal("800.00")
    assert pools["general"]["balance"] == Decimal("100.00")


def test_the_approval_page_lets_another_admin_approve(county_admin, approvers, client_for, campaign) -> None:
    give(county_admin, campaign, amount="1000")
    spending = _request(county_admin, campaign)
    own = client_for(county_admin).post(f"/charity/spending/{spending.pk}/", {"decision": "approve"})
    assert own.status_code == 200 and "申请人不能审批" in own.content.decode()
    assert SpendingApproval.objects.count() == 0
    response = client_for(approvers[0]).post(f"/charity/spending/{spending.pk}/", {"decision": "approve"})
    assert response.status_code == 302
    assert SpendingApproval.objects.count() == 1


def test_the_spending_form_refuses_an_overdraft(county_admin, client_for, campaign) -> None:
    give(county_admin, campaign, amount="100")
    response = client_for(county_admin).post(
        f"/charity/{campaign.code}/spending/new/",
        {
            "earmark": "general",
            "recipient_kind": "village",
            "village": RANBU,
            "purpose": "路灯",
            "amount": "101",
        },
    )
    assert response.status_code == 200
    assert "余额" in response.content.decode()
    assert Spending.objects.count() == 0


def test_an_approved_spending_is_reversed_not_deleted(county_admin, approvers, client_for, campaign) -> None:
    give(county_admin, campaign, amount="1000")
    spending = _request(county_admin, campaign, amount="400")
    for approver in approvers:
        services.decide_spending(actor=approver, spending=spending, approve=True)
    client = client_for(county_admin)
    assert client.post(f"/charity/spending/{spending.pk}/reverse/", {"reason": ""}).status_code == 302
    assert Spending.objects.get().status == SpendingStatus.APPROVED
    client.post(f"/charity/spending/{spending.pk}/reverse/", {"reason": "项目取消，资金退回"})
    spending.refresh_from_db()
    assert spending.status == SpendingStatus.REVERSED and spending.reversal_reason == "项目取消，资金退回"
    assert funds.totals(campaign) == {
        "credit": Decimal("1000.00"),
        "debit": Decimal("0.00"),
        "balance": Decimal("1000.00"),
    }
    assert Entry.objects.filter(kind=EntryKind.REVERSAL).count() == 1
    with pytest.raises(ValidationError, match="已批准"):
        services.reverse_spending(actor=county_admin, spending=spending, reason="again")
    from django.test import Client

    assert "村道路灯" not in Client().get(f"/disclosure/{campaign.code}/").content.decode()
