"""Whatever sequence of credits, debits and reversals is attempted, the stored balance equals the
sum of the accepted entries and is never negative."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from bangfu.areas.models import Area
from bangfu.ledger.models import AccountKind, Entry, EntryKind
from bangfu.ledger.selectors import account_balance
from bangfu.ledger.services import InsufficientBalance, open_account, post_entry, reverse_entry

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
_serial = itertools.count()


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        county = Area.objects.get(code="513325000000")
        # A fresh account per run: runs share the test's transaction.
        self.account = open_account(
            actor=None,
            county=county,
            kind=AccountKind.OTHER,
            reference=f"test:machine-{next(_serial)}",
            name="状态机账户",
        )
        self.expected = Decimal("0.00")
        self.entries: list[Entry] = []
        self.reversed: set[int] = set()

    @rule(amount=amounts)
    def credit(self, amount: Decimal) -> None:
        entry = post_entry(actor=None, account=self.account, kind=EntryKind.CREDIT, amount=amount)
        self.entries.append(entry)
        self.expected += amount

    @rule(amount=amounts)
    def debit(self, amount: Decimal) -> None:
        if amount > self.expected:
            with pytest.raises(InsufficientBalance):
                post_entry(actor=None, account=self.account, kind=EntryKind.DEBIT, amount=amount)
            return
        entry = post_entry(actor=None, account=self.account, kind=EntryKind.DEBIT, amount=amount)
        self.entries.append(entry)
        self.expected -= amount

    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        candidates = [e for e in self.entries if e.kind != EntryKind.REVERSAL and e.pk not in self.reversed]
        if not candidates:
            return
        entry = data.draw(st.sampled_from(candidates))
        if self.expected - entry.amount < 0:
            with pytest.raises(InsufficientBalance):
                reverse_entry(actor=None, entry=entry, reason="状态机冲正")
            return
        reversal = reverse_entry(actor=None, entry=entry, reason="状态机冲正")
        self.reversed.add(entry.pk)
        self.entries.append(reversal)
        self.expected -= entry.amount

    @invariant()
    def balance_is_the_sum_of_entries_and_never_negative(self) -> None:
        balance = account_balance(self.account)
        assert balance == self.expected
        assert balance == sum((e.amount for e in self.entries), Decimal("0.00"))
        assert balance >= 0
        assert Entry.objects.filter(account=self.account).count() == len(self.entries)


def test_balance_equals_sum_of_entries_after_any_sequence(demo) -> None:
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
