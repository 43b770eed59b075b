"""Spreadsheets: the classic ledger (one sheet per task, rows unit × month) and the assessment."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.http import HttpResponse

from bangfu.lib import clock
from bangfu.lib.sheets import MIME, Workbook
from bangfu.workplan.models import IndicatorSource, IndicatorValue, LedgerReport, Plan, ReportStatus
from bangfu.workplan.selectors import Score, cell_state, due_date
from bangfu.workplan.services import settings_for

STATE_ZH = {"on_time": "按时", "late": "逾期", "missing": "未报", "returned": "退回", "pending": "未到期"}


def export_ledger(plan: Plan, *, month: date | None = None) -> bytes:
    """The ledger workbook: one sheet per task, one row per (unit, month), Chinese headings,
    frozen header. Reads everything in three queries."""
    today = clock.today()
    due_day = settings_for(plan.county).due_day
    reports = LedgerReport.objects.filter(task__plan=plan).select_related("organisation", "reviewed_by")
    if month is not None:
        reports = reports.filter(month=month)
    reports = reports.order_by("task__position", "organisation__admin_level", "organisation__code", "month")
    tasks = list(plan.tasks.order_by("position").prefetch_related("indicators"))
    manual = {t.pk: [i for i in t.indicators.all() if i.source == IndicatorSource.MANUAL] for t in tasks}
    values: dict[tuple[int, int], str] = {}
    for report_id, ind_id, value in IndicatorValue.objects.filter(report__task__plan=plan).values_list(
        "report_id", "indicator_id", "value"
    ):
        values[(report_id, ind_id)] = str(value.normalize())
    by_task: dict[int, list[LedgerReport]] = defaultdict(list)
    for r in reports:
        by_task[r.task_id].append(r)
    book = Workbook()
    for task in tasks:
        headings = [
            "单位名称",
            "月份",
            "状态",
            "报送情况",
            "截止日期",
            "首次提交",
            "工作进展",
            "节点完成情况",
        ]
        headings += [f"{i.label}({i.unit})" if i.unit else i.label for i in manual[task.pk]]
        headings += ["存在问题", "下步打算", "退回意见", "审核人"]
        sheet = book.sheet(task.code.replace(".", "_"), headings, header_row=1, freeze=(2, 1))
        sheet.write(0, 0, f"{plan.year}年 {task.code} {task.title} 工作台账", book.head)
        sheet.set_column(0, 0, 24)
        sheet.set_column(6, 7, 40)
        for row, r in enumerate(by_task[task.pk], start=2):
            due = due_date(r.month, due_day)
            line = [
                r.organisation.name,
                f"{r.month:%Y-%m}",
                ReportStatus(r.status).label,
                STATE_ZH[cell_state(r.status, r.first_submitted_on, due, today)],
                due.isoformat(),
                r.first_submitted_on.isoformat() if r.first_submitted_on else "",
                r.progress,
                r.milestone_status,
            ]
            line += [values.get((r.pk, i.pk), "") for i in manual[task.pk]]
            line += [r.problems, r.next_steps, r.return_comment, str(r.reviewed_by or "")]
            book.row(sheet, row, [str(x) for x in line], book.wrap)
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
    return book.close()


def assessment_response(plan: Plan, scores: list[Score]) -> HttpResponse:
    response = HttpResponse(assessment_xlsx(plan, scores), content_type=MIME)
    response["Content-Disposition"] = f'attachment; filename="assessment-{plan.year}.xlsx"'
    return response
