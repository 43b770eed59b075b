"""Read-only API of the subsidies app: Yulu terms and their reconciliation (scoped)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema

from bangfu.lib.api import errors
from bangfu.subsidies.models import YuluTerm
from bangfu.subsidies.selectors import get_term_for_user, reconciliation_for_user, terms_for_user

router = Router()


class TermOut(Schema):
    code: str
    county_code: str
    start_date: date
    payment_deadline: date
    amount: Decimal

    @staticmethod
    def resolve_county_code(obj: YuluTerm) -> str:
        return obj.county.code


class TownshipCounts(Schema):
    township_code: str
    eligible: int
    paid: int
    missing: int
    wrong: int
    duplicate: int
    late: int


class ReconciliationOut(Schema):
    term: str
    eligible: int
    paid: int
    missing: int
    wrong: int
    duplicate: int
    late: int
    townships: list[TownshipCounts]


@router.get(
    "/yulu/terms", response={200: list[TermOut], **errors(401)}, summary="Yulu terms of the caller's county"
)
def list_terms(request: HttpRequest) -> QuerySet[YuluTerm]:
    return terms_for_user(request.user)


@router.get(
    "/yulu/terms/{code}/reconciliation",
    response={200: ReconciliationOut, **errors(401, 404)},
    summary="Eligible, paid, missing, wrong, duplicate and late counts of a term, per township",
)
def term_reconciliation(request: HttpRequest, code: str) -> dict[str, object]:
    term = get_term_for_user(request.user, code)
    rec = reconciliation_for_user(request.user, term)
    return {
        "term": term.code,
        **rec.summary(),
        "townships": [
            {"township_code": township.ljust(12, "0"), **counts}
            for township, counts in sorted(rec.by_township().items())
        ],
    }
