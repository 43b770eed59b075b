"""Reads of the work plan: the scoping helpers (one per resource), lateness derivation, the
completeness matrix, overdue milestones, reminders, indicator figures and the assessment."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import county_prefix
from bangfu.areas.models import Area, Level
from bangfu.lib import clock
from bangfu.lib.indicators import IndicatorQuery, all_indicators
from bangfu.lib.milestones import Evidence, all_rules, derive_state
from bangfu.lib.milestones import State as MilestoneStateName
from bangfu.lib.money import CENT
from bangfu.lib.periods import next_month
from bangfu.lib.stampcache import audit_chain_stamp, cached, newest_ids, stamp_key
from bangfu.partners.models import Organisation
from bangfu.workplan.models import (
    AWAITING_LEAD,
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
from bangfu.workplan.permissions import lead_units_of
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
        # Its own reports, and those of the tasks it leads (牵头单位), which it gathers.
        led = Task.lead_units.through.objects.filter(organisation_id=user.organisation_id).values("task_id")
        return reports.filter(Q(organisation_id=user.organisation_id) | Q(task_id__in=led))
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
    return next_month(month).replace(day=due_day)


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


def reporting_rate(cells: list[Cell]) -> tuple[int, int, int | None]:
    """A unit's (reports submitted, reports due, percent or None): of the reports whose due date
    has passed or that were submitted (everything but "not yet due"), the share submitted (on time
    or late); returned ones count as not submitted until sent again."""
    done = sum(c.done for c in cells)
    due = sum(c.total - c.counts.get(PENDING, 0) for c in cells)
    return done, due, (round(done * 100 / due) if due else None)


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


# At most this long in a process's cache; any write a state is derived from moves the stamp first.
MILESTONE_CACHE_SECONDS = 3600


def milestone_reads() -> tuple[Any, ...] | None:
    """The models milestone states are derived from: the plan's own rows and what every rule
    declares it reads (`@milestone_rule(reads=…)`); None when a rule declares nothing (then the
    states are computed on every call). Hand completions, plan loads and every other change in
    place go through audited services: the audit trail's newest record is in the stamp too."""
    from bangfu.audit.models import AuditRecord

    models: list[Any] = [AuditRecord, Plan, Task, Milestone, Task.lead_units.through, Organisation]
    for rule in all_rules().values():
        reads = rule.read_models()
        if not reads:
            return None
        models.extend(reads)
    return tuple(models)


def milestone_states(county: Area, year: int, today: date | None = None) -> list[MilestoneState]:
    """Every milestone of the county's plan of `year`, in plan order, with its derived state:
    done / done late / open / at risk / overdue (bangfu.lib.milestones.derive_state), the date it
    was completed, its basis and the evidence of its rule. Each rule is a few set-based queries;
    the whole list is cached per process under the county, year, office date, language (evidence
    texts are built in it), the newest ids of `milestone_reads()` and the county's audit chain length
    (`stampcache.audit_chain_stamp`) — two statements when warm."""
    today = today or clock.today()

    def compute() -> list[MilestoneState]:
        milestones = (
            Milestone.objects.filter(task__plan__county=county, task__plan__year=year)
            .select_related("task")
            .order_by("task__position", "quarter", "due_date", "pk")
        )
        return [state_of(m, county, today) for m in milestones]

    reads = milestone_reads()
    key = (
        None
        if reads is None
        else stamp_key(
            "workplan:milestones",
            county.pk,
            year,
            today,
            translation.get_language(),
            *newest_ids(*reads),
            *audit_chain_stamp(county.county_code),
        )
    )
    return cached(key, compute, timeout=MILESTONE_CACHE_SECONDS)


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


# --- lead review (牵头单位汇总审核) ---------------------------------------------------------------------
def _task_has_lead() -> Exists:
    return Exists(Task.lead_units.through.objects.filter(task_id=OuterRef("task_id")))


def _reporter_is_lead() -> Exists:
    return Exists(
        Task.lead_units.through.objects.filter(
            task_id=OuterRef("task_id"), organisation_id=OuterRef("organisation_id")
        )
    )


def with_lead_annotations(reports: QuerySet[LedgerReport]) -> QuerySet[Any]:
    """Annotate `with_office` (submitted to the office: passed on by its lead unit, or needing no
    lead review) and `with_lead` (waiting for its lead unit), in SQL: the twins of
    `permissions.can_accept_report` / `permissions.needs_lead_review` for lists."""
    needs_lead = _task_has_lead() & ~_reporter_is_lead()
    annotated: QuerySet[Any] = reports.annotate(
        with_lead=ExpressionWrapper(Q(status__in=AWAITING_LEAD) & needs_lead, output_field=BooleanField()),
        with_office=ExpressionWrapper(
            Q(status=ReportStatus.GATHERED) | (Q(status__in=AWAITING_LEAD) & ~needs_lead),
            output_field=BooleanField(),
        ),
    )
    return annotated


def office_queue(reports: QuerySet[LedgerReport]) -> QuerySet[Any]:
    """The reports the county admin can accept now (`permissions.can_accept_report` in SQL)."""
    return with_lead_annotations(reports).filter(with_office=True)


def lead_queue(reports: QuerySet[LedgerReport]) -> QuerySet[Any]:
    """The reports waiting for their lead unit's review."""
    return with_lead_annotations(reports).filter(with_lead=True)


def is_lead_unit(user: Any) -> bool:
    """The user reports for a unit that leads a task (and so gathers its units' reports)."""
    return bool(
        user.role in REPORTING_ROLES
        and user.organisation_id
        and Task.lead_units.through.objects.filter(organisation_id=user.organisation_id).exists()
    )


def reports_to_gather(user: Any, month: date | None = None) -> QuerySet[Any]:
    """For a lead unit's reporter: its responsible units' reports on the tasks it leads (never its
    own), of `month` when given."""
    if user.role not in REPORTING_ROLES or not user.organisation_id:
        return LedgerReport.objects.none()
    led = Task.lead_units.through.objects.filter(organisation_id=user.organisation_id).values("task_id")
    reports = (
        reports_for_user(user)
        .filter(task_id__in=led)
        .exclude(organisation_id=user.organisation_id)
        .filter(~_reporter_is_lead())  # a fellow lead unit's report goes straight to the office
    )
    if month is not None:
        reports = reports.filter(month=month)
    return with_lead_annotations(reports).order_by("month", "task__position", "organisation__code")


def awaiting_review(plan: Plan) -> QuerySet[Any]:
    """Reports waiting for the office (county admin): passed on by the lead, or needing no lead."""
    return office_queue(
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
# Indicator owners besides a registered owner selector (Indicator.owners; docs/workplan.md).
OWNERS_RESPONSIBLE, OWNERS_LEAD, OWNERS_NONE = "", "lead", "none"
TYPED, RECORDS, COUNTY_TOTAL = "typed", "records", "county"
SOURCE_LABELS = {
    TYPED: gettext_lazy("单位填报"),
    RECORDS: gettext_lazy("业务记录"),
    COUNTY_TOTAL: gettext_lazy("全县合计（牵头单位）"),
}


@dataclass
class ScoreItem:
    """One line of a unit's score: what it is, the figure it came from, its weight and points.
    `weight` is the item's share of the base score's 100 points (after rescaling the weights of
    the components that apply); `points` = `share` × `weight`."""

    kind: str  # "timeliness", "milestones" or "indicator"
    label: Any
    share: Decimal
    weight: Decimal = Decimal(0)
    figure: IndicatorFigure | None = None
    basis: str = ""  # for the timeliness and milestone lines: "5/6"
    source: str = ""  # TYPED, RECORDS or COUNTY_TOTAL for an indicator
    source_url: str = ""

    @property
    def points(self) -> Decimal:
        return (self.share * self.weight).quantize(Decimal("0.01"))

    @property
    def source_label(self) -> Any:
        return SOURCE_LABELS.get(self.source, "")


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
    # The indicators scored for this unit (those it owns), each with where its value came from.
    indicator_items: list[ScoreItem] = field(default_factory=list)

    @property
    def timeliness(self) -> Decimal | None:
        return Decimal(self.on_time_accepted) / self.due_reports if self.due_reports else None

    @property
    def milestone_rate(self) -> Decimal | None:
        return Decimal(self.milestones_met) / self.milestones_due if self.milestones_due else None

    def _used_weight(self) -> int:
        parts = [(self.timeliness, self.weights[0]), (self.milestone_rate, self.weights[1])]
        parts.append((self.indicator_attainment, self.weights[2]))
        return sum(w for share, w in parts if share is not None and w)

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
        return (self.base + self.adjustment).quantize(CENT)

    @property
    def items(self) -> list[ScoreItem]:
        """What the base score came from, line by line: timeliness, milestones and each owned
        indicator with its weight (of 100) and points; the points add up to the base score."""
        used = self._used_weight()
        if not used:
            return []
        scale = Decimal(100) / used
        out = []
        if self.timeliness is not None and self.weights[0]:
            out.append(
                ScoreItem(
                    "timeliness",
                    gettext_lazy("报送及时率（按时通过/应报）"),
                    self.timeliness,
                    self.weights[0] * scale,
                    basis=f"{self.on_time_accepted}/{self.due_reports}",
                )
            )
        if self.milestone_rate is not None and self.weights[1]:
            out.append(
                ScoreItem(
                    "milestones",
                    gettext_lazy("节点完成率（按期完成/到期）"),
                    self.milestone_rate,
                    self.weights[1] * scale,
                    basis=f"{self.milestones_met}/{self.milestones_due}",
                )
            )
        if self.indicator_attainment is not None and self.weights[2] and self.indicator_items:
            each = self.weights[2] * scale / len(self.indicator_items)
            for item in self.indicator_items:
                item.weight = each
                out.append(item)
        return out


def indicator_owners(
    plan: Plan, indicators: list[Indicator], start: date, end: date
) -> dict[int, tuple[set[int], bool]]:
    """Per indicator: the organisations it is scored for and whether each is scored on the
    county's figure (lead units) rather than its own. Responsible units by default; "lead": the
    task's lead units; "none": nobody; else the units the named owner selector returns."""
    from bangfu.lib.indicators import all_owner_selectors

    task_ids = {i.task_id for i in indicators}
    responsible: dict[int, set[int]] = defaultdict(set)
    for task_id, org_id in Task.responsible_units.through.objects.filter(task_id__in=task_ids).values_list(
        "task_id", "organisation_id"
    ):
        responsible[task_id].add(org_id)
    leads = lead_units_of(task_ids)
    selectors = all_owner_selectors()
    selected: dict[str, set[int]] = {}
    out: dict[int, tuple[set[int], bool]] = {}
    for ind in indicators:
        if ind.owners == OWNERS_RESPONSIBLE:
            out[ind.pk] = (responsible[ind.task_id], False)
        elif ind.owners == OWNERS_LEAD:
            out[ind.pk] = (leads[ind.task_id], True)
        elif ind.owners in selectors:
            if ind.owners not in selected:
                selected[ind.owners] = set(selectors[ind.owners].select(plan.county, start, end))
            out[ind.pk] = (selected[ind.owners], False)
        else:  # "none", or a selector no app registers (any more): scored for nobody
            out[ind.pk] = (set(), False)
    return out


def _typed_url(org_id: int, task_id: int) -> str:
    from django.urls import reverse

    return f"{reverse('workplan:reports')}?organisation={org_id}&task={task_id}"


def assessment(plan: Plan, *, today: date | None = None, organisation_id: int | None = None) -> list[Score]:
    """Yearly score per unit, ranked. Reports and milestones count once due, for the responsible
    units; an indicator counts for the units that own it (`indicator_owners`), which may be units
    outside the task's responsible units (a designated unit's team visits)."""
    today = today or clock.today()
    setting = settings_for(plan.county)
    weights = (setting.weight_timeliness, setting.weight_milestones, setting.weight_indicators)
    start, end = date(plan.year, 1, 1), min(today, date(plan.year + 1, 1, 1))
    through = Task.responsible_units.through
    pairs = through.objects.filter(task__plan=plan)
    if organisation_id:
        pairs = pairs.filter(organisation_id=organisation_id)
    tasks_of: dict[int, set[int]] = defaultdict(set)
    for task_id, org_id in pairs.values_list("task_id", "organisation_id"):
        tasks_of[org_id].add(task_id)
    indicators = list(
        Indicator.objects.filter(task__plan=plan, target__gt=0).order_by("task__position", "pk")
    )
    owners = indicator_owners(plan, indicators, start, end)
    owned: dict[int, list[tuple[Indicator, bool]]] = defaultdict(list)
    for ind in indicators:
        org_ids, county_figure = owners[ind.pk]
        for org_id in sorted(org_ids):
            if not organisation_id or org_id == organisation_id:
                owned[org_id].append((ind, county_figure))
    scored = set(tasks_of) | set(owned)
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
    adjustments: dict[int, list[AssessmentAdjustment]] = defaultdict(list)
    for adj in AssessmentAdjustment.objects.filter(county=plan.county, year=plan.year):
        adjustments[adj.organisation_id].append(adj)
    inspections: dict[int, SelfInspection] = {}
    for item in SelfInspection.objects.filter(county=plan.county, year=plan.year).order_by(
        "created_at", "pk"
    ):
        inspections[item.organisation_id] = item
    orgs = Organisation.objects.in_bulk(list(scored))
    county_figures = {
        f.indicator.pk: f
        for f in indicator_figures(
            [i for i in indicators if owners[i.pk][1]], county=plan.county, start=start, end=end
        )
    }
    scores = []
    for org_id in scored:
        org = orgs[org_id]
        task_ids = tasks_of.get(org_id, set())
        ms = [m for t in task_ids for m in milestones_by_task[t]]
        met = sum(1 for m in ms if m.state == MilestoneStateName.DONE)
        own = [ind for ind, county_figure in owned[org_id] if not county_figure]
        figures = {
            f.indicator.pk: f
            for f in indicator_figures(own, county=plan.county, start=start, end=end, organisation=org)
        }
        items = []
        for ind, county_figure in owned[org_id]:
            figure = county_figures[ind.pk] if county_figure else figures[ind.pk]
            if figure.attainment is None:  # a source not available yet is left out
                continue
            if county_figure:
                source, url = COUNTY_TOTAL, figure.source_url
            elif ind.source == IndicatorSource.MANUAL:
                source, url = TYPED, _typed_url(org_id, ind.task_id)
            else:
                source, url = RECORDS, figure.source_url
            items.append(
                ScoreItem(
                    "indicator", ind.label, figure.attainment, figure=figure, source=source, source_url=url
                )
            )
        attainment = (sum((i.share for i in items), Decimal(0)) / len(items)) if items else None
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
                indicator_items=items,
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
