"""Demo data: the shipped 2020 plan and a living mid-year ledger (today is 2020-07-15 in the demo):
January–June mostly submitted and accepted, some late, some missing, some returned; July drafts.
Reports on a task with a lead unit (牵头单位) went through it: accepted ones were passed on by the
lead first; of those still waiting, some wait for the lead and some (passed on) for the office.
Milestones judged by a rule are left to the records; only the others are ticked by hand.
Idempotent: nothing is written once the county has its 2020 plan."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from bangfu.accounts.models import Role, User
from bangfu.areas.models import Area
from bangfu.audit.services import record_audit
from bangfu.lib import clock
from bangfu.lib.money import CENT
from bangfu.workplan.models import (
    Indicator,
    IndicatorSource,
    IndicatorValue,
    LedgerReport,
    Milestone,
    Plan,
    ReportComment,
    ReportStatus,
    Task,
)
from bangfu.workplan.planfile import SHIPPED_2020
from bangfu.workplan.selectors import due_date
from bangfu.workplan.services import load_plan, previous_month, send_reminders, settings_for

PROGRESS = [
    "召开专题会议研究部署，明确责任人和时间节点，按计划推进{task}。",
    "派出工作组深入联系村开展走访，收集群众诉求并逐项落实，{task}进展顺利。",
    "对照年度方案开展自查，完善工作台账，{task}各项指标按月更新。",
    "加强与牵头单位沟通衔接，协调解决资金和项目问题，{task}有序推进。",
]
PROBLEMS = ["部分村组距离较远，走访频次受天气影响。", "项目资金到位较慢。", ""]
NEXT_STEPS = ["继续按月报送台账，抓好节点任务落实。", "加快项目实施进度，做好资料归档。"]


def _aware(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@transaction.atomic
def seed_demo(county: Area) -> None:
    plan = Plan.objects.filter(county=county, year=2020).first()
    if plan is not None:
        return
    plan = load_plan(actor=None, county=county, data=SHIPPED_2020.read_bytes()).plan
    reports = LedgerReport.objects.filter(task__plan=plan)
    today = clock.today()
    admin = User.objects.filter(role=Role.COUNTY_ADMIN, area__code__startswith=county.prefix).first()
    inspector = User.objects.filter(role=Role.INSPECTOR, area__code__startswith=county.prefix).first()
    reviewer = admin or inspector
    due_day = settings_for(county).due_day
    rng = random.Random(2020)  # noqa: S311 -- reproducible demo data, not secrets
    changed: list[LedgerReport] = []
    comments: list[ReportComment] = []
    # Each unit with demo users leaves one report of last month missing, so its users see a
    # reminder and the office sees them on the list.
    last_month = previous_month(today)
    with_users = set(
        User.objects.filter(organisation__county=county, is_active=True).values_list(
            "organisation_id", flat=True
        )
    )
    leads: dict[int, set[int]] = {}
    for task_id, org_id in Task.lead_units.through.objects.filter(task__plan=plan).values_list(
        "task_id", "organisation_id"
    ):
        leads.setdefault(task_id, set()).add(org_id)
    lead_users = dict(
        User.objects.filter(
            organisation__county=county, is_active=True, role__in=(Role.UNIT_REPORTER, Role.TOWNSHIP_CLERK)
        )
        .order_by("-pk")
        .values_list("organisation_id", "pk")
    )

    def lead_review(report: LedgerReport, submitted: date) -> bool:
        """Mark the report passed on by its lead unit a day after submission; False if it needs none."""
        task_leads = leads.get(report.task_id, set())
        if not task_leads or report.organisation_id in task_leads:
            return False
        by = next((lead_users[o] for o in sorted(task_leads) if o in lead_users), None)
        report.lead_reviewed_at = _aware(min(submitted + timedelta(days=1), today), 11)
        report.lead_reviewed_by_id = by
        return True

    for report in reports.select_related("task", "organisation").order_by(
        "month", "task__position", "organisation__code"
    ):
        due = due_date(report.month, due_day)
        if report.month == last_month and report.organisation_id in with_users:
            with_users.discard(report.organisation_id)
            continue
        text = rng.choice(PROGRESS).format(task=report.task.title)
        if due >= today:
            if report.month <= today and rng.random() < 0.4:  # this month's drafts
                report.progress = text
                changed.append(report)
            continue
        roll = rng.random()
        if roll >= 0.92:  # missing
            continue
        report.progress = text
        report.milestone_status = "按进度安排推进。"
        report.problems = rng.choice(PROBLEMS)
        report.next_steps = rng.choice(NEXT_STEPS)
        late = 0.72 <= roll < 0.82
        submitted = (
            due + timedelta(days=rng.randint(1, 12)) if late else due - timedelta(days=rng.randint(0, 4))
        )
        submitted = min(submitted, today)
        report.first_submitted_on = submitted
        report.submitted_at = _aware(submitted, 10)
        if roll < 0.82:
            lead_review(report, submitted)
            report.status = ReportStatus.ACCEPTED
            report.reviewed_at, report.reviewed_by = (
                _aware(min(submitted + timedelta(days=2), today), 16),
                reviewer,
            )
            report.good_practice = report.month == date(today.year, 6, 1) and rng.random() < 0.05
        elif roll < 0.87:
            # Waiting: for the lead unit, or passed on by it and waiting for the office.
            report.status = ReportStatus.SUBMITTED
            if rng.random() < 0.5 and lead_review(report, submitted):
                report.status = ReportStatus.GATHERED
        else:
            report.status = ReportStatus.RETURNED
            report.return_comment = "内容过于笼统,请补充具体数据和佐证材料。"
            report.reviewed_at, report.reviewed_by = (
                _aware(min(submitted + timedelta(days=2), today), 16),
                reviewer,
            )
            if reviewer is not None:
                comments.append(ReportComment(report=report, author=reviewer, text=report.return_comment))
        changed.append(report)
    # bulk_update skips auto_now: set the change time the completeness cache's stamp reads.
    touched = timezone.now()
    for report in changed:
        report.updated_at = touched
    LedgerReport.objects.bulk_update(
        changed,
        [
            "status",
            "progress",
            "milestone_status",
            "problems",
            "next_steps",
            "first_submitted_on",
            "submitted_at",
            "reviewed_at",
            "reviewed_by",
            "return_comment",
            "lead_reviewed_at",
            "lead_reviewed_by",
            "good_practice",
            "updated_at",
        ],
        batch_size=500,
    )
    ReportComment.objects.bulk_create(comments)
    # Manual indicator figures on accepted reports.
    manual: dict[int, list[Indicator]] = {}
    for ind in Indicator.objects.filter(task__plan=plan, source=IndicatorSource.MANUAL, target__gt=0):
        manual.setdefault(ind.task_id, []).append(ind)
    units = dict(Task.objects.filter(plan=plan).annotate(n=Count("responsible_units")).values_list("pk", "n"))
    values = []
    for report in changed:
        if report.status != ReportStatus.ACCEPTED:
            continue
        for ind in manual.get(report.task_id, []):
            if ind.target:
                share = ind.target / 12 / max(1, units[report.task_id])
                values.append(IndicatorValue(report=report, indicator=ind, value=share.quantize(CENT)))
    IndicatorValue.objects.bulk_create(values, ignore_conflicts=True)
    # Milestones without a rule are ticked by hand: Q1 done (one slipped), Q2 partly done, later
    # quarters open. Those with a rule are never ticked: the records decide (selectors.milestone_states).
    done: list[Milestone] = []
    for m in Milestone.objects.filter(task__plan=plan).order_by("task__position", "quarter", "pk"):
        if m.due_date >= today or m.rule:
            continue
        if m.quarter == 1 and not (m.task.code == "3.2"):
            m.completed_on = m.due_date - timedelta(days=rng.randint(0, 20))
            done.append(m)
        elif m.quarter == 2 and rng.random() < 0.6:
            m.completed_on = min(today, m.due_date + timedelta(days=rng.randint(-15, 10)))
            done.append(m)
    Milestone.objects.bulk_update(done, ["completed_on"])
    record_audit(
        actor=None,
        action="workplan.seed_demo",
        target=plan,
        after={"reports": len(changed), "milestones_completed": len(done)},
        county=county,
    )
    send_reminders(actor=None, county=county)
