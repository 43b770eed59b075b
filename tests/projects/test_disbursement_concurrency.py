"""资金共管 under races: 20 simultaneous final approvals against a fund that covers 10."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from bangfu.accounts.models import User
from bangfu.ledger.selectors import account_balance
from bangfu.ledger.services import InsufficientBalance
from bangfu.projects.models import Disbursement, DisbursementStatus, Project
from bangfu.projects.services import approve_disbursement, request_disbursement

pytestmark = pytest.mark.django_db(transaction=True)

NEEDS_POSTGRES = (
    "the SQLite test database is an in-memory shared-cache database whose concurrent writers fail "
    "with 'table is locked' instead of waiting; run with DATABASE_URL=postgres://… (CI does)"
)


def _race(calls: list) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(call) -> None:
        try:
            barrier.wait()
            try:
                call()
                result = "paid"
            except InsufficientBalance:
                result = "insufficient"
            except Exception as exc:  # the test reports whatever else happened
                result = f"error: {exc!r}"
            with lock:
                outcomes.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_20_simultaneous_approvals_against_a_balance_covering_10_pay_exactly_10(
    project, township_clerk, funder_reporter
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(NEEDS_POSTGRES)
    # The fund holds 1,000 yuan; 20 requests of 100 yuan each already have the recipient side's
    # approval, and the funder approves all 20 at once, each from its own thread and connection.
    requests = [
        request_disbursement(
            actor=township_clerk,
            project=project,
            amount=Decimal("100.00"),
            payee=f"收款人{i}",
            purpose="工程款",
        )
        for i in range(20)
    ]
    admin = User.objects.get(username="admin")
    for d in requests:
        approve_disbursement(actor=admin, disbursement=d)

    def approve(pk: int):
        return lambda: approve_disbursement(
            actor=User.objects.get(pk=funder_reporter.pk), disbursement=Disbursement.objects.get(pk=pk)
        )

    outcomes = _race([approve(d.pk) for d in requests])
    assert sorted(outcomes) == ["insufficient"] * 10 + ["paid"] * 10
    project = Project.objects.get(pk=project.pk)
    assert account_balance(project.account) == Decimal("0.00")
    assert Disbursement.objects.filter(status=DisbursementStatus.PAID).count() == 10
    assert Disbursement.objects.filter(status=DisbursementStatus.PENDING).count() == 10


def test_two_simultaneous_final_approvals_of_one_request_pay_it_once(
    project, township_clerk, funder_reporter, second_funder_reporter
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(NEEDS_POSTGRES)
    disbursement = request_disbursement(
        actor=township_clerk, project=project, amount=Decimal("100.00"), payee="收款人", purpose="工程款"
    )
    approve_disbursement(actor=User.objects.get(username="admin"), disbursement=disbursement)

    def approve(user_pk: int):
        return lambda: approve_disbursement(
            actor=User.objects.get(pk=user_pk), disbursement=Disbursement.objects.get(pk=disbursement.pk)
        )

    outcomes = _race([approve(funder_reporter.pk), approve(second_funder_reporter.pk)])
    assert outcomes.count("paid") == 1
    assert any("已支付" in o for o in outcomes if o != "paid")
    assert account_balance(Project.objects.get(pk=project.pk).account) == Decimal("900.00")
