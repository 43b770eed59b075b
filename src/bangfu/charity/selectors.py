"""Reads: the scoping helpers for staff, and the public disclosure (built from the ledger)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Field, Max, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import county_prefix
from bangfu.areas.models import Area
from bangfu.charity import funds
from bangfu.charity.earmarks import internal_label, key_village_code, public_label
from bangfu.charity.models import (
    Campaign,
    Donation,
    DonationKind,
    DonorKind,
    RecipientKind,
    Spending,
    SpendingStatus,
)
from bangfu.lib.clock import today
from bangfu.lib.money import CENT, ZERO
from bangfu.lib.stampcache import as_datetime

# Roles that work with campaign records (others see the public pages only).
CHARITY_ROLES = (Role.COUNTY_ADMIN, Role.INSPECTOR)


def _prefix(user: Any) -> str | None:
    if getattr(user, "role", None) not in CHARITY_ROLES:
        return None
    return county_prefix(user)


def campaigns_for_user(user: Any) -> QuerySet[Campaign]:
    prefix = _prefix(user)
    if prefix is None:
        return Campaign.objects.none()
    return Campaign.objects.filter(county__code__startswith=prefix).select_related("county", "organiser")


def get_campaign_for_user(user: Any, code: str) -> Campaign:
    try:
        return campaigns_for_user(user).get(code=code)
    except Campaign.DoesNotExist:
        raise Http404("campaign") from None


def donations_for_user(user: Any) -> QuerySet[Donation]:
    prefix = _prefix(user)
    if prefix is None:
        return Donation.objects.none()
    return Donation.objects.filter(county__code__startswith=prefix).select_related(
        "campaign", "earmark_village", "campaign__organiser"
    )


def get_donation_for_user(user: Any, pk: int) -> Donation:
    try:
        return donations_for_user(user).get(pk=pk)
    except Donation.DoesNotExist:
        raise Http404("donation") from None


def spendings_for_user(user: Any) -> QuerySet[Spending]:
    prefix = _prefix(user)
    if prefix is None:
        return Spending.objects.none()
    return Spending.objects.filter(county__code__startswith=prefix).select_related(
        "campaign", "village", "requested_by"
    )


def get_spending_for_user(user: Any, pk: int) -> Spending:
    try:
        return spendings_for_user(user).prefetch_related("approvals__user").get(pk=pk)
    except Spending.DoesNotExist:
        raise Http404("spending") from None


def village_names(codes: set[str]) -> dict[str, str]:
    return dict(Area.objects.filter(code__in=codes).values_list("code", "name"))


def pool_rows(campaign: Campaign, *, internal: bool) -> list[dict[str, Any]]:
    pools = funds.pool_balances(campaign)
    names = village_names({key_village_code(k) for k in pools} - {""})
    label = internal_label if internal else public_label
    rows = [{"key": k, "label": label(k, names), **v} for k, v in sorted(pools.items())]
    return rows


# --- public disclosure ----------------------------------------------------------------------------
def public_campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("county", "organiser").order_by("-year", "code")


def get_public_campaign(code: str) -> Campaign:
    try:
        return public_campaigns().get(code=code)
    except Campaign.DoesNotExist:
        raise Http404("campaign") from None


@dataclass
class Disclosure:
    campaign: Campaign
    money_raised: Decimal
    goods_value: Decimal
    total_raised: Decimal
    donors: int
    donations: list[dict[str, Any]]
    spent: Decimal
    spendings: list[dict[str, Any]]
    balance: Decimal
    pools: list[dict[str, Any]]
    last_updated: datetime | None  # the newest change's real time: HTTP Last-Modified only
    deadline_met: bool | None
    as_of: date
    # In kind, apart from the money: goods by where they went (village, project or not earmarked).
    goods: list[dict[str, Any]] = field(default_factory=list)
    # The newest office date the records show (donated, decided, reversed, voided, disclosed),
    # never after the office's today: the page's "最后更新" (not a machine timestamp).
    updated_on: date | None = None

    def as_dict(self) -> dict[str, Any]:
        c = self.campaign
        return {
            "campaign": {
                "code": c.code,
                "name": c.name,
                "year": c.year,
                "organiser": c.organiser.name,
                "starts_on": c.starts_on.isoformat(),
                "ends_on": c.ends_on.isoformat(),
                "status": c.status,
                "target": str(c.target),
                "disclosure_deadline": c.disclosure_deadline.isoformat(),
                "disclosed_on": c.disclosed_on.isoformat() if c.disclosed_on else None,
                "deadline_met": self.deadline_met,
            },
            "totals": {
                "money_raised": str(self.money_raised),
                "goods_value": str(self.goods_value),
                "total_raised": str(self.total_raised),
                "donors": self.donors,
                "spent": str(self.spent),
                "balance": str(self.balance),
            },
            "money": {
                "donated": str(self.money_raised),
                "used": str(self.spent),
                "balance": str(self.balance),
            },
            "goods": {
                "donated_value": str(self.goods_value),
                "destinations": [
                    {
                        "destination": g["destination"],
                        "township": g["township"],
                        "description": g["description"],
                        "value": str(g["value"]),
                        "donations": g["donations"],
                        "received_on": g["received_on"].isoformat(),
                    }
                    for g in self.goods
                ],
            },
            "updated_on": self.updated_on.isoformat() if self.updated_on else None,
            "pools": [
                {
                    "earmark": p["label"],
                    "raised": str(p["credit"]),
                    "spent": str(p["debit"]),
                    "balance": str(p["balance"]),
                }
                for p in self.pools
            ],
            "donations": [
                {**d, "amount": str(d["amount"]), "donated_on": d["donated_on"].isoformat()}
                for d in self.donations
            ],
            "spendings": [
                {
                    **s,
                    "amount": str(s["amount"]),
                    "decided_on": s["decided_on"].isoformat() if s["decided_on"] else None,
                }
                for s in self.spendings
            ],
            "last_updated": self.last_updated.isoformat() if self.last_updated else None,
        }


def _newest(*stamps: datetime | None) -> datetime | None:
    present = [s for s in stamps if s is not None]
    return max(present) if present else None


def last_updated(campaign: Campaign) -> datetime | None:
    """The newest change that the disclosure shows: for cache validation (Last-Modified)."""
    donations = Donation.objects.filter(campaign=campaign).aggregate(c=Max("created_at"), v=Max("voided_at"))
    spendings = Spending.objects.filter(campaign=campaign).aggregate(
        d=Max("decided_at"), r=Max("reversed_at")
    )
    return _newest(campaign.updated_at, donations["c"], donations["v"], spendings["d"], spendings["r"])


def _office_date(value: datetime | None) -> date | None:
    return timezone.localdate(value) if value is not None else None


def updated_on(campaign: Campaign, as_of: date) -> date | None:
    """The newest office date the campaign's records show — a donation's date, a spending's
    decision or reversal, a void, the disclosure — capped at the office's today (`as_of`).
    Decisions, reversals and voids are stamped by `bangfu.lib.clock`, so on a demo or a test
    clock they carry its day; `created_at` (the machine's time) is never shown."""
    donations = Donation.objects.filter(campaign=campaign).aggregate(
        d=Max("donated_on", filter=Q(voided_at__isnull=True)), v=Max("voided_at")
    )
    spendings = Spending.objects.filter(campaign=campaign).aggregate(
        d=Max("decided_at"), r=Max("reversed_at")
    )
    days = [
        donations["d"],
        _office_date(donations["v"]),
        _office_date(spendings["d"]),
        _office_date(spendings["r"]),
        campaign.disclosed_on,
    ]
    present = [d for d in days if d is not None]
    return min(max(present), as_of) if present else None


def goods_destinations(campaign: Campaign) -> list[dict[str, Any]]:
    """Goods donated (valued, 折价) by where they went, as the public sees it: the earmarked
    village (with its township) or project, or "not earmarked" for the organiser to allocate.
    No household number, no person: a household earmark is shown as its village."""
    rows = (
        Donation.objects.filter(campaign=campaign, kind=DonationKind.GOODS, voided_at__isnull=True)
        .select_related("earmark_village__parent")
        .order_by("donated_on", "receipt_number")
    )
    grouped: dict[str, dict[str, Any]] = {}
    for d in rows:
        village = d.earmark_village
        names = {village.code: village.name} if village else {}
        destination = public_label(funds.donation_key(d), names)
        entry = grouped.setdefault(
            destination,
            {
                "destination": destination,
                "township": village.parent.name if village and village.parent else "",
                "descriptions": [],
                "value": Decimal("0.00"),
                "donations": 0,
                "received_on": d.donated_on,
            },
        )
        entry["descriptions"].append(d.goods_description)
        entry["value"] += d.amount
        entry["donations"] += 1
        entry["received_on"] = max(entry["received_on"], d.donated_on)
    return [
        {**{k: v for k, v in g.items() if k != "descriptions"}, "description": "；".join(g["descriptions"])}
        for g in grouped.values()
    ]


@dataclass(frozen=True)
class PublicStamp:
    """What the public page of a campaign shows can only change through these values."""

    pk: int
    last_updated: datetime | None  # for Last-Modified
    version: str  # for the page cache: changes with every donation, void, decision and reversal


def public_campaign_stamp(code: str) -> PublicStamp | None:
    """The stamp of the public campaign with this code (None if there is none), in one plain SQL
    statement of index lookups (charity_donation_created_idx / _voided_idx) and no ORM query to
    compile: the public page validates its cache with it on every request, where building the
    equivalent queryset cost more CPU than serving the cached page (bench/load.py).

    The cache version counts voids, decisions and reversals instead of taking their newest time:
    those times come from bangfu.lib.clock, which a demo or test may set to another day than the
    real `created_at` / `updated_at` stamps."""
    q = connection.ops.quote_name

    def column(model: type[Donation] | type[Spending], field: str) -> str:
        found = model._meta.get_field(field)
        assert isinstance(found, Field) and found.column
        return q(found.column)

    def of_campaign(model: type[Donation] | type[Spending], select: str, where: str = "") -> str:
        table, fk = q(model._meta.db_table), column(model, "campaign")
        return f"(SELECT {select} FROM {table} WHERE {fk} = c.id{where})"  # noqa: S608 - names from _meta

    def newest(model: type[Donation] | type[Spending], field: str) -> str:
        col = column(model, field)
        return of_campaign(model, col, f" AND {col} IS NOT NULL ORDER BY {col} DESC LIMIT 1")

    def counted(model: type[Donation] | type[Spending], field: str) -> str:
        return of_campaign(model, "COUNT(*)", f" AND {column(model, field)} IS NOT NULL")

    selects = [
        "c.id",
        "c.updated_at",
        newest(Donation, "created_at"),
        newest(Donation, "voided_at"),
        newest(Spending, "decided_at"),
        newest(Spending, "reversed_at"),
        counted(Donation, "voided_at"),
        counted(Spending, "decided_at"),
        counted(Spending, "reversed_at"),
    ]
    sql = f"SELECT {', '.join(selects)} FROM {q(Campaign._meta.db_table)} c WHERE c.code = %s"  # noqa: S608 - names from _meta
    with connection.cursor() as cursor:
        cursor.execute(sql, [code])
        row = cursor.fetchone()
    if row is None:
        return None
    updated, created = as_datetime(row[1]), as_datetime(row[2])
    stamps = (updated, created, *(as_datetime(v) for v in row[3:6]))
    version = "|".join(
        [updated.isoformat() if updated else "-", created.isoformat() if created else "-", *map(str, row[6:])]
    )
    return PublicStamp(pk=row[0], last_updated=_newest(*stamps), version=version)


def public_index_last_updated() -> datetime | None:
    donations = Donation.objects.aggregate(c=Max("created_at"), v=Max("voided_at"))
    spendings = Spending.objects.aggregate(d=Max("decided_at"), r=Max("reversed_at"))
    campaigns = Campaign.objects.aggregate(u=Max("updated_at"))
    return _newest(campaigns["u"], donations["c"], donations["v"], spendings["d"], spendings["r"])


def public_donations(campaign: Campaign) -> QuerySet[Donation]:
    return (
        Donation.objects.filter(campaign=campaign, voided_at__isnull=True)
        .select_related("earmark_village")
        .order_by("donated_on", "receipt_number")
    )


def public_donation_rows(donations: Iterable[Donation]) -> list[dict[str, Any]]:
    """Donations as the public sees them: persons named only with consent, households by village."""
    rows = []
    for d in donations:
        names = {d.earmark_village.code: d.earmark_village.name} if d.earmark_village else {}
        rows.append(
            {
                "receipt_number": d.receipt_number,
                "donor": d.public_donor_name,
                "donor_kind": str(DonorKind(d.donor_kind).label),
                "kind": str(DonationKind(d.kind).label),
                "goods": d.goods_description,
                "amount": d.amount,
                "earmark": public_label(funds.donation_key(d), names),
                "donated_on": d.donated_on,
            }
        )
    return rows


def disclosure(campaign: Campaign, *, with_donations: bool = True) -> Disclosure:
    """What the public sees. Never a household number, never a non-consenting person's name;
    recipients at village level. Money totals come from the ledger (charity.funds).
    Without `with_donations` the donation list is left empty (the page pages through it)."""
    pools = pool_rows(campaign, internal=False)
    money = funds.totals(campaign)
    figures = Donation.objects.filter(campaign=campaign, voided_at__isnull=True).aggregate(
        n=Count(
            "donor_name", distinct=True, filter=Q(donor_kind=DonorKind.ORGANISATION) | Q(publish_name=True)
        ),
        anonymous=Count("pk", filter=Q(donor_kind=DonorKind.PERSON, publish_name=False)),
        goods=Sum("amount", filter=Q(kind=DonationKind.GOODS)),
    )
    goods_value = (figures["goods"] or ZERO).quantize(CENT)
    donors = figures
    donations = public_donation_rows(public_donations(campaign)) if with_donations else []
    spending_rows = (
        Spending.objects.filter(campaign=campaign, status=SpendingStatus.APPROVED)
        .select_related("village__parent")
        .order_by("decided_at", "pk")
    )
    names = village_names({key_village_code(s.earmark_key) for s in spending_rows} - {""})
    spendings = []
    for s in spending_rows:
        village = s.village.name if s.village else ""
        township = s.village.parent.name if s.village and s.village.parent else ""
        spendings.append(
            {
                "purpose": s.purpose,
                "recipient_kind": str(RecipientKind(s.recipient_kind).label),
                "project": s.project,
                "village": village,
                "township": township,
                "earmark": public_label(s.earmark_key, names),
                "amount": s.amount,
                "decided_on": s.decided_at.date() if s.decided_at else None,
            }
        )
    now = today()
    return Disclosure(
        campaign=campaign,
        money_raised=money["credit"],
        goods_value=goods_value,
        total_raised=money["credit"] + goods_value,
        donors=donors["n"] + donors["anonymous"],
        donations=donations,
        spent=money["debit"],
        spendings=spendings,
        balance=money["balance"],
        pools=pools,
        last_updated=last_updated(campaign),
        deadline_met=campaign.deadline_met(now),
        as_of=now,
        goods=goods_destinations(campaign),
        updated_on=updated_on(campaign, now),
    )


def campaign_summary_rows(campaigns: QuerySet[Campaign]) -> list[dict[str, Any]]:
    """One row per campaign for the lists (totals from the ledger)."""
    rows = []
    goods = dict(
        Donation.objects.filter(campaign__in=campaigns, voided_at__isnull=True, kind=DonationKind.GOODS)
        .values_list("campaign")
        .annotate(t=Sum("amount"))
        .values_list("campaign", "t")
    )
    now = today()
    for c in campaigns:
        money = funds.totals(c)
        rows.append(
            {
                "campaign": c,
                "money": money["credit"],
                "goods": (goods.get(c.pk) or ZERO).quantize(CENT),
                "spent": money["debit"],
                "balance": money["balance"],
                "deadline_met": c.deadline_met(now),
            }
        )
    return rows
