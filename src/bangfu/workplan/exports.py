"""Spreadsheets: the ledger workbook (工作台账: 汇总, 报送情况, one sheet per task) and the
assessment."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from xlsxwriter.utility import xl_col_to_name as xl_col

from bangfu.lib import clock
from bangfu.lib.officialdoc import fullwidth
from bangfu.lib.periods import next_month
from bangfu.lib.sheets import MIME, Formula, Workbook
from bangfu.partners.models import Organisation
from bangfu.workplan.models import IndicatorSource, IndicatorValue, LedgerReport, Plan, ReportStatus, Task
from bangfu.workplan.selectors import Completeness, Score, cell_state, completeness, due_date, reporting_rate
from bangfu.workplan.services import settings_for

STATE_ZH = {"on_time": "按时", "late": "逾期", "missing": "未报", "returned": "退回", "pending": "未到期"}
STATE_ORDER = ("on_time", "late", "missing", "returned", "pending")
WAN = Decimal(10000)

# Which task of the plan a project's money is counted under, by the project's kind of assistance:
# the first task of the plan section that the kind names (定点帮扶 3.1, 东西部 3.2, 对口 3.3, 万企 3.4).
PROJECT_SECTION = {"designated": "3.1", "east_west": "3.2", "counterpart": "3.3", "enterprise": "3.4"}


@dataclass
class LedgerRow:
    """One row of the 汇总 sheet: a task and a unit (a responsible unit, or a funder of the
    task's projects)."""

    task: Task
    organisation: Organisation
    villages: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    funds: dict[str, Decimal] = field(default_factory=dict)  # FundSource → yuan
    households: int = 0
    people: int = 0
    report: LedgerReport | None = None

    @property
    def total(self) -> Decimal:
        return sum(self.funds.values(), Decimal("0"))


def _project_funds(plan: Plan, start: date, end: date) -> dict[int, dict[str, Decimal]]:
    """Money received per project and source in [start, end): the ledger's credits and their
    reversals, exactly what `projects.funds_allocated` counts, split by the allocation's source."""
    from bangfu.ledger.models import Entry
    from bangfu.projects.models import Allocation
    from bangfu.projects.selectors import ALLOCATED

    sources = {
        entry_id: source
        for entry_id, source in Allocation.objects.filter(county=plan.county).values_list(
            "entry_id", "source"
        )
    }
    funds: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for entry_id, reverses_id, amount, project_id in Entry.objects.filter(
        ALLOCATED,
        county=plan.county,
        occurred_on__gte=start,
        occurred_on__lt=end,
        account__project__isnull=False,
    ).values_list("pk", "reverses_id", "amount", "account__project__pk"):
        source = sources.get(entry_id) or sources.get(reverses_id) or "partner"
        funds[project_id][source] += amount
    return funds


def ledger_rows(plan: Plan, *, month: date | None = None) -> list[LedgerRow]:
    """The 汇总 rows, in the plan's order: each task's responsible units (with their report for
    `month`, or the latest submitted one of the year) and the funders of its projects; a project's
    money under its first funder only, so that the column sums to the county's figure."""
    from bangfu.partners.models import Pairing
    from bangfu.projects.models import Project

    start = date(plan.year, 1, 1)
    end = next_month(month) if month else date(plan.year + 1, 1, 1)
    tasks = list(plan.tasks.order_by("position").select_related("section").prefetch_related("lead_units"))
    rows: dict[tuple[int, int], LedgerRow] = {}

    def row(task: Task, org: Organisation) -> LedgerRow:
        return rows.setdefault((task.pk, org.pk), LedgerRow(task, org))

    reports = LedgerReport.objects.filter(task__plan=plan, month__lt=end).select_related(
        "organisation", "submitted_by", "reviewed_by"
    )
    if month is not None:
        reports = reports.filter(month=month)
    for r in reports.order_by("task__position", "organisation__admin_level", "organisation__code", "month"):
        entry = row(r.task, r.organisation)
        if entry.report is None or r.first_submitted_on or entry.report.first_submitted_on is None:
            entry.report = r  # the latest month with something submitted wins
    first_task: dict[str, Task] = {}
    for task in tasks:
        section = task.section.code if task.section else task.code
        first_task.setdefault(section, task)
    funds = _project_funds(plan, start, end)
    projects = (
        Project.objects.filter(county=plan.county, year=plan.year)
        .select_related("area")
        .prefetch_related("funders")
        .order_by("code")
    )
    for project in projects:
        project_task = first_task.get(PROJECT_SECTION.get(project.kind, ""))
        funders = sorted(project.funders.all(), key=lambda o: o.code)
        if project_task is None or not funders:
            continue
        entry = row(project_task, funders[0])
        entry.projects.append(project.title)
        entry.villages.append(project.area.name)
        entry.households += project.beneficiary_households
        entry.people += project.beneficiary_people
        for source, value in funds.get(project.pk, {}).items():
            entry.funds[source] = entry.funds.get(source, Decimal("0")) + value
    helped: dict[int, list[str]] = defaultdict(list)
    for org_id, village in (
        Pairing.objects.filter(
            county=plan.county, target_area__level="village", helper_organisation__isnull=False
        )
        .values_list("helper_organisation_id", "target_area__name")
        .order_by("target_area__code")
        .distinct()
    ):
        helped[org_id].append(village)
    order = {t.pk: i for i, t in enumerate(tasks)}
    out = sorted(
        rows.values(),
        key=lambda r: (
            order.get(r.task.pk, 0),
            r.report is None,
            r.organisation.admin_level,
            r.organisation.code,
        ),
    )
    for line in out:
        line.villages = list(dict.fromkeys([*helped.get(line.organisation.pk, []), *line.villages]))
    return out


def _liaison_phones(org_ids: list[int]) -> dict[int, str]:
    from bangfu.partners.models import Contact

    phones: dict[int, str] = {}
    for org_id, phone in (
        Contact.objects.filter(organisation_id__in=org_ids, is_liaison=True, is_active=True)
        .exclude(phone="")
        .order_by("pk")
        .values_list("organisation_id", "phone")
    ):
        phones.setdefault(org_id, phone)
    return phones


def _summary_sheet(book: Workbook, plan: Plan, month: date | None) -> None:
    from bangfu.projects.models import FundSource

    rows = ledger_rows(plan, month=month)
    sources = list(FundSource)
    headings = [
        "序号",
        "任务",
        "牵头单位",
        "责任单位",
        "帮扶村",
        "项目",
        *[f"{s.label}（万元）" for s in sources],
        "资金合计（万元）",
        "受益户（户）",
        "受益人口（人）",
        "进展",
        "存在问题",
        "填报人",
        "联系电话",
        "审核人",
    ]
    period = f"{month.year}年{month.month}月" if month else f"{plan.year}年1—12月"
    sheet = book.sheet("汇总", headings, header_row=2, freeze=(3, 4))
    sheet.merge_range(0, 0, 0, len(headings) - 1, f"{plan.year}年社会扶贫工作台账汇总表", book.title_format)
    sheet.merge_range(
        1, 0, 1, len(headings) - 1, f"统计期间：{period}（资金为到位数，单位：万元）", book.subtitle
    )
    widths = [5, 22, 18, 20, 22, 26, *[11] * len(sources), 12, 9, 9, 40, 30, 10, 14, 10]
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    phones = _liaison_phones([r.organisation.pk for r in rows])
    money_cols = list(range(6, 7 + len(sources)))
    for n, r in enumerate(rows, start=1):
        report = r.report
        values: list[Any] = [
            n,
            f"{r.task.code} {fullwidth(r.task.title)}",
            "、".join(u.name for u in r.task.lead_units.all()) or r.task.lead_units_text,
            r.organisation.name,
            "、".join(r.villages),
            "、".join(r.projects),
            *[r.funds.get(s.value, Decimal("0")) / WAN for s in sources],
            r.total / WAN,
            r.households,
            r.people,
            fullwidth(report.progress) if report else "",
            fullwidth(report.problems) if report else "",
            str(report.submitted_by or "") if report else "",
            phones.get(r.organisation.pk, ""),
            str(report.reviewed_by or "") if report else "",
        ]
        book.row(sheet, n + 2, values, book.wrap, formats={c: book.money for c in money_cols})
    last = len(rows) + 3
    totals: list[Any] = ["合计", "", "", "", "", f"{sum(len(r.projects) for r in rows)}个项目"]
    for col in range(6, 6 + len(sources) + 3):
        letter = xl_col(col)
        totals.append(Formula(f"=SUM({letter}4:{letter}{last})", _sum_of(rows, col - 6, sources)))
    book.row(
        sheet, last, totals, book.total_text, formats={c: book.total for c in range(6, 9 + len(sources))}
    )
    book.print_setup(sheet, title_rows=(0, 2), landscape=True)


def _sum_of(rows: list[LedgerRow], index: int, sources: list[Any]) -> Decimal | int:
    """The cached value of a totals-row formula (what Excel shows before it recalculates)."""
    if index < len(sources):
        return sum((r.funds.get(sources[index].value, Decimal("0")) for r in rows), Decimal("0")) / WAN
    if index == len(sources):
        return sum((r.total for r in rows), Decimal("0")) / WAN
    if index == len(sources) + 1:
        return sum(r.households for r in rows)
    return sum(r.people for r in rows)


def _status_sheet(book: Workbook, plan: Plan, month: date | None) -> None:
    """报送情况: each unit's reports by month (按时 / 逾期 / 未报 / 退回 / 未到期) and its counts."""
    matrix = completeness(plan)
    last_month = month.month if month else 12
    months = matrix.months[:last_month]
    headings = ["序号", "单位", *[f"{m.month}月" for m in months], "应报", "按时", "逾期", "未报", "退回"]
    sheet = book.sheet("报送情况", headings, header_row=1, freeze=(2, 2))
    sheet.merge_range(0, 0, 0, len(headings) - 1, f"{plan.year}年工作台账报送情况", book.title_format)
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, 1, 26)
    sheet.set_column(2, 1 + len(months), 11)
    sheet.set_column(2 + len(months), len(headings) - 1, 7)
    for n, (org, cells) in enumerate(matrix.rows, start=1):
        counts = {s: sum(c.counts.get(s, 0) for c in cells[:last_month]) for s in STATE_ORDER}
        texts = [
            "、".join(f"{STATE_ZH[s]}{c.counts[s]}" for s in STATE_ORDER if c.counts.get(s))
            for c in cells[:last_month]
        ]
        due = sum(counts.values())
        book.row(
            sheet,
            n + 1,
            [
                n,
                org.name,
                *texts,
                due,
                counts["on_time"],
                counts["late"],
                counts["missing"],
                counts["returned"],
            ],
            book.wrap,
            formats={c: book.integer for c in range(2 + len(months), len(headings))},
        )
    book.print_setup(sheet, title_rows=(0, 1), landscape=True)


def _task_sheet(
    book: Workbook,
    plan: Plan,
    task: Task,
    rows: list[LedgerReport],
    manual: list[Any],
    values: dict[tuple[int, int], Decimal],
    today: date,
    due_day: int,
) -> None:
    headings = [
        "序号",
        "单位名称",
        "月份",
        "状态",
        "报送情况",
        "截止日期",
        "首次提交",
        "工作进展",
        "节点完成情况",
    ]
    # A stock (期末数) is the figure at the month's end, a flow what happened in the month.
    headings += [
        f"{i.label}（{'月末数' if i.kind == 'stock' else '本月'}{'，' + i.unit if i.unit else ''}）"
        for i in manual
    ]
    headings += ["存在问题", "下步打算", "退回意见", "填报人", "审核人"]
    sheet = book.sheet(task.code.replace(".", "_"), headings, header_row=1, freeze=(2, 2))
    sheet.merge_range(
        0,
        0,
        0,
        len(headings) - 1,
        f"{plan.year}年 {task.code} {fullwidth(task.title)} 工作台账",
        book.title_format,
    )
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 6, 11)
    sheet.set_column(7, 8, 40)
    sheet.set_column(9, 8 + len(manual), 12)
    sheet.set_column(9 + len(manual), 11 + len(manual), 30)
    sheet.set_column(12 + len(manual), 13 + len(manual), 10)
    number_cols = {9 + i: book.number for i in range(len(manual))}
    for n, r in enumerate(rows, start=1):
        due = due_date(r.month, due_day)
        line: list[Any] = [
            n,
            r.organisation.name,
            f"{r.month.year}年{r.month.month}月",
            ReportStatus(r.status).label,
            STATE_ZH[cell_state(r.status, r.first_submitted_on, due, today)],
            due,
            r.first_submitted_on,
            fullwidth(r.progress),
            fullwidth(r.milestone_status),
        ]
        line += [values.get((r.pk, i.pk)) for i in manual]
        line += [
            fullwidth(r.problems),
            fullwidth(r.next_steps),
            fullwidth(r.return_comment),
            str(r.submitted_by or ""),
            str(r.reviewed_by or ""),
        ]
        book.row(sheet, n + 1, line, book.wrap, formats=number_cols)
    book.print_setup(sheet, title_rows=(0, 1), landscape=True)


def export_ledger(plan: Plan, *, month: date | None = None) -> bytes:
    """The ledger workbook (工作台账): 汇总 (one row per task and unit: villages, projects, funds by
    source in 万元, beneficiaries, progress, problems, who filled and reviewed it, totals), 报送情况
    (each unit by month), and one sheet per task (rows unit × month). Numbers are numbers; every
    sheet prints on A4 landscape, fitted to the width, with its title rows repeated."""
    today = clock.today()
    due_day = settings_for(plan.county).due_day
    reports = LedgerReport.objects.filter(task__plan=plan).select_related(
        "organisation", "reviewed_by", "submitted_by"
    )
    if month is not None:
        reports = reports.filter(month=month)
    reports = reports.order_by("task__position", "organisation__admin_level", "organisation__code", "month")
    tasks = list(plan.tasks.order_by("position").prefetch_related("indicators"))
    manual = {t.pk: [i for i in t.indicators.all() if i.source == IndicatorSource.MANUAL] for t in tasks}
    values: dict[tuple[int, int], Decimal] = {
        (report_id, ind_id): value
        for report_id, ind_id, value in IndicatorValue.objects.filter(report__task__plan=plan).values_list(
            "report_id", "indicator_id", "value"
        )
    }
    by_task: dict[int, list[LedgerReport]] = defaultdict(list)
    for r in reports:
        by_task[r.task_id].append(r)
    book = Workbook()
    _summary_sheet(book, plan, month)
    _status_sheet(book, plan, month)
    for task in tasks:
        _task_sheet(book, plan, task, by_task[task.pk], manual[task.pk], values, today, due_day)
    return book.close()


def assessment_xlsx(plan: Plan, scores: list[Score]) -> bytes:
    book = Workbook()
    headings = [
        "名次",
        "单位",
        "应报月报",
        "按时通过",
        "到期节点",
        "按期完成",
        "指标完成率",
        "基础分",
        "调整分",
        "调整理由",
        "总分",
        "自查情况",
    ]
    sheet = book.sheet("考核", headings, freeze=(1, 2))
    sheet.set_column(1, 1, 24)
    for row, s in enumerate(scores, start=1):
        book.row(
            sheet,
            row,
            [
                s.rank,
                s.organisation.name,
                s.due_reports,
                s.on_time_accepted,
                s.milestones_due,
                s.milestones_met,
                "" if s.indicator_attainment is None else f"{s.indicator_attainment * 100:.1f}%",
                str(s.base),
                str(s.adjustment),
                ";".join(a.reason for a in s.adjustments),
                str(s.total),
                s.self_inspection.note if s.self_inspection else "",
            ],
        )
    # What each score came from (scoring by owner): one row per line of each unit's base score.
    columns = ["单位", "考核项", "目标", "完成值", "来源", "权重", "得分"]
    detail = book.sheet("得分构成", columns, freeze=(1, 1))
    detail.set_column(0, 1, 24)
    row = 0
    for s in scores:
        for item in s.items:
            row += 1
            figure = item.figure
            book.row(
                detail,
                row,
                [
                    s.organisation.name,
                    f"{figure.indicator.task.code} {item.label}" if figure else str(item.label),
                    float(figure.indicator.target) if figure and figure.indicator.target is not None else "",
                    float(figure.value) if figure and figure.value is not None else item.basis,
                    str(item.source_label) if figure else "工作台账",
                    round(float(item.weight), 2),
                    float(item.points),
                ],
            )
    return book.close()


def assessment_response(plan: Plan, scores: list[Score]) -> HttpResponse:
    response = HttpResponse(assessment_xlsx(plan, scores), content_type=MIME)
    response["Content-Disposition"] = f'attachment; filename="assessment-{plan.year}.xlsx"'
    return response


def completeness_xlsx(plan: Plan, matrix: Completeness, today: date) -> bytes:
    """The reporting matrix as on the page (same filters): per unit and month "submitted/due",
    months still to come blank, and the unit's reporting rate."""
    book = Workbook()
    this_month = today.replace(day=1)
    headings = ["序号", "单位", *[f"{m.month}月" for m in matrix.months], "已提交", "已到期", "报送率"]
    sheet = book.sheet("报送情况", headings, header_row=1, freeze=(2, 2))
    sheet.merge_range(
        0,
        0,
        0,
        len(headings) - 1,
        f"{plan.year}年工作台账报送情况（截至{today:%Y-%m-%d}）",
        book.title_format,
    )
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, 1, 26)
    sheet.set_column(2, len(headings) - 1, 8)
    numbers = {c: book.integer for c in range(2 + len(matrix.months), len(headings) - 1)}
    for n, (org, cells) in enumerate(matrix.rows, start=1):
        done, due, rate = reporting_rate(cells)
        texts = [
            "" if c.month > this_month or not c.total else f"{STATE_ZH.get(c.state, '')} {c.done}/{c.total}"
            for c in cells
        ]
        book.row(
            sheet,
            n + 1,
            [n, org.name, *texts, done, due, "" if rate is None else f"{rate}%"],
            book.wrap,
            formats=numbers,
        )
    note = (
        "格内“未报 4/5”：当月应报5份、已提交4份，状态为其中最需关注的一项；"
        "报送率为已到期或已提交的台账中已提交的比例；尚未开始的月份留空。"
    )
    book.row(sheet, len(matrix.rows) + 3, ["", note])
    book.print_setup(sheet, title_rows=(0, 1), landscape=True)
    return book.close()


def completeness_response(plan: Plan, matrix: Completeness, today: date) -> HttpResponse:
    response = HttpResponse(completeness_xlsx(plan, matrix, today), content_type=MIME)
    response["Content-Disposition"] = f'attachment; filename="completeness-{plan.year}.xlsx"'
    return response
