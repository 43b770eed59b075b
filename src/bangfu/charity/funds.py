"""The campaign's money on the shared fund ledger (`bangfu.ledger`).

The ledger has one balance per account and an optional earmark per account, so each
(campaign, earmark) pool is its own ledger account: "earmarked money only to its earmark" and
"never more than the balance" then hold per pool, enforced by the ledger's locked posting.

- account reference: `charity:<campaign id>:<pool key>` (see `charity.earmarks`), hashed when long;
  `earmark_purpose` holds the pool key, `earmark_area` the village of a village/household earmark.
- a money donation credits its pool (one entry per donation; a statement import posts one entry
  per pool for the whole import, source = the import); goods are valued, not money, and are not
  posted;
- an approved spending debits its pool (source = the spending).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q, Sum

from bangfu.areas.models import Area
from bangfu.charity.earmarks import key_village_code
from bangfu.charity.models import Campaign, Donation, DonationImport, DonationKind, Spending
from bangfu.ledger.models import Account, AccountKind, Entry, EntryKind
from bangfu.ledger.selectors import account_balance
from bangfu.ledger.services import open_account, post_entry
from bangfu.lib.money import CENT, ZERO

if TYPE_CHECKING:
    from bangfu.accounts.models import User

REFERENCE_MAX = 80


def donation_key(donation: Donation) -> str:
    from bangfu.charity.earmarks import earmark_key

    return earmark_key(
        donation.earmark_kind,
        village=donation.earmark_village,
        household=donation.earmark_household,
        project=donation.earmark_project,
    )


def reference_prefix(campaign: Campaign) -> str:
    return f"charity:{campaign.pk}:"


def reference(campaign: Campaign, key: str) -> str:
    ref = reference_prefix(campaign) + key
    if len(ref) <= REFERENCE_MAX:
        return ref
    return reference_prefix(campaign) + "h:" + hashlib.sha256(key.encode()).hexdigest()[:40]


def _accounts(campaign: Campaign) -> list[Account]:
    return list(
        Account.objects.filter(county_id=campaign.county_id, reference__startswith=reference_prefix(campaign))
    )


def account_for(campaign: Campaign, key: str) -> Account | None:
    return Account.objects.filter(county_id=campaign.county_id, reference=reference(campaign, key)).first()


def _open(*, actor: User | None, campaign: Campaign, key: str) -> Account:
    account = account_for(campaign, key)
    if account is not None:
        return account
    village_code = key_village_code(key)
    return open_account(
        actor=actor,
        county=campaign.county,
        kind=AccountKind.CAMPAIGN_FUND,
        reference=reference(campaign, key),
        name=f"{campaign.name}"[:200],
        earmark_area=Area.objects.get(code=village_code) if village_code else None,
        earmark_purpose=key[:200],
    )


def post_donations(
    *, actor: User, campaign: Campaign, donations: Iterable[Donation], batch: DonationImport | None = None
) -> None:
    """Credit money donations to their pools. Without a batch: one entry per donation; with a
    batch (statement import): one entry per pool, so a large import posts a handful of entries."""
    # Lock the campaign before any pool account, as a final spending approval does: the two take
    # their locks in the same order and serialise on the campaign.
    lock_campaign(campaign)
    by_key: dict[str, list[Donation]] = defaultdict(list)
    for donation in donations:
        if donation.kind == DonationKind.MONEY:
            by_key[donation_key(donation)].append(donation)
    for key, rows in sorted(by_key.items()):
        account = _open(actor=actor, campaign=campaign, key=key)
        if batch is not None:
            post_entry(
                actor=actor,
                account=account,
                kind=EntryKind.CREDIT,
                amount=sum((d.amount for d in rows), ZERO),
                memo=f"捐赠导入 {batch.filename} ({len(rows)})"[:500],
                source=batch,
            )
            continue
        for donation in rows:
            post_entry(
                actor=actor,
                account=account,
                kind=EntryKind.CREDIT,
                amount=donation.amount,
                memo=f"捐赠 {donation.receipt_number}",
                source=donation,
                occurred_on=donation.donated_on,
            )


def post_spending(*, actor: User, spending: Spending) -> str:
    """Debit the spending's pool; the ledger refuses (InsufficientBalance) to overdraw it."""
    account = account_for(spending.campaign, spending.earmark_key)
    if account is None:
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError({"earmark": _("该活动没有这项资金来源。")})
    entry = post_entry(
        actor=actor,
        account=account,
        kind=EntryKind.DEBIT,
        amount=spending.amount,
        memo=spending.purpose[:500],
        source=spending,
    )
    return str(entry.pk)


def lock_campaign(campaign: Campaign) -> None:
    """Serialise final approvals on one campaign (the ledger also locks the account row)."""
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()


def pool_balances(campaign: Campaign) -> dict[str, dict[str, Decimal]]:
    """{pool key: {"credit", "debit", "balance"}} from the ledger, in one query. Reversals count
    against what they reverse (a reversed credit lowers "credit")."""
    accounts = {a.pk: a for a in _accounts(campaign)}
    rows = (
        Entry.objects.filter(account_id__in=list(accounts))
        .values("account_id")
        .annotate(
            credit=Sum(
                "amount",
                filter=Q(kind=EntryKind.CREDIT) | Q(kind=EntryKind.REVERSAL, reverses__kind=EntryKind.CREDIT),
            ),
            debit=Sum(
                "amount",
                filter=Q(kind=EntryKind.DEBIT) | Q(kind=EntryKind.REVERSAL, reverses__kind=EntryKind.DEBIT),
            ),
            balance=Sum("amount"),
        )
    )
    found: dict[int, dict[str, Any]] = {r["account_id"]: dict(r) for r in rows}
    pools: dict[str, dict[str, Decimal]] = {}
    for pk, account in accounts.items():
        row: dict[str, Any] = found.get(pk, {})
        credit = row.get("credit") or ZERO
        debit = -(row.get("debit") or ZERO)
        pools[account.earmark_purpose] = {
            "credit": credit.quantize(CENT),
            "debit": debit.quantize(CENT),
            "balance": (row.get("balance") or ZERO).quantize(CENT),
        }
    return pools


def pool_keys(campaign: Campaign) -> set[str]:
    return {a.earmark_purpose for a in _accounts(campaign)}


def balance(campaign: Campaign, key: str) -> Decimal:
    account = account_for(campaign, key)
    return account_balance(account) if account is not None else ZERO


def totals(campaign: Campaign) -> dict[str, Decimal]:
    pools = pool_balances(campaign).values()
    credit = sum((p["credit"] for p in pools), ZERO)
    debit = sum((p["debit"] for p in pools), ZERO)
    return {"credit": credit, "debit": debit, "balance": sum((p["balance"] for p in pools), ZERO)}


def _open_credit(account: Account, source_type: str, source_id: str) -> Entry | None:
    """The credit from this source on this account that has not been reversed."""
    return (
        Entry.objects.filter(
            account=account, kind=EntryKind.CREDIT, source_type=source_type, source_id=source_id
        )
        .exclude(pk__in=Entry.objects.filter(reverses__isnull=False).values("reverses_id"))
        .order_by("-pk")
        .first()
    )


def unpost_donation(*, actor: User, donation: Donation, reason: str) -> None:
    """Take a voided money donation out of its pool with ledger reversals. A donation posted in an
    import batch shares one entry per pool: the remainder is credited again first, then the batch
    entry is reversed, so the balance never dips below what is left. Refused by the ledger
    (InsufficientBalance) when the money has already been spent."""
    from bangfu.ledger.services import reverse_entry

    if donation.kind != DonationKind.MONEY:
        return
    account = account_for(donation.campaign, donation_key(donation))
    if account is None:
        return
    if donation.source_import_id is None:
        entry = _open_credit(account, "charity.donation", str(donation.pk))
        if entry is not None:
            reverse_entry(actor=actor, entry=entry, reason=reason)
        return
    batch = donation.source_import
    entry = _open_credit(account, "charity.donationimport", str(donation.source_import_id))
    if entry is None:
        return
    remainder = entry.amount - donation.amount
    if remainder > 0:
        post_entry(
            actor=actor,
            account=account,
            kind=EntryKind.CREDIT,
            amount=remainder,
            memo=f"捐赠导入 {batch.filename if batch else ''}（作废 {donation.receipt_number} 后）"[:500],
            source_type="charity.donationimport",
            source_id=str(donation.source_import_id),
        )
    reverse_entry(actor=actor, entry=entry, reason=reason)
