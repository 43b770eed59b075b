"""Final approvals racing on one pool: never more than the balance goes out."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from bangfu.areas.models import Area
from bangfu.charity import funds, services
from bangfu.charity.models import Spending, SpendingStatus
from tests.charity.conftest import RANBU, give

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_final_approvals_never_overdraw_a_pool(county_admin, approvers, campaign) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks); the SQLite test database cannot run concurrent writers")
    give(county_admin, campaign, amount="500")
    village = Area.objects.get(code=RANBU)
    spendings = [
        services.request_spending(
            actor=county_admin,
            campaign=campaign,
            earmark="general",
            recipient_kind="village",
            village=village,
            purpose=f"用途{i}",
            amount=Decimal("100"),
        )
        for i in range(8)
    ]
    first, second = approvers
    for spending in spendings:
        services.decide_spending(actor=first, spending=spending, approve=True)
    barrier = threading.Barrier(len(spendings))
    outcomes: list[str] = []
    lock = threading.Lock()

    def approve(spending: Spending) -> None:
        try:
            barrier.wait()
            try:
                services.decide_spending(actor=second, spending=spending, approve=True)
                result = "approved"
            except ValidationError:
                result = "refused"
            with lock:
                outcomes.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(s,)) for s in spendings]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("approved") == 5
    assert outcomes.count("refused") == 3
    assert Spending.objects.filter(status=SpendingStatus.APPROVED).count() == 5
    assert funds.balance(campaign, "general") == Decimal("0.00")
