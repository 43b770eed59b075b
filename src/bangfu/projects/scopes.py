"""The scoping helpers of projects: one per resource, used by every view and API endpoint.

- county admins and inspectors: every project of their county;
- township clerks and village officers: projects located in their township / village;
- unit reporters: the projects their organisation funds (a partner's users see their projects);
- supporters: none.
Objects out of scope are 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import area_prefix
from bangfu.areas.models import county_code_of
from bangfu.partners.scopes import pairings_for_user
from bangfu.projects.models import (
    Allocation,
    Disbursement,
    DisbursementAttachment,
    Evaluation,
    InvestmentPlan,
    Project,
    RectificationItem,
    Side,
)


def _project_filter(user: Any, prefix_field: str = "area__code", funders_field: str = "funders") -> Q | None:
    prefix = area_prefix(user)
    if prefix is None:
        return None
    if user.role == Role.UNIT_REPORTER:
        if not user.organisation_id:
            return None
        return Q(
            **{f"{prefix_field}__startswith": county_code_of(prefix), funders_field: user.organisation_id}
        )
    return Q(**{f"{prefix_field}__startswith": prefix})


def projects_for_user(user: Any) -> QuerySet[Project]:
    condition = _project_filter(user)
    if condition is None:
        return Project.objects.none()
    # Filtering through the funders M2M can repeat rows; distinct keeps one per project.
    qs = Project.objects.filter(condition).select_related("area", "county", "account", "investment_plan")
    if user.role == Role.UNIT_REPORTER:
        qs = qs.distinct()
    return qs


def get_project_for_user(user: Any, code: str) -> Project:
    try:
        return projects_for_user(user).get(code=code)
    except Project.DoesNotExist:
        raise Http404("project") from None


def get_allocation_for_user(user: Any, project: Project, pk: int) -> Allocation:
    """An allocation of a project already fetched through `get_project_for_user`."""
    try:
        return Allocation.objects.select_related("entry", "county", "project").get(project=project, pk=pk)
    except Allocation.DoesNotExist:
        raise Http404("allocation") from None


def disbursements_for_user(user: Any) -> QuerySet[Disbursement]:
    condition = _project_filter(user, "project__area__code", "project__funders")
    if condition is None:
        return Disbursement.objects.none()
    qs = Disbursement.objects.filter(condition).select_related("project", "project__area", "requested_by")
    if user.role == Role.UNIT_REPORTER:
        qs = qs.distinct()
    return qs


def get_disbursement_for_user(user: Any, pk: int) -> Disbursement:
    try:
        return disbursements_for_user(user).get(pk=pk)
    except Disbursement.DoesNotExist:
        raise Http404("disbursement") from None


def get_attachment_for_user(user: Any, pk: int) -> DisbursementAttachment:
    try:
        return DisbursementAttachment.objects.get(pk=pk, disbursement__in=disbursements_for_user(user))
    except DisbursementAttachment.DoesNotExist:
        raise Http404("attachment") from None


def evaluations_for_user(user: Any) -> QuerySet[Evaluation]:
    """Project evaluations follow the project rule; pairing evaluations follow the pairing rule of
    partners (a unit reporter: its own organisation's pairings; the county admin: every pairing)."""
    condition = _project_filter(user, "project__area__code", "project__funders")
    if condition is None:
        return Evaluation.objects.none()
    if user.role != Role.UNIT_REPORTER or user.organisation_id:
        condition = (Q(project__isnull=False) & condition) | Q(
            pairing__in=pairings_for_user(user).values("pk")
        )
    qs = Evaluation.objects.filter(condition).select_related(
        "project",
        "project__area",
        "evaluator",
        "pairing",
        "pairing__helper_organisation",
        "pairing__target_area",
        "pairing__target_organisation",
    )
    if user.role == Role.UNIT_REPORTER:
        qs = qs.distinct()
    return qs


def get_evaluation_for_user(user: Any, pk: int) -> Evaluation:
    try:
        return evaluations_for_user(user).get(pk=pk)
    except Evaluation.DoesNotExist:
        raise Http404("evaluation") from None


def get_rectification_for_user(user: Any, pk: int) -> RectificationItem:
    evaluations = evaluations_for_user(user)
    try:
        return RectificationItem.objects.select_related("evaluation", "evaluation__project").get(
            pk=pk, evaluation__in=evaluations
        )
    except RectificationItem.DoesNotExist:
        raise Http404("rectification") from None


def investment_plans_for_user(user: Any) -> QuerySet[InvestmentPlan]:
    prefix = area_prefix(user)
    if prefix is None:
        return InvestmentPlan.objects.none()
    qs = InvestmentPlan.objects.filter(county__code__startswith=county_code_of(prefix)).select_related(
        "partner", "county"
    )
    if user.role == Role.UNIT_REPORTER:
        return qs.filter(partner_id=user.organisation_id)
    if user.role in (Role.COUNTY_ADMIN, Role.INSPECTOR):
        return qs
    # Township and village staff see the plans behind the projects in their area.
    return qs.filter(projects__area__code__startswith=prefix).distinct()


def get_investment_plan_for_user(user: Any, pk: int) -> InvestmentPlan:
    try:
        return investment_plans_for_user(user).get(pk=pk)
    except InvestmentPlan.DoesNotExist:
        raise Http404("investment plan") from None


def sides_of(user: Any, project: Project) -> set[str]:
    """Which side(s) of 资金共管 the user stands on for this project.

    Funding side: a unit reporter of one of the project's funders. Recipient side: the county
    admin or township clerk whose area contains the project's location."""
    sides: set[str] = set()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return sides
    if user.role == Role.UNIT_REPORTER and user.organisation_id:
        if project.funders.filter(pk=user.organisation_id).exists():
            sides.add(Side.FUNDER.value)
    if user.role in (Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK):
        prefix = area_prefix(user)
        if prefix is not None and project.area.code.startswith(prefix):
            sides.add(Side.RECIPIENT.value)
    return sides
