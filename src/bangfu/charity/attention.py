"""Open problems of charity campaigns: spendings waiting for approvals, disclosure deadlines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from bangfu.accounts.models import Role
from bangfu.areas.models import Area
from bangfu.charity.models import (
    APPROVALS_NEEDED,
    Campaign,
    CampaignStatus,
    Spending,
    SpendingApproval,
    SpendingStatus,
)
from bangfu.lib.attention import AttentionItem, Severity, attention_source
from bangfu.lib.milestones import AT_RISK_DAYS
from bangfu.lib.money import format_money
from bangfu.lib.officialdoc import cn_date

LONG_WAIT = timedelta(days=14)


@attention_source("charity.spending_unsigned", reads=(Spending, SpendingApproval, Campaign))
def spending_unsigned(county: Area, today: date) -> Iterator[AttentionItem]:
    """Spendings requested and not yet approved by enough county admins (one query)."""
    rows = (
        Spending.objects.filter(county=county, status=SpendingStatus.REQUESTED)
        .annotate(agreed=Count("approvals", filter=Q(approvals__approved=True)))
        .values_list("pk", "amount", "purpose", "requested_at", "campaign__name", "agreed")
        .order_by("requested_at", "pk")
    )
    for pk, amount, purpose, requested_at, campaign, agreed in rows:
        since = timezone.localdate(requested_at)
        left = max(APPROVALS_NEEDED - agreed, 1)
        yield AttentionItem(
            kind="charity.spending_unsigned",
            severity=Severity.CRITICAL if today - since >= LONG_WAIT else Severity.WARNING,
            title=f"“{campaign}”捐赠资金使用{format_money(amount)}元（{purpose}）待审批，还需{left}人同意",
            url=f"/charity/spending/{pk}/",
            since=since,
            roles=(Role.COUNTY_ADMIN,),
            area_code=county.code,
            in_bulletin=False,
            extra={"spending": pk, "approvals": agreed, "needed": APPROVALS_NEEDED},
        )


@attention_source("charity.disclosure_due", reads=(Campaign,))
def disclosure_due(county: Area, today: date) -> Iterator[AttentionItem]:
    """Closed campaigns not yet disclosed: overdue once the deadline passed (in the bulletin),
    a warning within the last days before it."""
    soon = today + timedelta(days=AT_RISK_DAYS)
    campaigns = Campaign.objects.filter(
        county=county, status=CampaignStatus.CLOSED, disclosed_on__isnull=True, disclosure_deadline__lte=soon
    ).values_list("code", "name", "ends_on", "disclosure_deadline")
    for code, name, ends_on, deadline in campaigns.order_by("disclosure_deadline"):
        overdue = deadline < today
        yield AttentionItem(
            kind="charity.disclosure_due",
            severity=Severity.CRITICAL if overdue else Severity.WARNING,
            title=(
                f"“{name}”募集结束后逾期未公示捐赠使用情况（公示期限{cn_date(deadline)}）"
                if overdue
                else f"“{name}”须于{cn_date(deadline)}前公示捐赠使用情况"
            ),
            url=f"/charity/{code}/",
            since=deadline + timedelta(days=1) if overdue else ends_on,
            roles=(Role.COUNTY_ADMIN,),
            area_code=county.code,
            in_bulletin=overdue,
            extra={"campaign": code, "deadline": deadline.isoformat()},
        )
