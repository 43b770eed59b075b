"""The sock-puppet scenario of issue #19 on a donation spending: two county-admin accounts made by
one admin cannot give the two approvals (docs/security.md, "Separation of duties")."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from bangfu.accounts.models import Role, User
from bangfu.accounts.services import create_api_token, create_user
from bangfu.areas.models import Area
from bangfu.audit.models import AuditRecord
from bangfu.charity import funds, services
from bangfu.charity.models import Spending, SpendingApproval, SpendingStatus
from bangfu.ledger.models import Entry
from tests.charity.conftest import COUNTY, PASSWORD, RANBU, give

pytestmark = pytest.mark.django_db


def puppet_admin(admin: User, username: str) -> User:
    return create_user(
        actor=admin,
        username=username,
        password=PASSWORD,
        role=Role.COUNTY_ADMIN,
        area=Area.objects.get(code=COUNTY),
    )


def api(user: User) -> Client:
    _token, raw = create_api_token(actor=None, user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _request(requester: User, campaign) -> Spending:
    return services.request_spending(
        actor=requester,
        campaign=campaign,
        earmark="general",
        recipient_kind="village",
        village=Area.objects.get(code=RANBU),
        purpose="村道路灯",
        amount=Decimal("400.00"),
    )


def _nothing_paid(spending: Spending, campaign, approvals: int) -> None:
    spending.refresh_from_db()
    assert spending.status == SpendingStatus.REQUESTED and not spending.ledger_ref
    assert SpendingApproval.objects.filter(spending=spending).count() == approvals
    assert funds.balance(campaign, "general") == Decimal("1000.00")
    assert Entry.objects.filter(kind="debit").count() == 0


def _refusal_audited(spending: Spending, actor: User) -> None:
    record = AuditRecord.objects.get(action="charity.spending.approve.refused")
    assert record.actor == actor and record.target_id == str(spending.pk)
    assert record.county_code == "513325" and "职责分离" in record.reason


def test_two_puppet_admins_are_refused_through_the_web_form(
    county_admin, approvers, client_for, campaign
) -> None:
    give(county_admin, campaign, amount="1000")
    first, second = puppet_admin(county_admin, "admin-x"), puppet_admin(county_admin, "admin-y")
    spending = _request(approvers[0], campaign)  # a genuine admin asks
    response = client_for(first).post(f"/charity/spending/{spending.pk}/", {"decision": "approve"})
    assert response.status_code == 302
    response = client_for(second).post(f"/charity/spending/{spending.pk}/", {"decision": "approve"})
    assert response.status_code == 200
    assert "职责分离" in response.content.decode()
    _nothing_paid(spending, campaign, approvals=1)
    _refusal_audited(spending, second)


def test_two_puppet_admins_are_refused_through_the_api(county_admin, approvers, campaign) -> None:
    give(county_admin, campaign, amount="1000")
    first, second = puppet_admin(county_admin, "admin-x"), puppet_admin(county_admin, "admin-y")
    spending = _request(approvers[0], campaign)
    response = api(first).post(
        f"/api/v1/charity/spendings/{spending.pk}/decide", {"approve": True}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["approvals"] == 1
    response = api(second).post(
        f"/api/v1/charity/spendings/{spending.pk}/decide", {"approve": True}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "职责分离" in str(response.json()["detail"])
    _nothing_paid(spending, campaign, approvals=1)
    _refusal_audited(spending, second)


def test_the_admin_who_asked_cannot_approve_through_an_account_they_made(county_admin, campaign) -> None:
    give(county_admin, campaign, amount="1000")
    puppet = puppet_admin(county_admin, "admin-x")
    spending = _request(county_admin, campaign)
    with pytest.raises(ValidationError, match="职责分离"):
        services.decide_spending(actor=puppet, spending=spending, approve=True)
    _nothing_paid(spending, campaign, approvals=0)


def test_genuine_approvers_still_pay(county_admin, approvers, campaign) -> None:
    """The positive control: two accounts nobody in the county made stay two people."""
    give(county_admin, campaign, amount="1000")
    spending = _request(county_admin, campaign)
    for approver in approvers:
        services.decide_spending(actor=approver, spending=spending, approve=True)
    spending.refresh_from_db()
    assert spending.status == SpendingStatus.APPROVED
