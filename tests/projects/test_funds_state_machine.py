"""Any sequence of allocations, requests, approvals of either side and rejections keeps the
project's fund consistent: balance = sum of its ledger entries = received − paid ≥ 0, and only
requests approved by both sides are paid."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from bangfu.accounts.models import Role, User
from bangfu.areas.models import Area
from bangfu.ledger.models import Entry
from bangfu.ledger.selectors import account_balance
from bangfu.projects.models import Disbursement, DisbursementStatus, FundSource, ProjectStatus
from bangfu.projects.services import (
    approve_disbursement,
    change_project_status,
    record_allocation,
    reject_disbursement,
    request_disbursement,
)

from .conftest import make_user, new_project

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("800"), places=2)
_serial = itertools.count()


class FundMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        n = next(_serial)
        county = Area.objects.get(code="513325000000")
        self.admin = User.objects.get(username="admin")
        self.users = {
            "admin": self.admin,
            "clerk": make_user(f"m{n}-clerk", Role.TOWNSHIP_CLERK, "513325100000"),
            "funder": make_user(f"m{n}-funder", Role.UNIT_REPORTER, "513325000000", "E01"),
            "funder2": make_user(f"m{n}-funder2", Role.UNIT_REPORTER, "513325000000", "E01"),
            "outsider": make_user(f"m{n}-out", Role.UNIT_REPORTER, "513325000000", "K01"),
        }
        self.project = new_project(self.admin, county, code=f"SM-{n}")
        change_project_status(actor=self.admin, project=self.project, to=ProjectStatus.APPROVED)
        self.received = Decimal("0.00")
        self.paid = Decimal("0.00")
        self.requests: list[int] = []

    @rule(amount=amounts)
    def allocate(self, amount: Decimal) -> None:
        record_allocation(actor=self.admin, project=self.project, amount=amount, source=FundSource.PARTNER)
        self.received += amount

    @rule(amount=amounts, who=st.sampled_from(["admin", "clerk", "funder"]))
    def request(self, amount: Decimal, who: str) -> None:
        try:
            d = request_disbursement(
                actor=self.users[who], project=self.project, amount=amount, payee="p", purpose="q"
            )
        except ValidationError:
            assert amount > self.received - self.paid
            return
        self.requests.append(d.pk)

    @precondition(lambda self: bool(self.requests))
    @rule(data=st.data(), who=st.sampled_from(["admin", "clerk", "funder", "funder2", "outsider"]))
    def approve(self, data: st.DataObject, who: str) -> None:
        pk = data.draw(st.sampled_from(self.requests))
        try:
            d = approve_disbursement(actor=self.users[who], disbursement=Disbursement.objects.get(pk=pk))
        except (ValidationError, PermissionDenied):  # an outsider is refused at the service boundary
            return
        if d.status == DisbursementStatus.PAID:
            self.paid += d.amount

    @precondition(lambda self: bool(self.requests))
    @rule(data=st.data(), who=st.sampled_from(["clerk", "funder", "outsider"]))
    def reject(self, data: st.DataObject, who: str) -> None:
        pk = data.draw(st.sampled_from(self.requests))
        try:
            reject_disbursement(
                actor=self.users[who], disbursement=Disbursement.objects.get(pk=pk), reason="r"
            )
        except (ValidationError, PermissionDenied):
            return

    @invariant()
    def fund_is_consistent(self) -> None:
        balance = account_balance(self.project.account)
        entries = Entry.objects.filter(account=self.project.account)
        assert balance == sum((e.amount for e in entries), Decimal("0.00"))
        assert balance == self.received - self.paid
        assert balance >= 0
        for d in Disbursement.objects.filter(project=self.project).prefetch_related("approvals"):
            sides = sorted(a.side for a in d.approvals.all())
            if d.status == DisbursementStatus.PAID:
                assert sides == ["funder", "recipient"] and d.entry_id is not None
                assert d.requested_by_id not in {a.approver_id for a in d.approvals.all()}
            else:
                assert d.entry_id is None and len(sides) <= 1


def test_the_fund_stays_consistent_after_any_sequence(demo) -> None:
    run_state_machine_as_test(
        FundMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
