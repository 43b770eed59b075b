"""Reads of the subsidies app: one scoping helper per resource, and the set-based Yulu queries.

Terms, milestones, cohorts and Sanzhi-Yifu plans are county configuration: every staff user of the
county may read them. Per-person records (applications, payments, enrolments, placements) are
scoped by the user's area subtree.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from bangfu.accounts.scopes import area_prefix, county_prefix
from bangfu.subsidies.models import (
    ProgrammeMilestone,
    SanzhiApplicant,
    SanzhiPlacement,
    SanzhiPlan,
    TechnicianCohort,
    YuluTerm,
)


# --- terms ---------------------------------------------------------------------------------------------
def terms_for_user(user: Any) -> QuerySet[YuluTerm]:
    prefix = county_prefix(user)
    if prefix is None:
        return YuluTerm.objects.none()
    return YuluTerm.objects.filter(county__code__startswith=prefix).select_related("county")


def get_term_for_user(user: Any, code: str) -> YuluTerm:
    term = terms_for_user(user).filter(code=code).first()
    if term is None:
        raise Http404("term")
    return term


# --- milestones ----------------------------------------------------------------------------------------
def milestones_for_user(user: Any) -> QuerySet[ProgrammeMilestone]:
    prefix = county_prefix(user)
    if prefix is None:
        return ProgrammeMilestone.objects.none()
    return ProgrammeMilestone.objects.filter(county__code__startswith=prefix)


def get_milestone_for_user(user: Any, pk: int) -> ProgrammeMilestone:
    try:
        return milestones_for_user(user).select_related("county").get(pk=pk)
    except ProgrammeMilestone.DoesNotExist:
        raise Http404("milestone") from None


# --- technician cohorts --------------------------------------------------------------------------------
def cohorts_for_user(user: Any) -> QuerySet[TechnicianCohort]:
    prefix = county_prefix(user)
    if prefix is None:
        return TechnicianCohort.objects.none()
    return TechnicianCohort.objects.filter(county__code__startswith=prefix)


def get_cohort_for_user(user: Any, year: int) -> TechnicianCohort:
    cohort = cohorts_for_user(user).select_related("county").filter(year=year).first()
    if cohort is None:
        raise Http404("cohort")
    return cohort


# --- Sanzhi-Yifu ---------------------------------------------------------------------------------------
def sanzhi_plans_for_user(user: Any) -> QuerySet[SanzhiPlan]:
    prefix = county_prefix(user)
    if prefix is None:
        return SanzhiPlan.objects.none()
    return SanzhiPlan.objects.filter(county__code__startswith=prefix).select_related("county")


def get_sanzhi_plan_for_user(user: Any, year: int) -> SanzhiPlan:
    plan = sanzhi_plans_for_user(user).filter(year=year).first()
    if plan is None:
        raise Http404("sanzhi plan")
    return plan


def sanzhi_applicants_for_user(user: Any) -> QuerySet[SanzhiApplicant]:
    """Applicants of posts in the user's area (a township clerk sees its township's posts)."""
    prefix = area_prefix(user)
    if prefix is None:
        return SanzhiApplicant.objects.none()
    return SanzhiApplicant.objects.filter(post__township__code__startswith=prefix[:9]).select_related(
        "plan__county", "post__township"
    )


def get_sanzhi_applicant_for_user(user: Any, pk: int) -> SanzhiApplicant:
    try:
        return sanzhi_applicants_for_user(user).get(pk=pk)
    except SanzhiApplicant.DoesNotExist:
        raise Http404("applicant") from None


def sanzhi_placements_for_user(user: Any) -> QuerySet[SanzhiPlacement]:
    prefix = area_prefix(user)
    if prefix is None:
        return SanzhiPlacement.objects.none()
    return SanzhiPlacement.objects.filter(township__code__startswith=prefix[:9]).select_related(
        "county", "township", "applicant__plan"
    )


def get_sanzhi_placement_for_user(user: Any, pk: int) -> SanzhiPlacement:
    try:
        return sanzhi_placements_for_user(user).get(pk=pk)
    except SanzhiPlacement.DoesNotExist:
        raise Http404("placement") from None
