"""Ledger invariants for `bangfu check-integrity` (see `bangfu.core.integrity`).

- no account's running balance (entries in id order) ever goes below zero;
- a reversal cancels exactly its original (same account, opposite amount);
- an entry's county is its account's county;
- every entry agrees with the audit record written when it was posted (account, amount): the
  audit trail is hash-chained, so an entry changed afterwards no longer matches it.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Count, F, Sum, Window
from django.utils.translation import gettext as _

from bangfu.audit.models import AuditRecord
from bangfu.core.integrity import MAX_LISTED, Breach
from bangfu.ledger.models import Entry, EntryKind

KIND = "ledger"
POSTING_ACTIONS = ("ledger.credit", "ledger.debit", "ledger.reversal")


def _capped(breaches: list[Breach]) -> Iterator[Breach]:
    yield from breaches[:MAX_LISTED]
    if len(breaches) > MAX_LISTED:
        yield Breach(KIND, _("另有 %(n)s 处资金账目不一致") % {"n": len(breaches) - MAX_LISTED})


def check_running_balances() -> Iterator[Breach]:
    running = Window(Sum("amount"), partition_by=[F("account_id")], order_by=F("id").asc())
    rows = (
        Entry.objects.annotate(running=running)
        .filter(running__lt=0)
        .order_by("account_id", "id")
        .values_list("account_id", "account__reference", "id", "running")
    )
    seen: set[int] = set()
    found = []
    for account_id, reference, entry_id, balance in rows:
        if account_id in seen:
            continue
        seen.add(account_id)
        found.append(
            Breach(
                KIND,
                _("资金账户 %(ref)s：记完分录 #%(id)s 后余额为负（%(balance)s 元）")
                % {"ref": reference, "id": entry_id, "balance": f"{balance:,.2f}"},
            )
        )
    yield from _capped(found)


def check_reversals() -> Iterator[Breach]:
    bad = (
        Entry.objects.filter(kind=EntryKind.REVERSAL)
        .annotate(net=F("amount") + F("reverses__amount"))
        .exclude(net=0, account_id=F("reverses__account_id"))
        .order_by("id")
        .values_list("id", "reverses_id", "account__reference")
    )
    yield from _capped(
        [
            Breach(
                KIND,
                _("资金账户 %(ref)s：冲正分录 #%(id)s 与被冲正的分录 #%(orig)s 金额或账户不对应")
                % {"ref": ref, "id": pk, "orig": orig},
            )
            for pk, orig, ref in bad
        ]
    )


def check_entry_counties() -> Iterator[Breach]:
    bad = (
        Entry.objects.exclude(county_id=F("account__county_id"))
        .order_by("id")
        .values_list("id", "account__reference")
    )
    yield from _capped(
        [
            Breach(KIND, _("资金账户 %(ref)s：分录 #%(id)s 的所属县与账户不同") % {"ref": ref, "id": pk})
            for pk, ref in bad
        ]
    )


def check_entries_match_audit() -> Iterator[Breach]:
    posted: dict[str, dict] = {}
    records = AuditRecord.objects.filter(target_type="ledger.entry", action__in=POSTING_ACTIONS)
    for target_id, after in (
        records.order_by("id").values_list("target_id", "after").iterator(chunk_size=5000)
    ):
        posted[target_id] = after or {}
    found = []
    entries = Entry.objects.order_by("id").values_list("id", "amount", "account__reference")
    for pk, amount, reference in entries.iterator(chunk_size=5000):
        after = posted.get(str(pk))
        if after is None:
            found.append(
                Breach(
                    KIND, _("资金账户 %(ref)s：分录 #%(id)s 没有记账审计记录") % {"ref": reference, "id": pk}
                )
            )
            continue
        if after.get("account") != reference or _amount(after.get("amount")) != amount:
            found.append(
                Breach(
                    KIND,
                    _(
                        "资金账户 %(ref)s：分录 #%(id)s 现为 %(amount)s 元，与记账时的审计记录"
                        "（%(audited_ref)s，%(audited)s 元）不符：分录被改动"
                    )
                    % {
                        "ref": reference,
                        "id": pk,
                        "amount": f"{amount:,.2f}",
                        "audited_ref": after.get("account"),
                        "audited": after.get("amount"),
                    },
                )
            )
    yield from _capped(found)


def _amount(raw: object) -> Decimal | None:
    try:
        return Decimal(str(raw))
    except ArithmeticError:
        return None


def check_one_debit_per_source() -> Iterator[Breach]:
    """A business object (a disbursement, a spending …) is paid by one debit at most."""
    rows = (
        Entry.objects.filter(kind=EntryKind.DEBIT)
        .exclude(source_type="")
        .values("source_type", "source_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("source_type", "source_id")
    )
    found = [
        Breach(
            "duplicate_payment",
            _("%(type)s #%(id)s 被支付了 %(n)s 次（资金分录）")
            % {"type": row["source_type"], "id": row["source_id"], "n": row["n"]},
        )
        for row in rows
    ]
    yield from _capped(found)


CHECKS = [
    check_running_balances,
    check_reversals,
    check_entry_counties,
    check_entries_match_audit,
    check_one_debit_per_source,
]
