from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from bangfu.audit.models import AuditRecord
from bangfu.ledger.models import Account, AccountKind, AppendOnlyError, Entry, EntryKind
from bangfu.ledger.selectors import account_balance, account_totals, balances
from bangfu.ledger.services import InsufficientBalance, open_account, post_entry, reverse_entry

pytestmark = pytest.mark.django_db


def _credit(account: Account, amount: str, actor=None) -> Entry:
    return post_entry(actor=actor, account=account, kind=EntryKind.CREDIT, amount=Decimal(amount))


def test_it_derives_the_balance_from_signed_entries(account, county_admin) -> None:
    _credit(account, "1000.00", county_admin)
    debit = post_entry(
        actor=county_admin, account=account, kind=EntryKind.DEBIT, amount=Decimal("300.50"), memo="购材料"
    )
    assert debit.amount == Decimal("-300.50")
    assert account_balance(account) == Decimal("699.50")
    totals = account_totals(account)
    assert totals["credited"] == Decimal("1000.00")
    assert totals["debited"] == Decimal("300.50")
    assert totals["balance"] == Decimal("699.50")
    assert balances([account]) == {account.pk: Decimal("699.50")}
    assert AuditRecord.objects.filter(action="ledger.debit", target_id=str(debit.pk)).count() == 1


def test_it_refuses_a_debit_beyond_the_balance_and_changes_nothing(account, county_admin) -> None:
    _credit(account, "100.00")
    audits = AuditRecord.objects.count()
    with pytest.raises(InsufficientBalance, match="余额不足") as excinfo:
        post_entry(actor=county_admin, account=account, kind=EntryKind.DEBIT, amount=Decimal("100.01"))
    assert excinfo.value.code == "insufficient_balance"
    assert Entry.objects.filter(account=account).count() == 1
    assert account_balance(account) == Decimal("100.00")
    assert AuditRecord.objects.count() == audits


def test_it_pays_exactly_the_whole_balance(account) -> None:
    _credit(account, "100.00")
    post_entry(actor=None, account=account, kind=EntryKind.DEBIT, amount=Decimal("100.00"))
    assert account_balance(account) == Decimal("0.00")


@pytest.mark.parametrize("amount", ["0", "-5", "1.001", "NaN", "1000000000000"])
def test_it_refuses_bad_amounts(account, amount) -> None:
    with pytest.raises(ValidationError) as excinfo:
        post_entry(actor=None, account=account, kind=EntryKind.CREDIT, amount=Decimal(amount))
    assert "amount" in excinfo.value.message_dict
    assert not Entry.objects.exists()


def test_it_refuses_a_float_amount(account) -> None:
    with pytest.raises(ValidationError):
        post_entry(actor=None, account=account, kind=EntryKind.CREDIT, amount=1.5)  # type: ignore[arg-type]
    assert not Entry.objects.exists()


def test_it_refuses_to_post_a_reversal_directly(account) -> None:
    with pytest.raises(ValidationError):
        post_entry(actor=None, account=account, kind=EntryKind.REVERSAL, amount=Decimal("1"))
    assert not Entry.objects.exists()


def test_it_reverses_a_debit_and_restores_the_balance(account, county_admin) -> None:
    _credit(account, "100.00")
    debit = post_entry(actor=None, account=account, kind=EntryKind.DEBIT, amount=Decimal("40.00"))
    reversal = reverse_entry(actor=county_admin, entry=debit, reason="重复支付")
    assert reversal.kind == EntryKind.REVERSAL
    assert reversal.amount == Decimal("40.00")
    assert reversal.reverses == debit
    assert account_balance(account) == Decimal("100.00")


def test_it_refuses_to_reverse_twice_or_reverse_a_reversal(account) -> None:
    credit = _credit(account, "100.00")
    reversal = reverse_entry(actor=None, entry=credit, reason="录错")
    with pytest.raises(ValidationError, match="已被冲正"):
        reverse_entry(actor=None, entry=credit, reason="again")
    with pytest.raises(ValidationError, match="不能再次冲正"):
        reverse_entry(actor=None, entry=reversal, reason="again")
    assert Entry.objects.count() == 2
    assert account_balance(account) == Decimal("0.00")


def test_it_refuses_a_reversal_that_would_make_the_balance_negative(account) -> None:
    credit = _credit(account, "100.00")
    post_entry(actor=None, account=account, kind=EntryKind.DEBIT, amount=Decimal("60.00"))
    with pytest.raises(InsufficientBalance):
        reverse_entry(actor=None, entry=credit, reason="退回")
    assert Entry.objects.count() == 2
    assert account_balance(account) == Decimal("40.00")


def test_it_requires_a_reason_to_reverse(account) -> None:
    credit = _credit(account, "10.00")
    with pytest.raises(ValidationError) as excinfo:
        reverse_entry(actor=None, entry=credit, reason="  ")
    assert "reason" in excinfo.value.message_dict
    assert Entry.objects.count() == 1


def test_it_refuses_a_second_account_for_the_same_reference(account, county) -> None:
    with pytest.raises(ValidationError) as excinfo:
        open_account(
            actor=None, county=county, kind=AccountKind.PROJECT_FUND, reference=account.reference, name="x"
        )
    assert "reference" in excinfo.value.message_dict
    assert Account.objects.count() == 1


def test_it_has_no_path_to_change_or_delete_an_entry_in_code(account) -> None:
    credit = _credit(account, "10.00")
    credit.amount = Decimal("1000.00")
    with pytest.raises(AppendOnlyError):
        credit.save()
    with pytest.raises(AppendOnlyError):
        credit.delete()
    with pytest.raises(AppendOnlyError):
        Entry.objects.filter(pk=credit.pk).update(amount=Decimal("1000.00"))
    with pytest.raises(AppendOnlyError):
        Entry.objects.filter(pk=credit.pk).delete()
    assert Entry.objects.get(pk=credit.pk).amount == Decimal("10.00")


def test_it_refuses_an_update_in_the_database(account) -> None:
    credit = _credit(account, "10.00")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_entry SET amount = 1000 WHERE id = %s", [credit.pk])
    assert Entry.objects.get(pk=credit.pk).amount == Decimal("10.00")


def test_it_refuses_a_delete_in_the_database_on_postgresql(account) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps DELETE open for the test flush; see ledger migration 0002")
    credit = _credit(account, "10.00")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_entry WHERE id = %s", [credit.pk])
    assert Entry.objects.filter(pk=credit.pk).exists()


def test_the_database_refuses_a_debit_with_a_positive_amount(account) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.create(
            account=account,
            county_id=account.county_id,
            kind=EntryKind.DEBIT,
            amount=Decimal("5.00"),
            occurred_on="2020-01-01",
        )
    assert not Entry.objects.exists()
