"""Concurrent debits against one account: the row lock lets exactly as many through as the
balance covers."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from bangfu.areas.models import Area
from bangfu.ledger.models import Account, AccountKind, Entry, EntryKind
from bangfu.ledger.selectors import account_balance
from bangfu.ledger.services import InsufficientBalance, open_account, post_entry

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_lets_exactly_as_many_concurrent_debits_through_as_the_balance_covers(demo) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "the SQLite test database is an in-memory shared-cache database whose concurrent writers "
            "fail with 'table is locked' instead of waiting; run with DATABASE_URL=postgres://…"
        )
    account = open_account(
        actor=None,
        county=Area.objects.get(code="513325000000"),
        kind=AccountKind.OTHER,
        reference="test:race",
        name="并发测试",
    )
    post_entry(actor=None, account=account, kind=EntryKind.CREDIT, amount=Decimal("1000.00"))
    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def pay() -> None:
        try:
            acct = Account.objects.get(pk=account.pk)
            barrier.wait()
            try:
                post_entry(actor=None, account=acct, kind=EntryKind.DEBIT, amount=Decimal("100.00"))
                result = "paid"
            except InsufficientBalance:
                result = "refused"
            with lock:
                outcomes.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("paid") == 10
    assert outcomes.count("refused") == 10
    assert account_balance(account) == Decimal("0.00")
    assert Entry.objects.filter(account=account, kind=EntryKind.DEBIT).count() == 10
