"""Non-trivial reads: fund figures per project, due/overdue evaluations, investment plan progress,
fund flow statements. Money figures come from the ledger entries (the balance is derived)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from bangfu.ledger.models import Entry, EntryKind
from bangfu.lib.clock import today
from bangfu.lib.money import ZERO
from bangfu.projects.models import Evaluation, InvestmentPlan, Project, ProjectStatus

# Money in: credits, less reversed credits. Money out: debits, less reversed debits.
ALLOCATED = Q(kind=EntryKind.CREDIT) | Q(kind=EntryKind.REVERSAL, reverses__kind=EntryKind.CREDIT)
PAID = Q(kind=EntryKind.DEBIT) | Q(kind=EntryKind.REVERSAL, reverses__kind=EntryKind.DEBIT)


@dataclass(frozen=True)
class FundFigures:
    allocated: Decimal
    paid: Decimal

    @property
    def balance(self) -> Decimal:
        return self.allocated - self.paid


def fund_figures(projects: Iterable[Project]) -> dict[int, FundFigures]:
    """{project id: allocated, paid, balance} for many projects in one query."""
    by_account = {p.account_id: p.pk for p in projects}
    rows = (
        Entry.objects.filter(account_id__in=list(by_account))
        .values("account_id")
        .annotate(allocated=Sum("amount", filter=ALLOCATED), paid=Sum("amount", filter=PAID))
    )
    found: dict[int, dict[str, Any]] = {r["account_id"]: dict(r) for r in rows}
    out = {}
    for account_id, project_id in by_account.items():
        row = found.get(account_id, {})
        out[project_id] = FundFigures(allocated=row.get("allocated") or ZERO, paid=-(row.get("paid") or ZERO))
    return out


def evaluations_due(evaluations: QuerySet[Evaluation], *, on: date | None = None) -> QuerySet[Evaluation]:
    """Open evaluations due this quarter or later in the year (not yet overdue)."""
    on = on or today()
    return evaluations.filter(evaluated_on__isnull=True, due_on__gte=on, due_on__year=on.year).exclude(
        project__status=ProjectStatus.CANCELLED  # pairing evaluations have no project and stay
    )


def evaluations_overdue(evaluations: QuerySet[Evaluation], *, on: date | None = None) -> QuerySet[Evaluation]:
    on = on or today()
    # A cancelled project owes no further evaluations.
    return evaluations.filter(evaluated_on__isnull=True, due_on__lt=on).exclude(
        project__status=ProjectStatus.CANCELLED
    )


@dataclass(frozen=True)
class PlanProgress:
    plan: InvestmentPlan
    projects: int
    budgeted: Decimal
    allocated: Decimal
    paid: Decimal

    @property
    def allocated_ratio(self) -> Decimal | None:
        if not self.plan.planned_amount:
            return None
        return (self.allocated / self.plan.planned_amount * 100).quantize(Decimal("0.1"))


def plan_progress(plans: Iterable[InvestmentPlan]) -> list[PlanProgress]:
    """Actual against planned for each plan: projects linked, their budgets, money received and
    paid (money counted on projects linked to the plan)."""
    plans = list(plans)
    projects = list(Project.objects.filter(investment_plan__in=plans))
    figures = fund_figures(projects)
    out = []
    for plan in plans:
        mine = [p for p in projects if p.investment_plan_id == plan.pk]
        out.append(
            PlanProgress(
                plan=plan,
                projects=len(mine),
                budgeted=sum((p.budget_total for p in mine), ZERO),
                allocated=sum((figures[p.pk].allocated for p in mine), ZERO),
                paid=sum((figures[p.pk].paid for p in mine), ZERO),
            )
        )
    return out


def fund_flow(projects: QuerySet[Project], *, year: int | None = None) -> QuerySet[Entry]:
    """Every ledger entry of these projects (optionally of one year), oldest first."""
    entries = Entry.objects.filter(account__project__in=projects)
    if year is not None:
        entries = entries.filter(occurred_on__year=year)
    return entries.select_related("actor", "reverses").order_by("account__reference", "occurred_on", "id")


def flow_by_partner(projects: QuerySet[Project], *, year: int | None = None) -> list[dict[str, Any]]:
    """Money in and out per funder organisation (a project with several funders counts in full
    under each of them)."""
    entries = Entry.objects.filter(account__project__in=projects)
    if year is not None:
        entries = entries.filter(occurred_on__year=year)
    rows = (
        entries.values("account__project__funders__code", "account__project__funders__name")
        .annotate(allocated=Sum("amount", filter=ALLOCATED), paid=Sum("amount", filter=PAID))
        .order_by("account__project__funders__code")
    )
    return [
        {
            "code": r["account__project__funders__code"],
            "name": r["account__project__funders__name"],
            "allocated": r["allocated"] or ZERO,
            "paid": -(r["paid"] or ZERO),
        }
        for r in rows
    ]
