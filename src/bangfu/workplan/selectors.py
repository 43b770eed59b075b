"""Reads of the work plan: the scoping helpers (one per resource), lateness derivation, the
completeness matrix, overdue milestones, reminders, indicator figures and the assessment."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Case, CharField, Count, Max, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext, gettext_lazy

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import county_prefix
from bangfu.areas.models import Area, Level
from bangfu.lib import clock
from bangfu.lib.indicators import IndicatorQuery, all_indicators
from bangfu.lib.milestones import Evidence, all_rules, derive_state
from bangfu.lib.milestones import State as MilestoneStateName
from bangfu.lib.stampcache import cached, stamp_key
from bangfu.partners.models import Organisation
from bangfu.workplan.models import (
    AWAITING_REVIEW,
    AssessmentAdjustment,
    Indicator,
    IndicatorSource,
    IndicatorValue,
    LedgerReport,
    Milestone,
    Plan,
    ReportStatus,
    SelfInspection,
    Task,
)
from bangfu.workplan.services import settings_for

OVERSIGHT_ROLES = (Role.COUNTY_ADMIN, Role.INSPECTOR)
REPORTING_ROLES = (Role.UNIT_REPORTER, Role.TOWNSHIP_CLERK)


# --- scope ----------------------------------------------------------------------------------------
def county_for_user(user: Any) -> Area | None:
    """The county whose plan the user works on (the first one under a wider area)."""
    prefix = county_prefix(user)
    if prefix is None:
        return None
    return Area.objects.filter(level=Level.COUNTY, code__startswith=prefix).order_by("code").first()


def plans_for_user(user: Any) -> QuerySet[Plan]:
    prefix = county_prefix(user)
    if prefix is None:
        return Plan.objects.none()
    return Plan.objects.filter(county__code__startswith=prefix)


def current_plan_for_user(user: Any, year: int | None = None) -> Plan | None:
    plans = plans_for_user(user)
    year = year or clock.today().year
    return plans.filter(year=year).first() or plans.order_by("-year").first()


def tasks_for_user(user: Any) -> QuerySet[Task]:
    return Task.objects.filter(plan__in=plans_for_user(user)).select_related("section", "plan")


def get_task_for_user(user: Any, pk: int) -> Task:
    try:
        return tasks_for_user(user).get(pk=pk)
    except Task.DoesNotExist:
        raise Http404("task") from None


def reports_for_user(user: Any) -> QuerySet[LedgerReport]:
    """County admins and inspectors see every report of their counties; a unit sees its own."""
    prefix = county_prefix(user)
    if prefix is None:
        return LedgerReport.objects.none()
    reports = LedgerReport.objects.filter(county__code__startswith=prefix).select_related(
        "task", "organisation", "county"
    )
    if user.role in OVERSIGHT_ROLES:
        return reports
    if user.role in REPORTING_ROLES and user.organisation_id:
        return reports.filter(organisation_id=user.organisation_id)
    return LedgerReport.objects.none()


def get_report_for_user(user: Any, pk: int) -> LedgerReport:
    try:
        return reports_for_user(user).get(pk=pk)
    except LedgerReport.DoesNotExist:
        raise Http404("report") from None


def milestones_for_user(user: Any) -> QuerySet[Milestone]:
    return Milestone.objects.filter(task__in=tasks_for_user(user)).select_related("task")


def get_milestone_for_user(user: Any, pk: int) -> Milestone:
    try:
        return milestones_for_user(user).get(pk=pk)
    except Milestone.DoesNotExist:
        raise Http404("milestone") from None


# --- lateness -------------------------------------------------------------------------------------
ON_TIME, LATE, MISSING, RETURNED, PENDING = "on_time", "late", "missing", "returned", "pending"
STATE_ORDER = [MISSING, RETURNED, LATE, PENDING, ON_TIME]


def due_date(month: date, due_day: int) -> date:
    """A month's report is due on day N of the next month."""
    if month.month == 12:
        return date(month.year + 1, 1, due_day)
    return date(month.year, month.month + 1, due_day)


def cell_state(status: str, first_submitted_on: date | None, due: date, today: date) -> str:
    """Derived, never stored: on time / late / missing / returned / pending (not yet due)."""
    if status == ReportStatus.RETURNED:
        return RETURNED
    if first_submitted_on is not None:
        return ON_TIME if first_submitted_on <= due else LATE
    return MISSING if today > due else PENDING


def state_expression(dues: dict[date, date], today: date) -> Case:
    """`cell_state` as SQL, so the completeness matrix is grouped in the database."""
    return Case(
        When(status=ReportStatus.RETURNED, then=Value(RETURNED)),
        *[
            When(month=m, first_submitted_on__isnull=False, first_submitted_on__lte=due, then=Value(ON_TIME))
            for m, due in dues.items()
        ],
        When(first_submitted_on__isnull=False, then=Value(LATE)),
        *[When(month=m, then=Value(MISSING if today > due else PENDING)) for m, due in dues.items()],
        default=Value(PENDING),
        output_field=CharField(),
    )


# --- completeness ---------------------------------------------------------------------------------
@dataclass
class Cell:
    month: date
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def month_param(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def state(self) -> str:
        for state in STATE_ORDER:
            if self.counts.get(state):
                return state
        return ""

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return self.counts.get(ON_TIME, 0) + self.counts.get(LATE, 0)


@dataclass
class Completeness:
    months: list[date]
    rows: list[tuple[Organisation, list[Cell]]]
    totals: dict[str, int]
    key: str  # the cache key of the counts: what is derived from them alone may be cached under it


# At most this long in a process's cache; any write the matrix shows moves the stamp first.
MATRIX_CACHE_SECONDS = 300


def ledger_stamp(plan: Plan) -> tuple[int, datetime | None, int, int]:
    """What the completeness matrix of the plan shows changes only with these, read in one
    aggregate query: the slots (a task or responsible unit added opens slots), the newest change
    and, so that a change is seen whatever order concurrent writes commit in, the counts of the two
    facts a cell's state is derived from (returned; first submitted on). Every write of a report
    sets `updated_at`, bulk ones included (`services.bulk_accept_reports`, `demo`)."""
    tasks = Task.objects.filter(plan=plan).values("pk")
    # COUNT(*) and columns of wp_report_stamp_idx only, so that the index answers alone.
    row = LedgerReport.objects.filter(county_id=plan.county_id, task__in=tasks).aggregate(
        slots=Count("*"),
        newest=Max("updated_at"),
        returned=Count("status", filter=Q(status=ReportStatus.RETURNED)),
        submitted=Count("first_submitted_on"),
    )
    return row["slots"], row["newest"], row["returned"], row["submitted"]


StateCounts = dict[int, list[dict[str, int]]]  # organisation id → per month of the year: state → reports


def _count_states(
    plan: Plan, dues: dict[date, date], today: date, task_id: int | None, organisation_id: int | None
) -> tuple[StateCounts, dict[str, int]]:
    reports = LedgerReport.objects.filter(county_id=plan.county_id, task__plan=plan)
    if task_id:
        reports = reports.filter(task_id=task_id)
    if organisation_id:
        reports = reports.filter(organisation_id=organisation_id)
    months = list(dues)
    cells: StateCounts = {}
    totals: dict[str, int] = defaultdict(int)
    rows = (
        reports.order_by()
        .annotate(state=state_expression(dues, today))
        .values_list("organisation_id", "month", "state")
        .annotate(n=Count("id"))
    )
    for org_id, month, state, n in rows:
        counts = cells.setdefault(org_id, [{} for _m in months])[months.index(month)]
        counts[state] = counts.get(state, 0) + n
        totals[state] += n
    return cells, dict(totals)


def _state_counts(
    plan: Plan, *, task_id: int | None = None, organisation_id: int | None = None, today: date | None = None
) -> tuple[StateCounts, dict[str, int], str]:
    """The matrix's counts, cached per process (bangfu.lib.stampcache) under the plan, the
    filters, the day and due day (lateness is derived from them) and the plan's ledger stamp.
    Organisations are not in it: their names and order are read fresh by the caller. The key has
    the plan, so it is the same for everyone who may see that plan (oversight of its county)."""
    today = today or clock.today()
    due_day = settings_for(plan.county).due_day
    dues = {m: due_date(m, due_day) for m in (date(plan.year, n, 1) for n in range(1, 13))}
    key = stamp_key(
        "workplan:completeness", plan.pk, task_id, organisation_id, today, due_day, *ledger_stamp(plan)
    )
    cells, totals = cached(
        key, lambda: _count_states(plan, dues, today, task_id, organisation_id), MATRIX_CACHE_SECONDS
    )
    return cells, totals, key


def completeness(
    plan: Plan, *, task_id: int | None = None, organisation_id: int | None = None, today: date | None = None
) -> Completeness:
    """Units × months of the plan year: one grouped query, aggregated in Python and cached."""
    months = [date(plan.year, m, 1) for m in range(1, 13)]
    cells, totals, key = _state_counts(plan, task_id=task_id, organisation_id=organisation_id, today=today)
    orgs = Organisation.objects.in_bulk(list(cells))
    ordered = sorted(cells, key=lambda pk: (orgs[pk].admin_level, orgs[pk].code))
    rows = [
        (orgs[pk], [Cell(m, counts) for m, counts in zip(months, cells[pk], strict=True)]) for pk in ordered
    ]
    return Completeness(months, rows, totals, key)


def month_states(plan: Plan, month: date, today: date | None = None) -> dict[int, dict[str, int]]:
    """Per organisation with reports that month, counts of each state: a column of the matrix."""
    if month.year != plan.year or month.day != 1:
        return {}
    cells, _totals, _key = _state_counts(plan, today=today)
    return {
        org_id: by_month[month.month - 1] for org_id, by_month in cells.items() if by_month[month.month - 1]
    }


def overdue_milestones(plan: Plan, today: date | None = None) -> QuerySet[Milestone]:
    today = today or clock.today()
    return (
        Milestone.objects.filter(task__plan=plan, due_date__lt=today, completed_on__isnull=True)
        .select_related("task")
        .order_by("due_date", "task__position")
    )


# --- milestone states (derived from the apps' rules, bangfu.lib.milestones) --------------------------
RULE, MANUAL = "rule", "manual"
STATE_LABELS = {
    MilestoneStateName.DONE: gettext_lazy("已完成"),
    MilestoneStateName.DONE_LATE: gettext_lazy("逾期完成"),
    MilestoneStateName.OPEN: gettext_lazy("未到期"),
    MilestoneStateName.AT_RISK: gettext_lazy("临近时限未完成"),
    MilestoneStateName.OVERDUE: gettext_lazy("已逾期"),
}
BASIS_LABELS = {RULE: gettext_lazy("系统判定"), MANUAL: gettext_lazy("手工确认")}


@dataclass(frozen=True)
class MilestoneState:
    """A milestone's state on the office date. `basis` is RULE when the records decide it and
    MANUAL when a person does (a milestone without a rule, or a rule-backed one completed by hand
    with a written reason); `disagrees` marks a manual completion the evidence contradicts."""

    milestone: Milestone
    state: str
    completed_on: date | None
    basis: str
    evidence: Evidence | None
    disagrees: bool = False
    rule_label: Any = ""

    @property
    def state_label(self) -> Any:
        return STATE_LABELS[self.state]

    @property
    def basis_label(self) -> Any:
        return BASIS_LABELS[self.basis]

    @property
    def is_done(self) -> bool:
        return self.state in (MilestoneStateName.DONE, MilestoneStateName.DONE_LATE)

    @property
    def is_problem(self) -> bool:
        return self.state in (MilestoneStateName.AT_RISK, MilestoneStateName.OVERDUE) or self.disagrees


def state_of(milestone: Milestone, county: Area, today: date) -> MilestoneState:
    rule = all_rules().get(milestone.rule) if milestone.rule else None
    evidence = rule.judge(county, milestone, today) if rule is not None else None
    label = rule.label if rule is not None else ""
    if milestone.completed_on is not None:
        return MilestoneState(
            milestone,
            derive_state(due_date=milestone.due_date, today=today, done=True, done_on=milestone.completed_on),
            milestone.completed_on,
            MANUAL,
            evidence,
            disagrees=evidence is not None and not evidence.done,
            rule_label=label,
        )
    if evidence is None:
        return MilestoneState(
            milestone,
            derive_state(due_date=milestone.due_date, today=today, done=False, done_on=None),
            None,
            MANUAL,
            None,
        )
    return MilestoneState(
        milestone,
        derive_state(due_date=milestone.due_date, today=today, done=evidence.done, done_on=evidence.done_on),
        evidence.done_on if evidence.done else None,
        RULE,
        evidence,
        rule_label=label,
    )


def milestone_states(county: Area, year: int, today: date | None = None) -> list[MilestoneState]:
    """Every milestone of the county's plan of `year`, in plan order, with its derived state:
    done / done late / open / at risk / overdue (bangfu.lib.milestones.derive_state), the date it
    was completed, its basis and the evidence of its rule. Each rule is a few set-based queries."""
    today = today or clock.today()
    milestones = (
        Milestone.objects.filter(task__plan__county=county, task__plan__year=year)
        .select_related("task")
        .order_by("task__position", "quarter", "due_date", "pk")
    )
    return [state_of(m, county, today) for m in milestones]


def reminder_list(plan: Plan, today: date | None = None) -> QuerySet[LedgerReport]:
    """Reports of last month (due this month) that have not been submitted."""
    from bangfu.workplan.services import previous_month

    today = today or clock.today()
    return (
        LedgerReport.objects.filter(
            task__plan=plan,
            month=previous_month(today),
            status__in=(ReportStatus.DRAFT, ReportStatus.RETURNED),
        )
        .select_related("task", "organisation")
        .order_by("organisation__code", "task__position")
    )


def awaiting_review(plan: Plan) -> QuerySet[LedgerReport]:
    return (
        LedgerReport.objects.filter(task__plan=plan, status__in=AWAITING_REVIEW)
        .select_related("task", "organisation")
        .order_by("month", "task__position", "organisation__code")
    )


# --- indicators -----------------------------------------------------------------------------------
@dataclass
class IndicatorFigure:
    indicator: Indicator
    available: bool
    value: Decimal | None
    source_url: str = ""
    # What the value covers: "截至6月底" for a stock, "6月" / "1—6月累计" for a flow.
    period: str = ""

    @property
    def attainment(self) -> Decimal | None:
        target = self.indicator.target
        if self.value is None or not target:
            return None
        return min(Decimal(1), self.value / target)


def indicator_figures(
    indicators: list[Indicator],
    *,
    county: Area,
    start: date,
    end: date,
    organisation: Organisation | None = None,
    manual_reports: QuerySet[LedgerReport] | None = None,
) -> list[IndicatorFigure]:
    """Values over [start, end): computed through bangfu.lib.indicators (a name nobody has
    registered yet is 'not available'), manual ones summed from report values."""
    registry = all_indicators()
    last = date.fromordinal(end.toordinal() - 1)
    single_month = (start.year, start.month) == (last.year, last.month)
    periods = {
        "stock": gettext("截至%(m)s月底") % {"m": last.month},
        "flow": gettext("%(m)s月") % {"m": last.month}
        if single_month
        else gettext("%(a)s—%(b)s月累计") % {"a": start.month, "b": last.month},
    }
    manual_sums: dict[int, Decimal] = defaultdict(Decimal)
    manual_ids = [i.pk for i in indicators if i.source == IndicatorSource.MANUAL]
    if manual_ids:
        values = IndicatorValue.objects.filter(
            indicator_id__in=manual_ids, report__month__gte=start, report__month__lt=end
        )
        if manual_reports is not None:
            values = values.filter(report__in=manual_reports)
        elif organisation is not None:
            values = values.filter(report__organisation=organisation)
        # A flow is summed over the months; a stock (期末数) is the latest month's figure, never
        # a sum of months (119 households are not 12 × 119).
        stock_ids = {i.pk for i in indicators if i.source == IndicatorSource.MANUAL and i.kind == "stock"}
        by_month: dict[int, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for ind_id, month, value in values.values_list("indicator_id", "report__month", "value"):
            by_month[ind_id][month] += value
        for ind_id, months in by_month.items():
            manual_sums[ind_id] = (
                months[max(months)] if ind_id in stock_ids else sum(months.values(), Decimal(0))
            )
    out = []
    for ind in indicators:
        if ind.source == IndicatorSource.MANUAL:
            out.append(IndicatorFigure(ind, True, manual_sums.get(ind.pk, Decimal(0)), "", periods[ind.kind]))
            continue
        source = registry.get(ind.computed_name)
        if source is None:
            out.append(IndicatorFigure(ind, False, None, "", periods[ind.kind]))
            continue
        query = IndicatorQuery(county=county, start=start, end=end, organisation=organisation)
        url = ""
        if source.source_url_name:
            from urllib.parse import urlencode

            from django.urls import NoReverseMatch, reverse

            try:
                params = {"county": county.code, "start": start.isoformat(), "end": end.isoformat()}
                if organisation is not None:
                    params["organisation"] = str(organisation.pk)
                url = reverse(source.source_url_name) + "?" + urlencode(params)
            except NoReverseMatch:
                url = ""
        out.append(IndicatorFigure(ind, True, source.value(query), url, periods[source.kind]))
    return out


# --- assessment -----------------------------------------------------------------------------------
@dataclass
class Score:
    organisation: Organisation
    due_reports: int
    on_time_accepted: int
    milestones_due: int
    milestones_met: int
    indicator_attainment: Decimal | None
    adjustment: Decimal
    adjustments: list[AssessmentAdjustment]
    self_inspection: SelfInspection | None
    weights: tuple[int, int, int]
    rank: int = 0

    @property
    def timeliness(self) -> Decimal | None:
        return Decimal(self.on_time_accepted) / self.due_reports if self.due_reports else None

    @property
    def milestone_rate(self) -> Decimal | None:
        return Decimal(self.milestones_met) / self.milestones_due if self.milestones_due else None

    @property
    def base(self) -> Decimal:
        """Weighted mean (0–100) of the components that apply; a component with nothing due
        yet drops out and the remaining weights are rescaled."""
        parts = [
            (self.timeliness, self.weights[0]),
            (self.milestone_rate, self.weights[1]),
            (self.indicator_attainment, self.weights[2]),
        ]
        used = [(share, w) for share, w in parts if share is not None and w]
        total_weight = sum(w for _s, w in used)
        if not total_weight:
            return Decimal(0)
        return (sum((share * w for share, w in used), Decimal(0)) * 100 / total_weight).quantize(
            Decimal("0.01")
        )

    @property
    def total(self) -> Decimal:
        return (self.base + self.adjustment).quantize(Decimal("0.01"))


def assessment(plan: Plan, *, today: date | None = None, organisation_id: int | None = None) -> list[Score]:
    """Yearly score per responsible unit, ranked. Reports and milestones count once due."""
    today = today or clock.today()
    setting = settings_for(plan.county)
    weights = (setting.weight_timeliness, setting.weight_milestones, setting.weight_indicators)
    through = Task.responsible_units.through
    pairs = through.objects.filter(task__plan=plan)
    if organisation_id:
        pairs = pairs.filter(organisation_id=organisation_id)
    tasks_of: dict[int, set[int]] = defaultdict(set)
    for task_id, org_id in pairs.values_list("task_id", "organisation_id"):
        tasks_of[org_id].add(task_id)
    due_reports: dict[int, int] = defaultdict(int)
    on_time: dict[int, int] = defaultdict(int)
    reports = LedgerReport.objects.filter(task__plan=plan, organisation_id__in=list(tasks_of))
    for org_id, month, status, first in reports.values_list(
        "organisation_id", "month", "status", "first_submitted_on"
    ):
        due = due_date(month, setting.due_day)
        if due >= today:
            continue
        due_reports[org_id] += 1
        if status == ReportStatus.ACCEPTED and first is not None and first <= due:
            on_time[org_id] += 1
    # Milestones count once due, met when their derived state (rule evidence or the hand-ticked
    # date) is done on time.
    milestones_by_task: dict[int, list[MilestoneState]] = defaultdict(list)
    for st in milestone_states(plan.county, plan.year, today):
        if st.milestone.due_date < today:
            milestones_by_task[st.milestone.task_id].append(st)
    indicators_by_task: dict[int, list[Indicator]] = defaultdict(list)
    for ind in Indicator.objects.filter(task__plan=plan, target__gt=0):
        indicators_by_task[ind.task_id].append(ind)
    adjustments: dict[int, list[AssessmentAdjustment]] = defaultdict(list)
    for adj in AssessmentAdjustment.objects.filter(county=plan.county, year=plan.year):
        adjustments[adj.organisation_id].append(adj)
    inspections: dict[int, SelfInspection] = {}
    for item in SelfInspection.objects.filter(county=plan.county, year=plan.year).order_by(
        "created_at", "pk"
    ):
        inspections[item.organisation_id] = item
    orgs = Organisation.objects.in_bulk(list(tasks_of))
    start, end = date(plan.year, 1, 1), min(today, date(plan.year + 1, 1, 1))
    scores = []
    for org_id, task_ids in tasks_of.items():
        org = orgs[org_id]
        ms = [m for t in task_ids for m in milestones_by_task[t]]
        met = sum(1 for m in ms if m.state == MilestoneStateName.DONE)
        inds = [i for t in task_ids for i in indicators_by_task[t]]
        figures = indicator_figures(inds, county=plan.county, start=start, end=end, organisation=org)
        attained = [f.attainment for f in figures if f.attainment is not None]
        attainment = (sum(attained, Decimal(0)) / len(attained)) if attained else None
        org_adjustments = adjustments.get(org_id, [])
        scores.append(
            Score(
                organisation=org,
                due_reports=due_reports[org_id],
                on_time_accepted=on_time[org_id],
                milestones_due=len(ms),
                milestones_met=met,
                indicator_attainment=attainment,
                adjustment=sum((a.points for a in org_adjustments), Decimal(0)),
                adjustments=org_adjustments,
                self_inspection=inspections.get(org_id),
                weights=weights,
            )
        )
    scores.sort(key=lambda s: (-s.total, s.organisation.code))
    for i, score in enumerate(scores, start=1):
        score.rank = i
    return scores


def task_list(plan: Plan) -> QuerySet[Task]:
    return (
        Task.objects.filter(plan=plan)
        .select_related("section")
        .prefetch_related(
            Prefetch("lead_units", queryset=Organisation.objects.order_by("code")),
            Prefetch("responsible_units", queryset=Organisation.objects.order_by("code")),
            "milestones",
            "indicators",
        )
        .order_by("position")
    )


def dashboard_data(plan: Plan, today: date | None = None) -> dict[str, Any]:
    """Figures and chart series for the work-plan dashboard; each series carries the URL of
    the rows behind it."""
    from django.urls import reverse

    today = today or clock.today()
    matrix = completeness(plan, today=today)
    months = matrix.months
    by_month = {state: [0] * 12 for state in STATE_ORDER}
    late_units: list[tuple[str, int, int]] = []
    for org, cells in matrix.rows:
        bad = 0
        for i, cell in enumerate(cells):
            for state, n in cell.counts.items():
                by_month[state][i] += n
            bad += cell.counts.get(LATE, 0) + cell.counts.get(MISSING, 0)
        if bad:
            late_units.append((org.name, org.pk, bad))
    late_units.sort(key=lambda x: -x[2])
    late_units = late_units[:15]
    reports_url = reverse("workplan:reports")
    completeness_url = reverse("workplan:completeness")
    ms_status = {"done": [0] * 4, "overdue": [0] * 4, "open": [0] * 4}
    for st in milestone_states(plan.county, plan.year, today):
        if st.is_done:
            ms_status["done"][st.milestone.quarter - 1] += 1
        elif st.state == MilestoneStateName.OVERDUE:
            ms_status["overdue"][st.milestone.quarter - 1] += 1
        else:
            ms_status["open"][st.milestone.quarter - 1] += 1
    indicators = list(Indicator.objects.filter(task__plan=plan, target__gt=0).select_related("task"))
    figures = indicator_figures(
        indicators, county=plan.county, start=date(plan.year, 1, 1), end=min(today, date(plan.year + 1, 1, 1))
    )
    plan_url = reverse("workplan:plan")
    progress = [
        {
            "name": f"{f.indicator.task.code} {f.indicator.label}",
            "percent": float(round((f.attainment or Decimal(0)) * 100, 1)),
            "url": f.source_url or f"{plan_url}#task-{f.indicator.task.code}",
        }
        for f in figures
        if f.available
    ]
    from bangfu.monitoring.indicators import dashboard_figures  # the monitoring panel (#20)

    return {
        "monitoring": dashboard_figures(plan.county, today),
        "totals": {state: matrix.totals.get(state, 0) for state in STATE_ORDER},
        "overdue_milestones": sum(ms_status["overdue"]),
        "awaiting_review": awaiting_review(plan).count(),
        "charts": {
            "months": [f"{m:%Y-%m}" for m in months],
            "month_urls": [f"{reports_url}?month={m:%Y-%m}" for m in months],
            "by_month": by_month,
            "late_units": {
                "names": [u[0] for u in late_units],
                "counts": [u[2] for u in late_units],
                "urls": [f"{completeness_url}?organisation={u[1]}" for u in late_units],
            },
            "milestones": ms_status,
            "milestones_url": reverse("workplan:oversight"),
            "progress": progress,
        },
    }


# --- a reporting unit's own work (home page, report list, self-inspection) ---------------------------
@dataclass
class UnitWork:
    """A reporting unit's ledger reports of the year so far, or why it has none."""

    year: int
    reports: list[LedgerReport]
    responsible: bool  # the unit is a responsible unit of a task of the year's plan
    reason: str = ""  # when it has no report this year: why, in one plain sentence
    open_count: int = 0  # drafts and returned reports still to (re)submit


def unit_work(user: Any, *, today: date | None = None, limit: int = 12) -> UnitWork | None:
    """For a unit reporter or township clerk with an organisation: this year's reports up to the
    current month (newest first, at most `limit`), or the reason there are none. None for others."""
    if user.role not in REPORTING_ROLES or not user.organisation_id:
        return None
    day = today or clock.today()
    year = day.year
    plan = plans_for_user(user).filter(year=year).first()
    if plan is None:
        reason = gettext("本县尚未导入%(year)d年度工作方案，本单位今年暂无需要报送的工作台账。")
        reason %= {"year": year}
        return UnitWork(year=year, reports=[], responsible=False, reason=reason)
    responsible = plan.tasks.filter(responsible_units=user.organisation_id).exists()
    mine = reports_for_user(user).filter(month__year=year, month__lte=day)
    reports = list(mine.order_by("-month", "task__position", "pk")[:limit])
    open_count = mine.filter(status__in=(ReportStatus.DRAFT, ReportStatus.RETURNED)).count()
    reason = ""
    if not responsible:
        leads = plan.tasks.filter(lead_units=user.organisation_id).exists()
        reason = gettext(
            "本单位不是%(year)d年度工作方案中任何任务的责任单位，所以今年没有需要报送的工作台账。"
        ) % {"year": year}
        if leads:
            reason += gettext("本单位牵头的任务由其责任单位按月报送。")
    elif not reports:
        reason = gettext("本单位今年还没有到期的工作台账。")
    return UnitWork(year=year, reports=reports, responsible=responsible, reason=reason, open_count=open_count)
