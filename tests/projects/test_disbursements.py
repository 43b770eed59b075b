from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.audit.models import AuditRecord
from bangfu.ledger.models import Entry, EntryKind
from bangfu.ledger.selectors import account_balance
from bangfu.ledger.services import InsufficientBalance
from bangfu.projects.models import (
    Disbursement,
    DisbursementApproval,
    DisbursementStatus,
    ProjectStatus,
    Side,
)
from bangfu.projects.services import (
    approve_disbursement,
    change_project_status,
    reject_disbursement,
    request_disbursement,
)

pytestmark = pytest.mark.django_db


def _request(project, actor, amount: str = "400.00") -> Disbursement:
    return request_disbursement(
        actor=actor, project=project, amount=Decimal(amount), payee="然布村合作社", purpose="购买种牛"
    )


def _state(disbursement: Disbursement) -> tuple:
    d = Disbursement.objects.get(pk=disbursement.pk)
    return (
        d.status,
        d.entry_id,
        DisbursementApproval.objects.filter(disbursement=d).count(),
        Entry.objects.count(),
        account_balance(d.project.account),
    )


def test_both_sides_approve_and_the_second_approval_pays(
    project, county_admin, township_clerk, funder_reporter
) -> None:
    disbursement = _request(project, township_clerk)
    first = approve_disbursement(actor=funder_reporter, disbursement=disbursement)
    assert first.status == DisbursementStatus.PENDING
    assert account_balance(project.account) == Decimal("1000.00")
    paid = approve_disbursement(actor=county_admin, disbursement=disbursement)
    assert paid.status == DisbursementStatus.PAID
    assert paid.entry is not None and paid.entry.kind == EntryKind.DEBIT
    assert paid.entry.amount == Decimal("-400.00")
    assert paid.entry.source_type == "projects.disbursement"
    assert account_balance(project.account) == Decimal("600.00")
    assert set(paid.approvals.values_list("side", flat=True)) == {Side.FUNDER, Side.RECIPIENT}
    assert AuditRecord.objects.filter(action="projects.pay_disbursement").count() == 1


def test_the_recipient_side_may_approve_first(project, county_admin, township_clerk, funder_reporter) -> None:
    disbursement = _request(project, county_admin)
    approve_disbursement(actor=township_clerk, disbursement=disbursement)
    paid = approve_disbursement(actor=funder_reporter, disbursement=disbursement)
    assert paid.status == DisbursementStatus.PAID


def test_the_requester_cannot_approve_their_own_request(project, funder_reporter) -> None:
    disbursement = _request(project, funder_reporter)
    before = _state(disbursement)
    with pytest.raises(ValidationError, match="不能审批自己的申请") as excinfo:
        approve_disbursement(actor=funder_reporter, disbursement=disbursement)
    assert excinfo.value.code == "same_person"
    assert _state(disbursement) == before


def test_two_approvals_of_the_same_side_do_not_pay(
    project, township_clerk, funder_reporter, second_funder_reporter
) -> None:
    disbursement = _request(project, township_clerk)
    approve_disbursement(actor=funder_reporter, disbursement=disbursement)
    before = _state(disbursement)
    with pytest.raises(ValidationError, match="受援方") as excinfo:
        approve_disbursement(actor=second_funder_reporter, disbursement=disbursement)
    assert excinfo.value.code == "wrong_side"
    assert _state(disbursement) == before


def test_the_same_user_cannot_approve_twice(project, township_clerk, funder_reporter) -> None:
    disbursement = _request(project, township_clerk)
    approve_disbursement(actor=funder_reporter, disbursement=disbursement)
    before = _state(disbursement)
    with pytest.raises(ValidationError) as excinfo:
        approve_disbursement(actor=funder_reporter, disbursement=disbursement)
    assert excinfo.value.code == "already_approved"
    assert _state(disbursement) == before


def test_a_user_of_neither_side_cannot_approve(
    project, township_clerk, counterpart_reporter, other_township_clerk, unit_reporter
) -> None:
    disbursement = _request(project, township_clerk)
    before = _state(disbursement)
    # Refused first, at the service boundary (scope), before the request is even locked.
    for outsider in (counterpart_reporter, other_township_clerk, unit_reporter):
        with pytest.raises(PermissionDenied, match="资助方或受援方"):
            approve_disbursement(actor=outsider, disbursement=disbursement)
    assert _state(disbursement) == before


def test_it_refuses_payment_when_the_balance_no_longer_covers_it(
    project, county_admin, township_clerk, funder_reporter
) -> None:
    first = _request(project, township_clerk, "700.00")
    second = _request(project, township_clerk, "700.00")
    approve_disbursement(actor=funder_reporter, disbursement=first)
    approve_disbursement(actor=county_admin, disbursement=first)
    approve_disbursement(actor=funder_reporter, disbursement=second)
    before = _state(second)
    with pytest.raises(InsufficientBalance, match="余额不足"):
        approve_disbursement(actor=county_admin, disbursement=second)
    assert _state(second) == before
    assert Disbursement.objects.get(pk=second.pk).status == DisbursementStatus.PENDING
    assert account_balance(project.account) == Decimal("300.00")


def test_it_refuses_a_request_beyond_the_balance(project, township_clerk) -> None:
    with pytest.raises(InsufficientBalance):
        _request(project, township_clerk, "1000.01")
    assert not Disbursement.objects.exists()


def test_it_refuses_requests_with_bad_fields_or_from_outsiders(
    project, township_clerk, counterpart_reporter
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        request_disbursement(
            actor=township_clerk, project=project, amount=Decimal("1"), payee=" ", purpose=""
        )
    assert set(excinfo.value.message_dict) == {"payee", "purpose"}
    with pytest.raises(ValidationError) as excinfo:
        request_disbursement(
            actor=township_clerk, project=project, amount=Decimal("-1"), payee="a", purpose="b"
        )
    assert "amount" in excinfo.value.message_dict
    with pytest.raises(PermissionDenied):
        _request(project, counterpart_reporter)
    assert not Disbursement.objects.exists()


def test_it_rejects_with_a_reason_and_then_refuses_approval(project, township_clerk, funder_reporter) -> None:
    disbursement = _request(project, township_clerk)
    with pytest.raises(ValidationError) as excinfo:
        reject_disbursement(actor=funder_reporter, disbursement=disbursement, reason="")
    assert "reason" in excinfo.value.message_dict
    assert Disbursement.objects.get(pk=disbursement.pk).status == DisbursementStatus.PENDING
    rejected = reject_disbursement(actor=funder_reporter, disbursement=disbursement, reason="发票不全")
    assert (rejected.status, rejected.reject_reason, rejected.rejected_by) == (
        DisbursementStatus.REJECTED,
        "发票不全",
        funder_reporter,
    )
    before = _state(disbursement)
    with pytest.raises(ValidationError, match="已驳回") as excinfo:
        approve_disbursement(actor=funder_reporter, disbursement=disbursement)
    assert excinfo.value.code == "not_pending"
    with pytest.raises(ValidationError):
        reject_disbursement(actor=funder_reporter, disbursement=disbursement, reason="again")
    assert _state(disbursement) == before


def test_an_outsider_cannot_reject(project, township_clerk, counterpart_reporter) -> None:
    disbursement = _request(project, township_clerk)
    with pytest.raises(PermissionDenied):
        reject_disbursement(actor=counterpart_reporter, disbursement=disbursement, reason="no")
    assert Disbursement.objects.get(pk=disbursement.pk).status == DisbursementStatus.PENDING


def test_a_paid_disbursement_cannot_be_approved_again(
    project, county_admin, township_clerk, funder_reporter
) -> None:
    disbursement = _request(project, township_clerk)
    approve_disbursement(actor=funder_reporter, disbursement=disbursement)
    approve_disbursement(actor=county_admin, disbursement=disbursement)
    before = _state(disbursement)
    with pytest.raises(ValidationError, match="已支付"):
        approve_disbursement(actor=county_admin, disbursement=disbursement)
    assert _state(disbursement) == before


def test_pending_disbursements_block_completion_and_cancellation(
    project, county_admin, township_clerk
) -> None:
    change_project_status(actor=county_admin, project=project, to=ProjectStatus.IN_PROGRESS)
    _request(project, township_clerk)
    for to in (ProjectStatus.COMPLETED, ProjectStatus.CANCELLED):
        with pytest.raises(ValidationError, match="待审批"):
            change_project_status(actor=county_admin, project=project, to=to, reason="x")
    project.refresh_from_db()
    assert project.status == ProjectStatus.IN_PROGRESS
