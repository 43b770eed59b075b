"""Scoping helpers for awards, and the public lists."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import county_prefix
from bangfu.awards.models import (
    PUBLIC_STATUSES,
    AwardRound,
    Nomination,
    NominationStatus,
    Objection,
    PanelMember,
    RoundStatus,
)


def rounds_for_user(user: Any) -> QuerySet[AwardRound]:
    prefix = county_prefix(user)
    if prefix is None:
        return AwardRound.objects.none()
    return AwardRound.objects.filter(county__code__startswith=prefix).select_related("county")


def get_round_for_user(user: Any, code: str) -> AwardRound:
    try:
        return rounds_for_user(user).get(code=code)
    except AwardRound.DoesNotExist:
        raise Http404("round") from None


def nominations_for_user(user: Any) -> QuerySet[Nomination]:
    """County admins and inspectors: all of the county; unit staff: their organisation's;
    panel members: the nominations of rounds they review."""
    prefix = county_prefix(user)
    if prefix is None:
        return Nomination.objects.none()
    base = Nomination.objects.filter(county__code__startswith=prefix).select_related(
        "award_type__round", "nominating_org"
    )
    if user.role in (Role.COUNTY_ADMIN, Role.INSPECTOR):
        return base
    panel_rounds = PanelMember.objects.filter(user=user).values("round")
    own = Q(nominating_org=user.organisation) if user.organisation_id else Q(pk__in=[])
    return base.filter(own | Q(award_type__round__in=panel_rounds))


def get_nomination_for_user(user: Any, pk: int) -> Nomination:
    try:
        return nominations_for_user(user).get(pk=pk)
    except Nomination.DoesNotExist:
        raise Http404("nomination") from None


def objections_for_user(user: Any) -> QuerySet[Objection]:
    if getattr(user, "role", None) not in (Role.COUNTY_ADMIN, Role.INSPECTOR):
        return Objection.objects.none()
    return Objection.objects.filter(nomination__in=nominations_for_user(user)).select_related(
        "nomination__award_type__round"
    )


def get_objection_for_user(user: Any, pk: int) -> Objection:
    try:
        return objections_for_user(user).get(pk=pk)
    except Objection.DoesNotExist:
        raise Http404("objection") from None


# --- public ---------------------------------------------------------------------------------------
def public_rounds() -> QuerySet[AwardRound]:
    return AwardRound.objects.filter(status__in=PUBLIC_STATUSES).order_by("-year", "code")


def get_public_round(code: str) -> AwardRound:
    try:
        return public_rounds().get(code=code)
    except AwardRound.DoesNotExist:
        raise Http404("round") from None


def public_nominations(award_round: AwardRound) -> QuerySet[Nomination]:
    """Publicity: the candidates; final: the winners."""
    status = (
        NominationStatus.PUBLICISED
        if award_round.status == RoundStatus.PUBLICITY
        else NominationStatus.AWARDED
    )
    return (
        Nomination.objects.filter(award_type__round=award_round, status=status)
        .select_related("award_type", "nominating_org")
        .annotate(answered=Count("objections", filter=Q(objections__status="answered")))
        .order_by("award_type__category", "award_type__name", "-average_score", "nominee_name")
    )


def get_public_candidate(award_round: AwardRound, pk: int) -> Nomination:
    try:
        return public_nominations(award_round).get(pk=pk)
    except Nomination.DoesNotExist:
        raise Http404("nomination") from None


def public_answers(award_round: AwardRound) -> QuerySet[Objection]:
    """Answered objections are published without the objector's contact."""
    return Objection.objects.filter(
        nomination__award_type__round=award_round, status="answered"
    ).select_related("nomination")
