"""Charity API: campaigns with their ledger totals, and donation entry for a donation platform
(the same service as the staff form and the statement import)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, cast

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool

from bangfu.accounts.models import User
from bangfu.charity import funds, selectors, services
from bangfu.lib.api import Day, errors

router = Router()


class CampaignOut(Schema):
    code: str
    year: int
    name: str
    status: str
    starts_on: date
    ends_on: date
    target: Decimal
    disclosure_deadline: date
    disclosed_on: date | None
    money_raised: Decimal
    spent: Decimal
    balance: Decimal


def _campaign_out(campaign: Any) -> dict[str, Any]:
    totals = funds.totals(campaign)
    return {
        "code": campaign.code,
        "year": campaign.year,
        "name": campaign.name,
        "status": campaign.status,
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "target": campaign.target,
        "disclosure_deadline": campaign.disclosure_deadline,
        "disclosed_on": campaign.disclosed_on,
        "money_raised": totals["credit"],
        "spent": totals["debit"],
        "balance": totals["balance"],
    }


@router.get(
    "/campaigns", response={200: list[CampaignOut], **errors(401)}, summary="Campaigns in the caller's county"
)
def list_campaigns(request: HttpRequest) -> list[dict[str, Any]]:
    return [_campaign_out(c) for c in selectors.campaigns_for_user(request.user)]


@router.get(
    "/campaigns/{code}",
    response={200: CampaignOut, **errors(401, 404)},
    summary="One campaign with its ledger totals",
)
def get_campaign(request: HttpRequest, code: str) -> dict[str, Any]:
    return _campaign_out(selectors.get_campaign_for_user(request.user, code))


class DonationIn(Schema):
    receipt_number: str = Field(examples=["JZ-2020-0101"])
    donor_kind: str = Field(description="person | organisation", examples=["person"])
    donor_name: str = Field(examples=["王爱心"])
    amount: str = Field(description="a decimal string, never a float", examples=["500.00"])
    donated_on: Day = Field(examples=["2020-10-17"])
    channel: str = Field(description="bank | platform | cash | onsite | other", examples=["bank"])
    donor_uscc: str = ""
    publish_name: StrictBool = False
    kind: str = "money"
    goods_description: str = ""
    earmark_kind: str = "none"
    earmark_village: str = ""
    earmark_household: str = ""
    earmark_project: str = ""
    note: str = ""


class DonationOut(Schema):
    receipt_number: str
    amount: Decimal
    kind: str
    earmark_kind: str
    donated_on: date


@router.post(
    "/campaigns/{code}/donations",
    response={201: DonationOut, **errors(400, 401, 403, 404, 422)},
    summary="Record one donation (county admins; the same checks as the form and the import)",
)
def create_donation(request: HttpRequest, code: str, payload: DonationIn) -> Status:
    """Refusals are 422 with every bad field named (`{"detail": [...]}`); nothing is saved."""
    campaign = selectors.get_campaign_for_user(request.user, code)
    donation = services.record_donation(
        actor=cast(User, request.user), campaign=campaign, data=services.DonationInput(**payload.dict())
    )
    return Status(201, donation)


class SpendingDecisionIn(Schema):
    approve: StrictBool = Field(description="true approves, false rejects (a comment is required)")
    comment: str = ""


class SpendingOut(Schema):
    id: int
    status: str
    amount: Decimal
    approvals: int


@router.post(
    "/spendings/{pk}/decide",
    response={200: SpendingOut, **errors(400, 401, 403, 404, 422)},
    summary="One county admin's decision on a spending request (two admins other than the requester)",
)
def decide_spending(request: HttpRequest, pk: int, payload: SpendingDecisionIn) -> dict[str, Any]:
    """The same service as the approval page: refusals (the requester, a second decision by the same
    user, the separation-of-duties rule, the balance) are 422 with the reason; nothing is paid."""
    spending = selectors.get_spending_for_user(request.user, pk)
    decided = services.decide_spending(
        actor=cast(User, request.user), spending=spending, approve=payload.approve, comment=payload.comment
    )
    return {
        "id": decided.pk,
        "status": decided.status,
        "amount": decided.amount,
        "approvals": decided.approvals.filter(approved=True).count(),
    }
