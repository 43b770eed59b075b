"""The monthly bulletin (通报) as an official document (GB/T 9704, `bangfu.lib.officialdoc`).

Every figure is read from the records: the ledger (who reported, milestones), the computed
indicators apps publish (`bangfu.lib.indicators`), the milestone rules (`bangfu.lib.milestones`)
and the attention list (`bangfu.lib.attention`) for 存在问题. This module owns the document's
form and the order and shape of its prose: overall progress with the key figures → progress by
task → 存在问题 → 下步工作要求 → 落款 → the per-unit annex. Zero figures are left out; stocks
read "截至X月底", flows "本月 … 1—X月累计 …"; money in 万元 with two decimals.
"""

from __future__ import annotations

from collections.abc import Iterable
from copy import copy
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Sum

from bangfu.lib import clock
from bangfu.lib.indicators import Indicator, IndicatorQuery, all_indicators
from bangfu.lib.money import ZERO
from bangfu.lib.officialdoc import (
    Annex,
    Heading,
    OfficialDocument,
    Paragraph,
    Table,
    cn_date,
    cn_numeral,
    count,
    fullwidth,
    wan,
)
from bangfu.lib.periods import next_month, quarter_of
from bangfu.partners.models import Organisation
from bangfu.workplan.models import (
    IndicatorSource,
    IndicatorValue,
    LedgerReport,
    Milestone,
    Plan,
    ReportStatus,
    Task,
)
from bangfu.workplan.selectors import LATE, MISSING, ON_TIME, PENDING, RETURNED, month_states
from bangfu.workplan.services import settings_for

if TYPE_CHECKING:
    from bangfu.accounts.models import User
    from bangfu.documents.models import DocumentNumber

STOCK, FLOW = "stock", "flow"
SUBMITTED = (ReportStatus.SUBMITTED, ReportStatus.RESUBMITTED, ReportStatus.GATHERED, ReportStatus.ACCEPTED)
EXAMPLES_PER_TASK = 2  # units whose progress text a task's paragraph quotes

# The key figures of the overall progress, sentence by sentence, by indicator name. A sentence
# whose figures are all zero (or not published by any app) is left out.
FUND_KINDS = (
    ("east_west", "东西部扶贫协作"),
    ("counterpart", "省内对口帮扶"),
    ("designated", "定点帮扶"),
    ("enterprise", "万企帮万村"),
)


def quote(text: str) -> str:
    """“text”, its own double quotes turned single (“…‘…’…”), full-width punctuation."""
    return "“" + fullwidth(text).replace("“", "‘").replace("”", "’") + "”"


def names(orgs: list[Organisation], *, most: int = 3) -> str:
    """ "A、B、C" or "A、B、C等7个单位"."""
    listed = "、".join(o.name for o in orgs[:most])
    return f"{listed}等{len(orgs)}个单位" if len(orgs) > most else listed


def subject(month: date) -> str:
    """The bulletin's key in the document-number register."""
    return f"workplan.bulletin:{month:%Y-%m}"


# --- figures ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    name: str
    label: str
    unit: str
    kind: str  # stock | flow
    month: Decimal  # this month (a flow) or at the month's end (a stock)
    ytd: Decimal  # 1 January to the month's end (a flow); equal to `month` for a stock

    def is_zero(self) -> bool:
        return self.month == 0 and self.ytd == 0


def indicator_kind(ind: Indicator, month_value: Decimal, ytd_value: Decimal, before: Decimal) -> str:
    """An indicator's declared kind (`Indicator.kind`, published by the work-plan registry), or,
    for one that declares none, what its figures say: a figure that does not grow from the month
    before to the month's end over the year is a level (a stock), not a sum of events."""
    declared = getattr(ind, "kind", None)
    if declared in (STOCK, FLOW):
        return str(declared)
    return STOCK if month_value == ytd_value == before and ytd_value != 0 else FLOW


def figures(plan: Plan, month: date) -> dict[str, Figure]:
    """Every published indicator for the county: this month, year to date, stock or flow."""
    county = plan.county
    end = next_month(month)
    start_of_year = date(plan.year, 1, 1)
    out: dict[str, Figure] = {}
    for name, ind in all_indicators().items():
        month_value = ind.value(IndicatorQuery(county=county, start=month, end=end))
        ytd = ind.value(IndicatorQuery(county=county, start=start_of_year, end=end))
        before = (
            ind.value(IndicatorQuery(county=county, start=start_of_year, end=month))
            if month.month > 1
            else ytd
        )
        kind = indicator_kind(ind, month_value, ytd, before)
        if kind == STOCK:
            month_value = ytd
        out[name] = Figure(name, str(ind.label), ind.unit, kind, month_value, ytd)
    return out


def amount(value: Decimal, unit: str) -> str:
    """A figure with its unit: yuan as 万元 with two decimals, counts without trailing zeros."""
    if unit == "元":
        return f"{wan(value)}万元"
    return f"{count(value)}{unit}"


def phrase(fig: Figure, month: date, *, label: str | None = None) -> str:
    """ "截至6月底{label}{v}" for a stock; "{label}本月{v}，1—6月累计{v}" for a flow (本月 left out
    when nothing happened this month)."""
    label = label if label is not None else fig.label
    if fig.kind == STOCK:
        return f"截至{month.month}月底{label}{amount(fig.ytd, fig.unit)}"
    if month.month == 1:
        return f"{label}{amount(fig.ytd, fig.unit)}"
    if fig.month == 0:
        return f"{label}1—{month.month}月累计{amount(fig.ytd, fig.unit)}"
    return f"{label}本月{amount(fig.month, fig.unit)}，1—{month.month}月累计{amount(fig.ytd, fig.unit)}"


def _listed(*figures: tuple[Decimal, str]) -> str:
    """ "开工3个、完工1个": each (value, template) that is not zero, joined."""
    return "、".join(template.format(count(value)) for value, template in figures if value)


def _get(figs: dict[str, Figure], name: str) -> Figure | None:
    fig = figs.get(name)
    return None if fig is None or fig.is_zero() else fig


def overall_sentences(figs: dict[str, Figure], month: date) -> list[tuple[str, str]]:
    """(lead, sentence) pairs of the overall progress: funds by source, projects, training and
    labour, students aided, donations, the registry's stocks."""
    m = month.month
    out: list[tuple[str, str]] = []
    allocated = _get(figs, "projects.funds_allocated")
    if allocated:
        parts = [
            f"{label}{wan(f.ytd)}万元"
            for kind, label in FUND_KINDS
            if (f := _get(figs, f"projects.funds_allocated.{kind}"))
        ]
        text = f"1—{m}月累计到位帮扶项目资金{wan(allocated.ytd)}万元"
        if allocated.month:
            text += f"（其中本月{wan(allocated.month)}万元）"
        if parts:
            text += "，按来源分：" + "、".join(parts)
        paid = _get(figs, "projects.funds_paid")
        if paid:
            text += f"；已拨付{wan(paid.ytd)}万元"
        out.append(("资金投入方面，", text + "。"))
    pairing_funds = [
        f"{label}{wan(f.ytd)}万元"
        for kind, label in FUND_KINDS
        if (f := _get(figs, f"partners.{kind}_funds"))
    ]
    if pairing_funds:
        listed = "、".join(pairing_funds)
        out.append(("", f"结对帮扶各方1—{m}月投入帮扶资金（含捐物折价和引进资金）：{listed}。"))
    started, completed = _get(figs, "projects.projects_started"), _get(figs, "projects.projects_completed")
    if started or completed:
        done = _listed(
            (started.ytd if started else ZERO, "开工{}个"), (completed.ytd if completed else ZERO, "完工{}个")
        )
        out.append(("项目建设方面，", f"1—{m}月帮扶项目{done}。"))
    trained = sum(
        (f.ytd for kind, _ in FUND_KINDS if (f := _get(figs, f"partners.{kind}_people_trained"))), ZERO
    )
    labour = sum(
        (f.ytd for kind, _ in FUND_KINDS if (f := _get(figs, f"partners.{kind}_labour_transferred"))), ZERO
    )
    if trained or labour:
        done = _listed((trained, "培训{}人次"), (labour, "转移就业{}人"))
        out.append(("人才和劳务方面，", f"1—{m}月协作各方{done}。"))
    students = _get(figs, "subsidies.yulu_students_paid")
    if students:
        text = f"1—{m}月雨露计划资助学生{count(students.ytd)}人"
        paid_amount = _get(figs, "subsidies.yulu_amount_paid")
        if paid_amount:
            text += f"，发放补助{wan(paid_amount.ytd)}万元"
        out.append(("教育扶贫方面，", text + "。"))
    donations = _get(figs, "charity.donations_raised")
    if donations:
        out.append(("社会动员方面，", f"1—{m}月接收扶贫日捐赠（含物资折价）{wan(donations.ytd)}万元。"))
    stocks = [
        phrase(f, month, label=label).replace(f"截至{m}月底", "")
        for name, label in (
            ("registry.households", "建档立卡户"),
            ("registry.people", "建档立卡人口"),
            ("registry.exited_households", "已脱贫户"),
            ("registry.monitored_households", "监测户"),
        )
        if (f := _get(figs, name))
    ]
    if stocks:
        out.append(("", f"截至{m}月底，全县{'、'.join(stocks)}。"))
    from bangfu.monitoring.indicators import bulletin_sentences  # the monitoring paragraph (#20)

    return out + bulletin_sentences(figs, month)


# --- milestones ------------------------------------------------------------------------------------
STATE_WORDS = {
    "done": "已完成",
    "done_late": "已完成（逾期）",
    "open": "正在推进",
    "at_risk": "临近时限尚未完成",
    "overdue": "逾期未完成",
}


def milestone_state(milestone: Milestone, today: date) -> tuple[str, str]:
    """(state, evidence) of a milestone as of `today` (`selectors.state_of`: its rule's evidence, or
    the date it was completed by hand); a completion dated after `today` had not happened yet."""
    from bangfu.workplan.selectors import state_of

    if milestone.completed_on is not None and milestone.completed_on > today:
        milestone = copy(milestone)
        milestone.completed_on = None
    state = state_of(milestone, milestone.task.plan.county, today)
    evidence = fullwidth(str(state.evidence.text)) if state.evidence is not None else ""
    return state.state, evidence


# --- content ---------------------------------------------------------------------------------------
@dataclass
class TaskProgress:
    task: Task
    milestones: list[tuple[Milestone, str, str]]  # (milestone, state, evidence)
    figures: list[str]
    reports: list[LedgerReport]
    good: list[LedgerReport] = field(default_factory=list)
    waiting: list[Organisation] = field(default_factory=list)  # slots this month not yet reported


def _manual_values(plan: Plan, month: date) -> dict[int, tuple[Decimal, Decimal]]:
    """Typed indicator values by indicator: (this month, year to date), summed over units."""
    end = next_month(month)
    rows = IndicatorValue.objects.filter(
        report__task__plan=plan, report__month__lt=end, report__status__in=SUBMITTED
    )
    ytd = dict(rows.values_list("indicator").annotate(s=Sum("value")).values_list("indicator", "s"))
    this = dict(
        rows.filter(report__month=month)
        .values_list("indicator")
        .annotate(s=Sum("value"))
        .values_list("indicator", "s")
    )
    return {pk: (this.get(pk) or ZERO, total or ZERO) for pk, total in ytd.items()}


def task_progress(plan: Plan, month: date, figs: dict[str, Figure], today: date) -> list[TaskProgress]:
    end = next_month(month)
    quarter = quarter_of(month)
    reports: dict[int, list[LedgerReport]] = {}
    waiting: dict[int, list[Organisation]] = {}
    for r in (
        LedgerReport.objects.filter(task__plan=plan, month=month)
        .select_related("organisation")
        .order_by("organisation__admin_level", "organisation__code")
    ):
        if r.status in SUBMITTED:
            reports.setdefault(r.task_id, []).append(r)
        else:
            waiting.setdefault(r.task_id, []).append(r.organisation)
    manual = _manual_values(plan, month)
    tasks = list(plan.tasks.order_by("position").prefetch_related("indicators", "milestones"))
    out = []
    for task in tasks:
        milestones = [
            (m, *milestone_state(m, today))
            for m in sorted(task.milestones.all(), key=lambda m: m.due_date)
            if m.quarter == quarter or (m.due_date < end and m.completed_on is None)
        ]
        task_figs = []
        for ind in task.indicators.all():
            if ind.source == IndicatorSource.COMPUTED:
                fig = figs.get(ind.computed_name)
                if fig is None or fig.is_zero():
                    continue
                task_figs.append(phrase(fig, month, label=ind.label))
            else:
                this, ytd = manual.get(ind.pk, (ZERO, ZERO))
                if this == 0 and ytd == 0:
                    continue
                fig = Figure(ind.key, ind.label, ind.unit, FLOW, this, ytd)
                task_figs.append(phrase(fig, month))
        rows = reports.get(task.pk, [])
        out.append(
            TaskProgress(
                task,
                milestones,
                task_figs,
                rows,
                [r for r in rows if r.good_practice and r.progress],
                waiting.get(task.pk, []),
            )
        )
    return out


def problems(
    plan: Plan, month: date, states: dict[int, dict[str, int]], orgs: dict[int, Organisation], today: date
) -> list[str]:
    """存在问题, naming units and facts: the attention list's items for the bulletin (every app's
    open problems), the units late, missing or returned this month, and overdue milestones when
    no attention source reports them yet."""
    from bangfu.lib.attention import items_for_county

    out: list[str] = []
    # The problems open when the bulletin is written, but no later than the end of the month
    # after the one reported on (a May bulletin written in August does not name August's).
    as_of = min(today, next_month(next_month(month)) - timedelta(days=1))
    items = [i for i in items_for_county(plan.county, as_of) if i.in_bulletin]
    # Units that missed the same quarter's visit read as one sentence: "甲、乙二季度未派出工作组".
    missed: dict[tuple[Any, Any], list[str]] = {}
    for item in items:
        if item.kind == "partners.visits_missed":
            key = (item.extra.get("year"), item.extra.get("quarter"))
            missed.setdefault(key, []).append(str(item.title))
            if len(missed[key]) > 1:
                continue
        out.append(fullwidth(str(item.title)).rstrip("。；"))
    for (_year, quarter), titles in missed.items():
        if len(titles) > 1:
            suffix = f"{cn_numeral(quarter)}季度未派出工作组"
            joined = "、".join(t.removesuffix(suffix) for t in titles) + suffix
            out[out.index(fullwidth(titles[0]).rstrip("。；"))] = fullwidth(joined)
    named = (
        (MISSING, "未报送{m}月工作台账"),
        (LATE, "逾期报送{m}月工作台账"),
        (RETURNED, "{m}月工作台账被退回后尚未重新报送"),
    )
    for state, fact in named:
        names = sorted(
            (orgs[pk] for pk, counts in states.items() if counts.get(state)),
            key=lambda o: (o.admin_level, o.code),
        )
        if names:
            listed = "、".join(o.name for o in names)
            out.append(
                f"{listed}等{len(names)}个单位{fact.format(m=month.month)}"
                if len(names) > 3
                else f"{listed}{fact.format(m=month.month)}"
            )
    if not any(i.kind.startswith("workplan.") for i in items):
        end = next_month(month)
        for m in (
            Milestone.objects.filter(task__plan=plan, due_date__lt=end)
            .select_related("task", "task__plan__county")
            .order_by("due_date", "task__position")
        ):
            state, evidence = milestone_state(m, today)
            if state == "overdue":
                units = "、".join(u.name for u in m.task.lead_units.all()) or m.task.lead_units_text
                text = (
                    f"{units}牵头的{quote(m.task.title)}{cn_numeral(m.quarter)}季度节点{quote(m.title)}"
                    f"已过完成时限（{cn_date(m.due_date)}）尚未完成"
                )
                if evidence:
                    text += f"（{evidence}）"
                out.append(text)
    return out


def _enumerate(items: Iterable[str]) -> str:
    """一是……；二是……。"""
    parts = [f"{cn_numeral(i)}是{t.rstrip('。；')}" for i, t in enumerate(items, start=1)]
    return "；".join(parts) + "。" if parts else ""


def bulletin_document(
    plan: Plan, month: date, *, number: DocumentNumber | None = None, signed_on: date | None = None
) -> OfficialDocument:
    """The June bulletin as data: header from the office profile, the number from the register
    (or left blank in a draft), the body from the records."""
    from bangfu.documents.selectors import draft_label, profile_for

    today = clock.today()
    signed_on = signed_on or (number.issued_on if number else today)
    county = plan.county
    profile = profile_for(county)
    m = month.month
    states = month_states(plan, month)
    orgs = Organisation.objects.in_bulk(list(states))
    totals = {
        s: sum(c.get(s, 0) for c in states.values()) for s in (ON_TIME, LATE, MISSING, RETURNED, PENDING)
    }
    due = sum(totals.values())
    figs = figures(plan, month)

    body: list[Any] = [
        Paragraph(
            f"为及时掌握{plan.year}年《{fullwidth(plan.title)}》推进情况，根据各单位工作台账报送情况和系统记录，"
            f"现将{month.year}年{m}月全县社会扶贫工作进展情况通报如下。"
        ),
        Heading("总体进展"),
    ]
    reporting = f"{m}月，{len(states)}个责任单位应报送工作台账{due}份"
    got = [
        f"{label}{totals[s]}份"
        for s, label in (
            (ON_TIME, "按时报送"),
            (LATE, "逾期报送"),
            (MISSING, "未报送"),
            (RETURNED, "被退回待修改"),
            (PENDING, "尚未到报送期限"),
        )
        if totals[s]
    ]
    if got:
        reporting += "，其中" + "、".join(got)
    end = next_month(month)
    milestones_due = Milestone.objects.filter(task__plan=plan, due_date__lt=end)
    month_end = end - timedelta(days=1)
    done = sum(
        1
        for ms in milestones_due.select_related("task__plan__county")
        if milestone_state(ms, month_end)[0].startswith("done")
    )
    if milestones_due:
        reporting += f"；截至{m}月底应完成进度节点{milestones_due.count()}个，已完成{done}个"
    body.append(Paragraph(reporting + "（各单位情况见附件）。"))
    for lead, sentence in overall_sentences(figs, month):
        body.append(Paragraph(sentence, lead=lead))

    body.append(Heading("各项任务进展"))
    for progress in task_progress(plan, month, figs, today):
        task = progress.task
        body.append(Heading(fullwidth(task.title), level=2))
        sentences = []
        for ms, state, evidence in progress.milestones:
            text = f"{cn_numeral(ms.quarter)}季度节点{quote(ms.title)}{STATE_WORDS[state]}"
            if evidence:
                text += f"（{evidence}）"
            sentences.append(text)
        if progress.figures:
            sentences.append("；".join(progress.figures))
        if progress.reports or progress.waiting:
            bits = []
            if progress.reports:
                bits.append(f"{m}月{len(progress.reports)}个责任单位报送了进展")
            if progress.waiting:
                bits.append(f"{names(progress.waiting)}尚未报送")
            sentences.append("，".join(bits))
        # A few units' own words: good practice first, then the first in the plan's order.
        told = sorted(progress.reports, key=lambda r: not r.good_practice)[:EXAMPLES_PER_TASK]
        told = [r for r in told if r.progress.strip()]
        if told:
            sentences.append(
                "其中，"
                + "；".join(
                    f"{r.organisation.name}{fullwidth(r.progress.strip()).rstrip('。；')}" for r in told
                )
            )
        text = "。".join(s for s in sentences if s)
        body.append(Paragraph((text + "。") if text else f"{m}月暂无报送的进展。"))
        if progress.good:
            body.append(
                Paragraph(
                    f"{'、'.join(r.organisation.name for r in progress.good)}的做法值得各单位学习借鉴。",
                    lead="经验做法：",
                )
            )

    body.append(Heading("存在问题"))
    found = problems(plan, month, states, orgs, today)
    body.append(
        Paragraph(_enumerate(found) if found else f"{m}月各单位均按时报送工作台账，进度节点均按期推进。")
    )

    body.append(Heading("下步工作要求"))
    nxt = next_month(month)
    due_day = settings_for(county).due_day
    after = next_month(nxt)
    next_due = date(after.year, after.month, due_day)
    requirements = [
        f"各责任单位须于{next_due.month}月{due_day}日前报送{nxt.month}月工作台账，逾期、未报单位要认真自查，及时补报",
    ]
    quarter = quarter_of(nxt)
    upcoming = (
        Milestone.objects.filter(
            task__plan=plan, quarter=quarter, completed_on__isnull=True, due_date__gte=nxt
        )
        .select_related("task")
        .order_by("due_date", "task__position")
    )
    for ms in upcoming:
        units = "、".join(u.name for u in ms.task.lead_units.all()) or ms.task.lead_units_text
        requirements.append(f"{units}牵头，{cn_date(ms.due_date)}前完成{quote(ms.title)}")
    body.append(Paragraph(_enumerate(requirements)))

    table_rows: list[list[Any]] = []
    for pk in sorted(states, key=lambda k: (orgs[k].admin_level, orgs[k].code)):
        c = states[pk]
        table_rows.append(
            [
                len(table_rows) + 1,
                orgs[pk].name,
                sum(c.values()),
                c.get(ON_TIME, 0),
                c.get(LATE, 0),
                c.get(MISSING, 0),
                c.get(RETURNED, 0),
            ]
        )
    annex = Annex(
        f"{month.year}年{m}月工作台账报送情况表",
        [
            Table(
                columns=["序号", "单位", "应报", "按时", "逾期", "未报", "退回"],
                rows=table_rows,
                widths=[1.1, 5.2, 1, 1, 1, 1, 1],
                numeric=[2, 3, 4, 5, 6],
                centred=[0],
                total=["合计", "", due, totals[ON_TIME], totals[LATE], totals[MISSING], totals[RETURNED]],
            )
        ],
    )
    issue = profile.numbering == "issue"
    label = number.label if number else draft_label(profile, month.year)
    return OfficialDocument(
        title=f"关于{month.year}年{m}月全县社会扶贫工作进展情况的通报",
        body=body,
        issuer=profile.office_name,
        signed_on=signed_on,
        mark=(profile.series_title if issue else profile.mark),
        number=label,
        issue_line=issue,
        recipients=f"{profile.recipients}：",
        annexes=[annex],
        copy_to=profile.copy_to,
        printer=profile.printer or profile.office_name,
        printed_on=signed_on,
    )


def build_bulletin(
    plan: Plan, month: date, *, fmt: str = "docx", number: DocumentNumber | None = None
) -> bytes:
    """The bulletin file (Word or PDF), numbered when `number` is given (else a draft)."""
    from bangfu.documents.selectors import fonts_for, number_of, profile_for
    from bangfu.lib.officialdoc import render_docx, render_pdf

    number = number or number_of(plan.county, subject(month))
    doc = bulletin_document(plan, month, number=number)
    fonts = fonts_for(profile_for(plan.county))
    return render_pdf(doc, fonts) if fmt == "pdf" else render_docx(doc, fonts)


def issue_bulletin(
    *, actor: User | None, plan: Plan, month: date, number: int | None = None
) -> DocumentNumber:
    """Give the month's bulletin its 发文字号 (or 期号): the next of the year, or `number`."""
    from bangfu.documents.services import number_document

    return number_document(
        actor=actor,
        county=plan.county,
        subject=subject(month),
        title=f"关于{month.year}年{month.month}月全县社会扶贫工作进展情况的通报",
        issued_on=clock.today(),
        number=number,
    )
