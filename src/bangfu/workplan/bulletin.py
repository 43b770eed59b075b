"""The monthly bulletin (通报) as a Word document. Every figure is read from the database: the
ledger (completeness, milestones, reports) and whatever computed indicators apps have registered."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from bangfu.lib import clock
from bangfu.lib.indicators import IndicatorQuery, all_indicators
from bangfu.partners.models import Organisation
from bangfu.workplan.models import LedgerReport, Milestone, Plan, ReportStatus
from bangfu.workplan.selectors import LATE, MISSING, ON_TIME, PENDING, RETURNED, month_states
from bangfu.workplan.services import settings_for


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _fmt(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass
class BulletinFigures:
    units: int
    due: int
    on_time: int
    late: int
    missing: int
    returned: int
    pending: int
    milestones_due: int
    milestones_done: int
    indicators: list[tuple[str, str, Decimal, Decimal]]  # label, unit, month, year to date


def bulletin_figures(plan: Plan, month: date) -> tuple[BulletinFigures, dict[int, dict[str, int]]]:
    states = month_states(plan, month)
    totals = {
        s: sum(c.get(s, 0) for c in states.values()) for s in (ON_TIME, LATE, MISSING, RETURNED, PENDING)
    }
    end = _next_month(month)
    milestones = Milestone.objects.filter(task__plan=plan, due_date__lt=end)
    indicators = []
    for ind in all_indicators().values():
        month_value = ind.value(IndicatorQuery(county=plan.county, start=month, end=end))
        ytd = ind.value(IndicatorQuery(county=plan.county, start=date(plan.year, 1, 1), end=end))
        indicators.append((str(ind.label), ind.unit, month_value, ytd))
    figures = BulletinFigures(
        units=len(states),
        due=sum(totals.values()),
        on_time=totals[ON_TIME],
        late=totals[LATE],
        missing=totals[MISSING],
        returned=totals[RETURNED],
        pending=totals[PENDING],
        milestones_due=milestones.count(),
        milestones_done=milestones.filter(completed_on__lt=end).count(),
        indicators=indicators,
    )
    return figures, states


def build_bulletin(plan: Plan, month: date) -> bytes:
    figures, states = bulletin_figures(plan, month)
    orgs = Organisation.objects.in_bulk(list(states))
    county = plan.county
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(12)
    title = doc.add_heading(f"{county.name}{month.year}年{month.month}月社会扶贫工作进展情况通报", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("各乡(镇)人民政府,县级各部门(单位):")
    doc.add_paragraph(
        f"为及时掌握{plan.year}年《{plan.title}》推进情况,根据工作台账报送情况,"
        f"现将{month.year}年{month.month}月工作进展通报如下。"
    )

    doc.add_heading("一、总体进展", level=1)
    doc.add_paragraph(
        f"本月共有{figures.units}个责任单位应报送工作台账{figures.due}份,"
        f"其中按时报送{figures.on_time}份,逾期报送{figures.late}份,未报送{figures.missing}份,"
        f"被退回待修改{figures.returned}份,尚未到截止日{figures.pending}份。"
        f"截至本月底应完成进度节点{figures.milestones_due}个,已完成{figures.milestones_done}个。"
    )
    for label, unit, month_value, ytd in figures.indicators:
        doc.add_paragraph(
            f"{label}:本月{_fmt(month_value)}{unit},全年累计{_fmt(ytd)}{unit}。", style="List Bullet"
        )

    doc.add_heading("二、各项任务进展", level=1)
    reports_by_task: dict[int, list[LedgerReport]] = {}
    for r in (
        LedgerReport.objects.filter(
            task__plan=plan,
            month=month,
            status__in=(ReportStatus.SUBMITTED, ReportStatus.RESUBMITTED, ReportStatus.ACCEPTED),
        )
        .select_related("organisation", "task")
        .order_by("organisation__code")
    ):
        reports_by_task.setdefault(r.task_id, []).append(r)
    for task in plan.tasks.order_by("position"):
        doc.add_heading(f"{task.code} {task.title}", level=2)
        rows = reports_by_task.get(task.pk, [])
        if not rows:
            doc.add_paragraph("本月暂无已报送的进展。")
        for r in rows:
            doc.add_paragraph(f"{r.organisation.name}:{r.progress}")

    doc.add_heading("三、经验做法", level=1)
    good = [r for rows in reports_by_task.values() for r in rows if r.good_practice]
    if not good:
        doc.add_paragraph("本月无。")
    for r in good:
        doc.add_paragraph(f"{r.organisation.name}({r.task.code}):{r.progress}")

    doc.add_heading("四、存在问题", level=1)
    named = {
        LATE: "逾期报送的单位",
        MISSING: "未按时报送的单位",
        RETURNED: "报告被退回尚未重新提交的单位",
    }
    any_problem = False
    for state, label in named.items():
        names = sorted(
            (orgs[pk].name for pk, counts in states.items() if counts.get(state)),
        )
        if names:
            any_problem = True
            doc.add_paragraph(f"{label}({len(names)}个):{'、'.join(names)}。")
    if not any_problem:
        doc.add_paragraph("本月各单位均按时报送。")

    doc.add_heading("五、下步要求", level=1)
    nxt = _next_month(month)
    due_day = settings_for(county).due_day
    quarter = (nxt.month - 1) // 3 + 1
    upcoming = Milestone.objects.filter(
        task__plan=plan, quarter=quarter, completed_on__isnull=True
    ).select_related("task")
    doc.add_paragraph(
        f"各责任单位须于{_next_month(nxt).month}月{due_day}日前报送{nxt.month}月工作台账;"
        "逾期、未报单位要认真自查,及时补报。"
    )
    for m in upcoming:
        doc.add_paragraph(
            f"{m.task.code} {m.task.title}:{m.title}(完成时限 {m.due_date:%Y-%m-%d})。", style="List Number"
        )

    doc.add_heading("附件:工作台账报送情况表", level=1)
    table = doc.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["单位", "应报", "按时", "逾期", "未报", "退回"], strict=True):
        cell.text = text
    for pk in sorted(states, key=lambda k: (orgs[k].admin_level, orgs[k].code)):
        counts = states[pk]
        row = table.add_row().cells
        values = [
            orgs[pk].name,
            sum(counts.values()),
            counts.get(ON_TIME, 0),
            counts.get(LATE, 0),
            counts.get(MISSING, 0),
            counts.get(RETURNED, 0),
        ]
        for cell, value in zip(row, values, strict=True):
            cell.text = str(value)
    doc.add_paragraph(f"{county.name}脱贫攻坚领导小组办公室")
    doc.add_paragraph(f"{clock.today():%Y年%m月%d日}")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
