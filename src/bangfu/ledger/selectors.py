"""Reads of the ledger: balances are always derived from the entries."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from bangfu.ledger.models import Account, Entry, EntryKind
from bangfu.lib.money import CENT, ZERO


def account_balance(account: Account) -> Decimal:
    total = Entry.objects.filter(account=account).aggregate(total=Sum("amount"))["total"]
    return (total or ZERO).quantize(CENT)


def balances(accounts: Iterable[Account]) -> dict[int, Decimal]:
    """Balance of many accounts in one query: {account id: balance}."""
    ids = [a.pk for a in accounts]
    rows = Entry.objects.filter(account_id__in=ids).values("account_id").annotate(total=Sum("amount"))
    found = {row["account_id"]: row["total"] for row in rows}
    return {pk: (found.get(pk) or ZERO).quantize(CENT) for pk in ids}


def account_totals(account: Account) -> dict[str, Decimal]:
    """Credited, debited (positive) and reversed sums and the balance of one account."""
    agg = Entry.objects.filter(account=account).aggregate(
        credited=Sum("amount", filter=Q(kind=EntryKind.CREDIT)),
        debited=Sum("amount", filter=Q(kind=EntryKind.DEBIT)),
        reversed=Sum("amount", filter=Q(kind=EntryKind.REVERSAL)),
        balance=Sum("amount"),
    )
    return {
        "credited": agg["credited"] or ZERO,
        "debited": -(agg["debited"] or ZERO),
        "reversed": agg["reversed"] or ZERO,
        "balance": agg["balance"] or ZERO,
    }


def entries_of(account: Account) -> QuerySet[Entry]:
    return Entry.objects.filter(account=account).select_related("actor", "reverses").order_by("id")


def get_account(*, county_id: int, reference: str) -> Account | None:
    return Account.objects.filter(county_id=county_id, reference=reference).first()
