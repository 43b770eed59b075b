"""The sock-puppet scenario of issue #19 on a disbursement (docs/security.md, "Separation of
duties"): one county admin cannot satisfy both signatures through accounts they made."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from bangfu.accounts.models import AccountChange, Role, User
from bangfu.accounts.services import (
    confirm_account_change,
    create_api_token,
    create_user,
    set_user_password,
)
from bangfu.areas.models import Area
from bangfu.audit.models import AuditRecord
from bangfu.ledger.models import Entry
from bangfu.ledger.selectors import account_balance
from bangfu.partners.models import Organisation
from bangfu.projects.models import Disbursement, DisbursementApproval, DisbursementStatus
from bangfu.projects.services import approve_disbursement, request_disbursement
from tests.projects.conftest import COUNTY_CODE, PASSWORD, make_user

pytestmark = pytest.mark.django_db


def puppet(admin: User, username: str) -> User:
    """A unit reporter of the east–west partner (E01), made by `admin`."""
    return create_user(
        actor=admin,
        username=username,
        password=PASSWORD,
        role=Role.UNIT_REPORTER,
        area=Area.objects.get(code=COUNTY_CODE),
        organisation=Organisation.objects.get(code="E01"),
    )


def api(user: User) -> Client:
    _token, raw = create_api_token(actor=None, user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _request(project, actor) -> Disbursement:
    return request_disbursement(
        actor=actor, project=project, amount=Decimal("1000.00"), payee="顺德某公司", purpose="采购"
    )


def _nothing_paid(d: Disbursement, project, approvals: int) -> None:
    d.refresh_from_db()
    assert d.status == DisbursementStatus.PENDING and d.entry_id is None
    assert DisbursementApproval.objects.filter(disbursement=d).count() == approvals
    assert account_balance(project.account) == Decimal("1000.00")
    assert not Entry.objects.filter(source_type="projects.disbursement").exists()


def _refusal_audited(d: Disbursement, actor: User) -> None:
    record = AuditRecord.objects.get(action="projects.approve_disbursement.refused")
    assert record.actor == actor and record.target_id == str(d.pk)
    assert record.county_code == "513325" and "职责分离" in record.reason


def test_the_sock_puppets_are_refused_through_the_web_forms(project, county_admin, client_for) -> None:
    """The issue's scenario: puppet A asks, the admin and puppet B would sign. The requester and
    the signers must be three persons, and all three are the admin."""
    first, second = puppet(county_admin, "shunde-a"), puppet(county_admin, "shunde-b")
    d = _request(project, first)
    for signer in (county_admin, second):
        response = client_for(signer).post(f"/projects/disbursements/{d.pk}/approve/", follow=True)
        page = response.content.decode()
        assert "职责分离" in page and "admin" in page
    _nothing_paid(d, project, approvals=0)
    refused = AuditRecord.objects.filter(action="projects.approve_disbursement.refused")
    assert sorted(refused.values_list("actor__username", flat=True)) == ["admin", "shunde-b"]
    assert {r.county_code for r in refused} == {"513325"}


def test_the_sock_puppets_are_refused_through_the_api_in_either_order(
    project, county_admin, township_clerk
) -> None:
    """A genuine clerk asks; puppet B signs the funder side; the admin's own signature is refused."""
    second = puppet(county_admin, "shunde-b")
    d = _request(project, township_clerk)
    assert api(second).post(f"/api/v1/projects/disbursements/{d.pk}/approve").status_code == 200
    response = api(county_admin).post(f"/api/v1/projects/disbursements/{d.pk}/approve")
    assert response.status_code == 422
    assert "职责分离" in str(response.json()["detail"])
    _nothing_paid(d, project, approvals=1)
    _refusal_audited(d, county_admin)


def test_a_password_reset_makes_the_admin_one_person_with_the_account(
    project, county_admin, township_clerk, funder_reporter
) -> None:
    """funder_reporter is a genuine account (made by the system); the admin resets its password."""
    d = _request(project, township_clerk)
    approve_disbursement(actor=county_admin, disbursement=d)
    set_user_password(actor=county_admin, user=funder_reporter, password="another-horse-battery")
    with pytest.raises(ValidationError, match="职责分离"):
        approve_disbursement(actor=funder_reporter, disbursement=d)
    _nothing_paid(d, project, approvals=1)


def test_a_second_admin_confirming_the_account_lifts_the_rule(project, county_admin, township_clerk) -> None:
    """The positive control: the same flow pays once another admin vouched for the account."""
    other_admin = make_user("admin2", Role.COUNTY_ADMIN, COUNTY_CODE)
    second = puppet(county_admin, "shunde-b")
    d = _request(project, township_clerk)
    approve_disbursement(actor=county_admin, disbursement=d)
    change = AccountChange.objects.get(user=second)
    with pytest.raises(ValidationError, match="另一位"):
        confirm_account_change(actor=county_admin, change=change)  # not the one who made it
    confirm_account_change(actor=other_admin, change=change)
    assert approve_disbursement(actor=second, disbursement=d).status == DisbursementStatus.PAID


def test_an_account_created_after_the_request_cannot_sign_until_confirmed(
    project, county_admin, township_clerk
) -> None:
    other_admin = make_user("admin2", Role.COUNTY_ADMIN, COUNTY_CODE)
    d = _request(project, township_clerk)
    approve_disbursement(actor=county_admin, disbursement=d)
    late = puppet(other_admin, "shunde-late")  # made by another admin, after the request
    with pytest.raises(ValidationError, match="创建于本申请提出之后"):
        approve_disbursement(actor=late, disbursement=d)
    _nothing_paid(d, project, approvals=1)
    confirm_account_change(actor=county_admin, change=AccountChange.objects.get(user=late))
    assert approve_disbursement(actor=late, disbursement=d).status == DisbursementStatus.PAID


def test_outside_the_window_an_old_change_no_longer_counts(
    project, county_admin, township_clerk, settings
) -> None:
    second = puppet(county_admin, "shunde-b")
    d = _request(project, township_clerk)
    approve_disbursement(actor=county_admin, disbursement=d)
    # A change made before the request and before the window does not count.
    AccountChange.objects.update(made_at=d.requested_at - timedelta(days=settings.SOD_WINDOW_DAYS + 1))
    assert approve_disbursement(actor=second, disbursement=d).status == DisbursementStatus.PAID
