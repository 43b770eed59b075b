"""The campaign's money, as pools: one per (campaign, earmark).

PROVISIONAL: until the shared fund ledger (`bangfu.ledger`) is merged, balances are derived from
the donation and approved-spending rows. Once merged, this module posts to and reads from the
ledger; its interface stays the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Sum

from bangfu.charity.earmarks import GENERAL, earmark_key
from bangfu.charity.models import Campaign, Donation, DonationKind, Spending, SpendingStatus

if TYPE_CHECKING:
    from bangfu.accounts.models import User

ZERO = Decimal("0.00")


def donation_key(donation: Donation) -> str:
    return earmark_key(
        donation.earmark_kind,
        village=donation.earmark_village,
        household=donation.earmark_household,
        project=donation.earmark_project,
    )


def post_donations(*, actor: User, campaign: Campaign, donations: Iterable[Donation]) -> None:
    """Credit each money donation to its pool (goods are valued, not money: they are not pooled)."""
    return None


def post_spending(*, actor: User, spending: Spending) -> str:
    return ""


def lock_campaign(campaign: Campaign) -> None:
    """Serialise approvals on one campaign so two final approvals cannot overdraw a pool."""
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()


def pool_balances(campaign: Campaign) -> dict[str, dict[str, Decimal]]:
    """{pool key: {"credit", "debit", "balance"}} for every pool that ever saw money."""
    pools: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {"credit": ZERO, "debit": ZERO, "balance": ZERO}
    )
    rows = (
        Donation.objects.filter(campaign=campaign, kind=DonationKind.MONEY)
        .values("earmark_kind", "earmark_village__code", "earmark_household", "earmark_project")
        .annotate(total=Sum("amount"))
    )
    for row in rows:
        key = _key_from_row(row)
        pools[key]["credit"] += row["total"]
    spent = (
        Spending.objects.filter(campaign=campaign, status=SpendingStatus.APPROVED)
        .values("earmark_key")
        .annotate(total=Sum("amount"))
    )
    for row in spent:
        pools[row["earmark_key"]]["debit"] += row["total"]
    for pool in pools.values():
        pool["balance"] = pool["credit"] - pool["debit"]
    return dict(pools)


def _key_from_row(row: dict) -> str:
    kind = row["earmark_kind"]
    code = row["earmark_village__code"] or ""
    if kind == "village":
        return f"village:{code}"
    if kind == "household":
        return f"household:{code}:{row['earmark_household']}"
    if kind == "project":
        return f"project:{row['earmark_project']}"
    return GENERAL


def pool_keys(campaign: Campaign) -> set[str]:
    return set(pool_balances(campaign))


def balance(campaign: Campaign, key: str) -> Decimal:
    return pool_balances(campaign).get(key, {"balance": ZERO})["balance"]


def totals(campaign: Campaign) -> dict[str, Decimal]:
    pools = pool_balances(campaign).values()
    credit = sum((p["credit"] for p in pools), ZERO)
    debit = sum((p["debit"] for p in pools), ZERO)
    return {"credit": credit, "debit": debit, "balance": credit - debit}
