"""Project figures for the work plan: funds allocated and paid (in total and by kind of
assistance), projects started and completed. Money is counted on the ledger entries' dates."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from bangfu.ledger.models import Entry
from bangfu.lib.indicators import IndicatorQuery, indicator
from bangfu.lib.money import ZERO
from bangfu.projects.models import Project, ProjectKind
from bangfu.projects.selectors import ALLOCATED, PAID


def _money(query: IndicatorQuery, flow: Q, kind: str | None, sign: int) -> Decimal:
    entries = Entry.objects.filter(
        flow,
        county=query.county,
        occurred_on__gte=query.start,
        occurred_on__lt=query.end,
        account__project__isnull=False,
    )
    if kind is not None:
        entries = entries.filter(account__project__kind=kind)
    if query.organisation is not None:
        # Through the funders M2M a project appears once per funder; filter with a subquery.
        funded = Project.objects.filter(funders=query.organisation).values("account_id")
        entries = entries.filter(account_id__in=funded)
    total = entries.aggregate(total=Sum("amount"))["total"] or ZERO
    # Debits are negative on the ledger; figures are reported as positive amounts.
    return total * sign


def _projects(query: IndicatorQuery, date_field: str) -> Decimal:
    projects = Project.objects.filter(
        county=query.county, **{f"{date_field}__gte": query.start, f"{date_field}__lt": query.end}
    )
    if query.organisation is not None:
        projects = projects.filter(funders=query.organisation).distinct()
    return Decimal(projects.count())


def _register_money(name: str, label: object, flow: Q, kind: str | None) -> None:
    sign = -1 if flow is PAID else 1

    def compute(query: IndicatorQuery) -> Decimal:
        return _money(query, flow, kind, sign)

    compute.__name__ = name.replace(".", "_")
    indicator(name, label=label, unit="元", source_url_name="projects:list")(compute)


_register_money("projects.funds_allocated", _("项目资金到位"), ALLOCATED, None)
_register_money("projects.funds_paid", _("项目资金支付"), PAID, None)
_KIND_LABELS: dict[str, tuple[object, object]] = {
    ProjectKind.EAST_WEST: (_("东西部协作项目资金到位"), _("东西部协作项目资金支付")),
    ProjectKind.COUNTERPART: (_("对口帮扶项目资金到位"), _("对口帮扶项目资金支付")),
    ProjectKind.ENTERPRISE: (_("万企帮万村项目资金到位"), _("万企帮万村项目资金支付")),
    ProjectKind.DESIGNATED: (_("定点帮扶项目资金到位"), _("定点帮扶项目资金支付")),
}
for _kind, (_allocated_label, _paid_label) in _KIND_LABELS.items():
    _register_money(f"projects.funds_allocated.{_kind}", _allocated_label, ALLOCATED, _kind)
    _register_money(f"projects.funds_paid.{_kind}", _paid_label, PAID, _kind)


@indicator("projects.projects_started", label=_("开工项目数"), unit="个", source_url_name="projects:list")
def projects_started(query: IndicatorQuery) -> Decimal:
    return _projects(query, "started_on")


@indicator("projects.projects_completed", label=_("完工项目数"), unit="个", source_url_name="projects:list")
def projects_completed(query: IndicatorQuery) -> Decimal:
    return _projects(query, "completed_on")
