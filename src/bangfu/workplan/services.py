"""Every write of the work plan: loading the plan, ledger reports and their state flow, settings,
milestones, reminders and assessment inputs. Keyword-only, atomic, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role, User
from bangfu.accounts.scopes import require_actor_in
from bangfu.areas.models import Area, Level
from bangfu.audit.services import diff, record_audit
from bangfu.lib import clock
from bangfu.lib.periods import month_starts, previous_month
from bangfu.partners.models import Organisation
from bangfu.workplan import permissions
from bangfu.workplan.models import (
    AWAITING_LEAD,
    AWAITING_REVIEW,
    REPORT_TRANSITIONS,
    AssessmentAdjustment,
    Indicator,
    IndicatorSource,
    IndicatorValue,
    LedgerReport,
    Milestone,
    Notification,
    Plan,
    ReportAttachment,
    ReportComment,
    ReportStatus,
    Section,
    SelfInspection,
    Task,
    WorkplanSettings,
)
from bangfu.workplan.planfile import MilestoneSpec, PlanSpec, fullwidth, read_plan


def settings_for(county: Area) -> WorkplanSettings:
    """The county's settings (defaults until the admin saves some; reading never writes)."""
    found = WorkplanSettings.objects.filter(county=county).first()
    return found if found is not None else WorkplanSettings(county=county)


# --- plan -----------------------------------------------------------------------------------------
@dataclass
class LoadResult:
    plan: Plan
    tasks_created: int
    tasks_updated: int
    slots_created: int


@transaction.atomic
def load_plan(*, actor: User | None, county: Area, data: bytes) -> LoadResult:
    """Create or update the county's plan from YAML bytes. Idempotent by task code; raises
    PlanFileError (every problem with its YAML path) and then writes nothing."""
    require_actor_in(actor, county, Role.COUNTY_ADMIN)
    if county.level != Level.COUNTY:
        raise ValidationError({"county": _("所属县必须是县级区划。")})
    organisations = list(Organisation.objects.filter(county=county, is_active=True).select_related("area"))
    spec = read_plan(data, organisations=organisations, county_prefix=county.prefix)
    return _apply_plan(actor=actor, county=county, spec=spec)


def _apply_plan(*, actor: User | None, county: Area, spec: PlanSpec) -> LoadResult:
    plan, _created = Plan.objects.get_or_create(county=county, year=spec.year, defaults={"title": spec.title})
    plan.title, plan.goals, plan.scope = spec.title, spec.goals, spec.scope
    plan.save()
    sections = {s.code: s for s in Section.objects.filter(plan=plan)}
    tasks = {t.code: t for t in Task.objects.filter(plan=plan)}
    created = updated = 0
    position = 0
    for s_pos, s_spec in enumerate(spec.sections):
        section = sections.get(s_spec.code) or Section(plan=plan, code=s_spec.code)
        section.kind, section.title, section.text, section.position = (
            s_spec.kind,
            s_spec.title,
            s_spec.text,
            s_pos,
        )
        section.save()
        for t_spec in s_spec.tasks:
            position += 1
            task = tasks.get(t_spec.code)
            if task is None:
                task = Task(plan=plan, code=t_spec.code)
                created += 1
            else:
                updated += 1
            task.section = section
            task.title, task.description, task.schedule_text = (
                t_spec.title,
                t_spec.description,
                t_spec.schedule,
            )
            task.lead_units_text = t_spec.lead_units_text
            task.responsible_units_text = t_spec.responsible_units_text
            task.position = position
            task.save()
            tasks[task.code] = task
            task.lead_units.set(t_spec.lead_unit_ids)
            task.responsible_units.set(t_spec.responsible_unit_ids)
            _apply_milestones(task, t_spec.milestones)
            indicators = {i.key: i for i in task.indicators.all()}
            for i_spec in t_spec.indicators:
                ind = indicators.get(i_spec.key) or Indicator(task=task, key=i_spec.key)
                ind.label, ind.unit, ind.target = i_spec.label, i_spec.unit, i_spec.target
                ind.source = IndicatorSource.COMPUTED if i_spec.computed_name else IndicatorSource.MANUAL
                ind.computed_name = i_spec.computed_name
                ind.declared_kind = i_spec.kind
                ind.owners = i_spec.owners
                ind.save()
    slots = open_slots(plan=plan)
    record_audit(
        actor=actor,
        action="workplan.load_plan",
        target=plan,
        after={"tasks_created": created, "tasks_updated": updated, "slots_created": slots},
        county=county,
    )
    return LoadResult(plan, created, updated, slots)


def _apply_milestones(task: Task, specs: list[MilestoneSpec]) -> None:
    """Create the plan's milestones, match existing ones by (quarter, title) and update their due
    date and rule. A milestone loaded earlier under a cut or half-width title (the file before
    its fix: "积极对接", "(2-5人)") is the same milestone: it is renamed, keeping its completion."""
    existing = list(task.milestones.all())
    by_key = {(m.quarter, m.title): m for m in existing}
    new: list[Milestone] = []
    for spec in specs:
        found = by_key.get((spec.quarter, spec.title))
        if found is None:
            found = next(
                (
                    m
                    for m in existing
                    if m.quarter == spec.quarter
                    and (m.quarter, m.title) not in {(s.quarter, s.title) for s in specs}
                    and (fullwidth(m.title) == spec.title or spec.title.startswith(fullwidth(m.title)))
                ),
                None,
            )
        if found is None:
            new.append(
                Milestone(
                    task=task, quarter=spec.quarter, title=spec.title, due_date=spec.due_date, rule=spec.rule
                )
            )
            continue
        if (found.title, found.due_date, found.rule) != (spec.title, spec.due_date, spec.rule):
            found.title, found.due_date, found.rule = spec.title, spec.due_date, spec.rule
            found.save(update_fields=["title", "due_date", "rule"])
        by_key[(spec.quarter, spec.title)] = found
    Milestone.objects.bulk_create(new)


def open_slots(*, plan: Plan) -> int:
    """Make sure a ledger slot exists for every (task, responsible unit, month); set-based."""
    through = Task.responsible_units.through
    pairs = list(
        through.objects.filter(task__plan=plan)
        .order_by("task__position", "organisation__code")
        .values_list("task_id", "organisation_id")
    )
    existing = set(
        LedgerReport.objects.filter(task__plan=plan).values_list("task_id", "organisation_id", "month")
    )
    new = [
        LedgerReport(county_id=plan.county_id, task_id=t, organisation_id=o, month=m)
        for t, o in pairs
        for m in month_starts(plan.year)
        if (t, o, m) not in existing
    ]
    LedgerReport.objects.bulk_create(new, batch_size=1000)
    return len(new)


@transaction.atomic
def update_task(
    *,
    actor: User,
    task: Task,
    title: str,
    description: str,
    schedule_text: str,
    lead_units: list[Organisation],
    responsible_units: list[Organisation],
) -> Task:
    require_actor_in(actor, task.plan.county, Role.COUNTY_ADMIN)
    county_id = task.plan.county_id
    if any(o.county_id != county_id for o in [*lead_units, *responsible_units]):
        raise ValidationError({"responsible_units": _("单位不属于本县。")})
    if not title.strip():
        raise ValidationError({"title": _("必填。")})
    before = {
        "title": task.title,
        "description": task.description,
        "schedule_text": task.schedule_text,
        "lead_units": sorted(o.code for o in task.lead_units.all()),
        "responsible_units": sorted(o.code for o in task.responsible_units.all()),
    }
    task.title, task.description, task.schedule_text = title.strip(), description, schedule_text
    task.save(update_fields=["title", "description", "schedule_text"])
    task.lead_units.set(lead_units)
    task.responsible_units.set(responsible_units)
    after = {
        "title": task.title,
        "description": task.description,
        "schedule_text": task.schedule_text,
        "lead_units": sorted(o.code for o in lead_units),
        "responsible_units": sorted(o.code for o in responsible_units),
    }
    b, a = diff(before, after)
    record_audit(
        actor=actor, action="workplan.update_task", target=task, before=b, after=a, county=task.plan.county
    )
    open_slots(plan=task.plan)
    return task


@transaction.atomic
def set_milestone_completed(
    *, actor: User, milestone: Milestone, completed_on: date | None, reason: str = ""
) -> Milestone:
    """Complete (or reopen) a milestone by hand. A milestone judged by a rule is normally left to
    its evidence; completing it by hand needs a written reason and shows as "manual"."""
    require_actor_in(actor, milestone.task.plan.county, Role.COUNTY_ADMIN)
    if completed_on is not None and completed_on > clock.today():
        raise ValidationError({"completed_on": _("完成日期不能晚于今天。")})
    reason = reason.strip()
    if milestone.rule and completed_on is not None and not reason:
        raise ValidationError({"reason": _("该节点由系统依据业务记录判定；手工确认完成须写明理由。")})
    before = {
        "completed_on": str(milestone.completed_on) if milestone.completed_on else None,
        "manual_reason": milestone.manual_reason,
    }
    milestone.completed_on = completed_on
    milestone.manual_reason = reason if completed_on is not None else ""
    milestone.save(update_fields=["completed_on", "manual_reason"])
    record_audit(
        actor=actor,
        action="workplan.set_milestone_completed",
        target=milestone,
        county=milestone.task.plan.county,
        before=before,
        after={
            "completed_on": str(completed_on) if completed_on else None,
            "manual_reason": milestone.manual_reason,
        },
    )
    return milestone


@transaction.atomic
def update_settings(
    *,
    actor: User,
    county: Area,
    due_day: int,
    weight_timeliness: int,
    weight_milestones: int,
    weight_indicators: int,
    email_reminders: bool,
) -> WorkplanSettings:
    require_actor_in(actor, county, Role.COUNTY_ADMIN)
    if not 1 <= due_day <= 28:
        raise ValidationError({"due_day": _("截止日应为 1 至 28。")})
    if weight_timeliness + weight_milestones + weight_indicators != 100:
        raise ValidationError({"weight_timeliness": _("三项权重之和应为 100。")})
    obj = WorkplanSettings.objects.filter(county=county).first() or WorkplanSettings(county=county)
    before = {
        "due_day": obj.due_day,
        "weights": [obj.weight_timeliness, obj.weight_milestones, obj.weight_indicators],
        "email_reminders": obj.email_reminders,
    }
    obj.due_day = due_day
    obj.weight_timeliness, obj.weight_milestones, obj.weight_indicators = (
        weight_timeliness,
        weight_milestones,
        weight_indicators,
    )
    obj.email_reminders = email_reminders
    obj.full_clean()
    obj.save()
    after = {
        "due_day": due_day,
        "weights": [weight_timeliness, weight_milestones, weight_indicators],
        "email_reminders": email_reminders,
    }
    b, a = diff(before, after)
    record_audit(
        actor=actor,
        action="workplan.update_settings",
        target=obj,
        before=b,
        after=a,
        county=county,
    )
    return obj


# --- ledger reports -------------------------------------------------------------------------------
def asks_for_figures(report: LedgerReport) -> bool:
    """The report's task has typed (manual) indicators: figures no module records. Without any,
    the unit only confirms its month (progress text optional)."""
    return Indicator.objects.filter(task_id=report.task_id, source=IndicatorSource.MANUAL).exists()


def _lock_report(report: LedgerReport) -> None:
    """Lock the report's row and re-read it: its status is judged as it is now, not as the caller
    loaded it (two reviewers clicking at once)."""
    list(LedgerReport.objects.select_for_update().filter(pk=report.pk).values_list("pk", flat=True))
    report.refresh_from_db()


def _transition(report: LedgerReport, target: str) -> None:
    if target not in REPORT_TRANSITIONS[report.status]:
        raise ValidationError(
            {
                "status": _("当前状态「%(current)s」不能变为「%(target)s」。")
                % {"current": ReportStatus(report.status).label, "target": ReportStatus(target).label}
            }
        )
    report.status = target


def _move(
    *,
    actor: User,
    report: LedgerReport,
    target: str,
    stamp: str,
    action: str,
    fields: dict[str, Any] | None = None,
    comment: str = "",
    reason: str = "",
) -> LedgerReport:
    """One step of a report's state flow, on a row the caller has locked and judged: move it to
    `target`, stamp `<stamp>_at` / `<stamp>_by` with now and the actor, set `fields`, save, add
    `comment` to the thread if any, and audit the status change as `action`."""
    fields = fields or {}
    before = report.status
    _transition(report, target)
    setattr(report, f"{stamp}_at", clock.now())
    setattr(report, f"{stamp}_by", actor)
    for name, value in fields.items():
        setattr(report, name, value)
    report.save(update_fields=["status", *fields, f"{stamp}_at", f"{stamp}_by", "updated_at"])
    if comment:
        ReportComment.objects.create(report=report, author=actor, text=comment)
    record_audit(
        actor=actor,
        action=action,
        target=report,
        county=report.county,
        before={"status": before},
        after={"status": report.status},
        reason=reason,
    )
    return report


def _report_snapshot(report: LedgerReport) -> dict[str, Any]:
    return {
        "status": report.status,
        "progress": report.progress,
        "milestone_status": report.milestone_status,
        "problems": report.problems,
        "next_steps": report.next_steps,
    }


def _typed_number(value: Any, label: str) -> Decimal:
    """A typed indicator value as a Decimal: a Decimal or int as it is, text parsed exactly; a
    float (binary, inexact) or anything else is refused."""
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except ArithmeticError:
            number = Decimal("NaN")
    else:
        number = Decimal("NaN")
    if not number.is_finite():
        raise ValidationError({"values": _("「%(label)s」必须是数字。") % {"label": label}})
    return number


@transaction.atomic
def save_report(
    *,
    actor: User,
    report: LedgerReport,
    progress: str,
    milestone_status: str = "",
    problems: str = "",
    next_steps: str = "",
    values: dict[int, Decimal | None] | None = None,
) -> LedgerReport:
    """The unit fills its report (draft or returned). Manual indicator values by indicator id."""
    permissions.check_edit_report(actor, report)
    before = _report_snapshot(report)
    report.progress, report.milestone_status = progress.strip(), milestone_status.strip()
    report.problems, report.next_steps = problems.strip(), next_steps.strip()
    report.save(update_fields=["progress", "milestone_status", "problems", "next_steps", "updated_at"])
    if values:
        manual = {
            i.pk: i
            for i in Indicator.objects.filter(
                task_id=report.task_id, source=IndicatorSource.MANUAL, pk__in=list(values)
            )
        }
        for ind_id, value in values.items():
            if ind_id not in manual:
                raise ValidationError({"values": _("指标不属于该任务或不可手工填报。")})
            if value is None:
                continue
            value = _typed_number(value, manual[ind_id].label)
            if value < 0:
                raise ValidationError(
                    {"values": _("「%(label)s」不能为负数。") % {"label": manual[ind_id].label}}
                )
            IndicatorValue.objects.update_or_create(
                report=report, indicator_id=ind_id, defaults={"value": value}
            )
    b, a = diff(before, _report_snapshot(report))
    record_audit(
        actor=actor,
        action="workplan.save_report",
        target=report,
        before=b,
        after=a,
        county=report.county,
    )
    return report


ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".zip")
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


@transaction.atomic
def add_attachment(*, actor: User, report: LedgerReport, upload: UploadedFile) -> ReportAttachment:
    permissions.check_edit_report(actor, report)
    name = Path(upload.name or "").name
    if Path(name).suffix.lower() not in ATTACHMENT_EXTENSIONS:
        raise ValidationError(
            {
                "file": _("附件「%(name)s」类型不支持，允许：%(types)s。")
                % {"name": name, "types": " ".join(ATTACHMENT_EXTENSIONS)}
            }
        )
    if (upload.size or 0) > ATTACHMENT_MAX_BYTES:
        raise ValidationError({"file": _("附件「%(name)s」超过 10 MB。") % {"name": name}})
    item = ReportAttachment(report=report, name=name[:200], size=upload.size or 0, uploaded_by=actor)
    item.file.save(name, upload, save=False)
    item.save()
    record_audit(
        actor=actor,
        action="workplan.add_attachment",
        target=report,
        after={"attachment": name},
        county=report.county,
    )
    return item


@transaction.atomic
def submit_report(*, actor: User, report: LedgerReport) -> LedgerReport:
    permissions.check_submit_report(actor, report)
    _lock_report(report)
    permissions.check_submit_report(actor, report)  # judged again on the locked row
    if not report.progress.strip() and asks_for_figures(report):
        # Where every figure is derived from records, the unit only confirms (progress optional).
        raise ValidationError({"progress": _("请填写工作进展后再提交。")})
    target = ReportStatus.RESUBMITTED if report.status == ReportStatus.RETURNED else ReportStatus.SUBMITTED
    return _move(
        actor=actor,
        report=report,
        target=target,
        stamp="submitted",
        action="workplan.submit_report",
        fields={"first_submitted_on": report.first_submitted_on or clock.today()},
    )


# --- review: the office accepts or returns, the lead unit (牵头单位) gathers first (workplan.permissions) --
@transaction.atomic
def accept_report(*, actor: User, report: LedgerReport) -> LedgerReport:
    require_actor_in(actor, report.county, Role.COUNTY_ADMIN)
    _lock_report(report)
    permissions.check_accept_report(actor, report)
    return _move(
        actor=actor,
        report=report,
        target=ReportStatus.ACCEPTED,
        stamp="reviewed",
        action="workplan.accept_report",
    )


@transaction.atomic
def return_report(*, actor: User, report: LedgerReport, comment: str) -> LedgerReport:
    require_actor_in(actor, report.county, Role.COUNTY_ADMIN, Role.INSPECTOR)
    _lock_report(report)
    permissions.check_return_report(actor, report)
    if not comment.strip():
        raise ValidationError({"comment": _("退回时必须填写意见。")})
    return _move(
        actor=actor,
        report=report,
        target=ReportStatus.RETURNED,
        stamp="reviewed",
        action="workplan.return_report",
        fields={"return_comment": comment.strip()},
        comment=comment.strip(),
        reason=comment.strip(),
    )


def _require_lead(actor: User, report: LedgerReport) -> None:
    """Scope first (a unit role in the report's county), then lock and judge the report as it is
    now (`permissions.check_lead_review`)."""
    require_actor_in(actor, report.county, Role.UNIT_REPORTER, Role.TOWNSHIP_CLERK)
    _lock_report(report)
    permissions.check_lead_review(actor, report)


@transaction.atomic
def lead_pass_report(*, actor: User, report: LedgerReport, note: str = "") -> LedgerReport:
    """The lead unit (牵头单位) has gathered and reviewed a responsible unit's report and passes it
    on to the office, which accepts it next."""
    _require_lead(actor, report)
    return _move(
        actor=actor,
        report=report,
        target=ReportStatus.GATHERED,
        stamp="lead_reviewed",
        action="workplan.lead_pass_report",
        fields={"lead_note": note.strip()},
        comment=note.strip(),
    )


@transaction.atomic
def lead_pass_reports(*, actor: User, reports: list[LedgerReport]) -> int:
    """The lead unit passes several of its responsible units' reports on at once (the gather
    page); refuses the lot, changing nothing, if any is not waiting for this lead's review."""
    require_actor_in(actor, None, Role.UNIT_REPORTER, Role.TOWNSHIP_CLERK)
    for county in {r.county for r in reports}:
        require_actor_in(actor, county, Role.UNIT_REPORTER, Role.TOWNSHIP_CLERK)
    ids = [r.pk for r in reports]
    locked = list(LedgerReport.objects.select_for_update().filter(pk__in=ids))
    leads = permissions.lead_units_of(r.task_id for r in locked)
    if any(actor.organisation_id not in leads[r.task_id] for r in locked):
        raise PermissionDenied
    bad = [r for r in locked if not permissions.can_lead_review(actor, r, leads[r.task_id])]
    if bad or not locked:
        raise ValidationError(
            {"reports": _("%(n)s 份报告不在待牵头单位审核状态，未做任何更改。") % {"n": len(bad)}}
        )
    # update() skips auto_now: updated_at is the real change time (the ledger stamp reads it).
    count = LedgerReport.objects.filter(pk__in=ids, status__in=AWAITING_LEAD).update(
        status=ReportStatus.GATHERED,
        lead_reviewed_at=clock.now(),
        lead_reviewed_by=actor,
        lead_note="",
        updated_at=timezone.now(),
    )
    record_audit(
        actor=actor,
        action="workplan.lead_pass_reports",
        county=locked[0].county,
        target_type="workplan.ledgerreport",
        target_id=",".join(str(i) for i in ids)[:200],
        after={"gathered": count},
    )
    return count


@transaction.atomic
def lead_return_report(*, actor: User, report: LedgerReport, comment: str) -> LedgerReport:
    """The lead unit returns a responsible unit's report for correction, with its reason; the unit
    fixes and resubmits it, and it comes back to the lead."""
    _require_lead(actor, report)
    if not comment.strip():
        raise ValidationError({"comment": _("退回时必须填写意见。")})
    return _move(
        actor=actor,
        report=report,
        target=ReportStatus.RETURNED,
        stamp="lead_reviewed",
        action="workplan.lead_return_report",
        fields={"return_comment": comment.strip()},
        comment=comment.strip(),
        reason=comment.strip(),
    )


@transaction.atomic
def bulk_accept_reports(*, actor: User, reports: list[LedgerReport]) -> int:
    """Accept every report submitted to the office; refuse the lot if any cannot be accepted
    (not awaiting review, or still waiting for its lead unit)."""
    require_actor_in(actor, None, Role.COUNTY_ADMIN)
    for county in {r.county for r in reports}:
        require_actor_in(actor, county, Role.COUNTY_ADMIN)
    # Lock the rows, then judge their current status.
    ids = [r.pk for r in reports]
    reports = list(LedgerReport.objects.select_for_update().filter(pk__in=ids))
    bad = [r for r in reports if r.status not in AWAITING_REVIEW]
    if bad:
        raise ValidationError({"reports": _("%(n)s 份报告不在待审核状态，未做任何更改。") % {"n": len(bad)}})
    leads = permissions.lead_units_of(r.task_id for r in reports)
    waiting = [r for r in reports if not permissions.can_accept_report(actor, r, leads[r.task_id])]
    if waiting:
        raise ValidationError(
            {"reports": _("%(n)s 份报告尚待牵头单位审核，未做任何更改。") % {"n": len(waiting)}}
        )
    # update() skips auto_now; updated_at is the real change time (the completeness cache's stamp
    # reads it), not the office's date, which a demo or test may have moved.
    count = LedgerReport.objects.filter(pk__in=ids, status__in=AWAITING_REVIEW).update(
        status=ReportStatus.ACCEPTED, reviewed_at=clock.now(), reviewed_by=actor, updated_at=timezone.now()
    )
    record_audit(
        actor=actor,
        action="workplan.bulk_accept_reports",
        county=reports[0].county if reports else None,
        target_type="workplan.ledgerreport",
        target_id=",".join(str(i) for i in ids)[:200],
        after={"accepted": count},
    )
    return count


@transaction.atomic
def comment_report(*, actor: User, report: LedgerReport, text: str) -> ReportComment:
    require_actor_in(actor, report.county, Role.COUNTY_ADMIN, Role.INSPECTOR)
    permissions.check_comment_report(actor, report)
    if not text.strip():
        raise ValidationError({"text": _("意见不能为空。")})
    comment = ReportComment.objects.create(report=report, author=actor, text=text.strip())
    record_audit(
        actor=actor,
        action="workplan.comment_report",
        target=report,
        after={"comment": comment.pk},
        county=report.county,
    )
    return comment


@transaction.atomic
def flag_good_practice(*, actor: User, report: LedgerReport, flag: bool) -> LedgerReport:
    require_actor_in(actor, report.county, Role.COUNTY_ADMIN)
    permissions.check_flag_report(actor, report, flag)
    before = report.good_practice
    report.good_practice = flag
    report.save(update_fields=["good_practice", "updated_at"])
    record_audit(
        actor=actor,
        action="workplan.flag_good_practice",
        target=report,
        county=report.county,
        before={"good_practice": before},
        after={"good_practice": flag},
    )
    return report


# --- reminders ------------------------------------------------------------------------------------
@transaction.atomic
def send_reminders(*, actor: User | None, county: Area, on: date | None = None) -> int:
    """In-app notifications for every report of last month not yet submitted, to every active
    user of the responsible unit. Each (user, report) is notified once, however often this runs."""
    require_actor_in(actor, county, Role.COUNTY_ADMIN)
    on = on or clock.today()
    month = previous_month(on)
    setting = settings_for(county)
    due = date(on.year, on.month, setting.due_day)
    missing = list(
        LedgerReport.objects.filter(
            county=county, month=month, status__in=(ReportStatus.DRAFT, ReportStatus.RETURNED)
        ).select_related("task")
    )
    by_org: dict[int, list[LedgerReport]] = {}
    for report in missing:
        by_org.setdefault(report.organisation_id, []).append(report)
    users = User.objects.filter(organisation_id__in=list(by_org), is_active=True).exclude(role=Role.SUPPORTER)
    notes = []
    for user in users:
        for report in by_org[user.organisation_id or 0]:
            text = _("请于 %(due)s 前提交 %(month)s「%(task)s」工作台账。") % {
                "due": due.isoformat(),
                "month": f"{month:%Y-%m}",
                "task": f"{report.task.code} {report.task.title}",
            }
            notes.append(
                Notification(
                    county=county,
                    user=user,
                    key=f"reminder:{report.pk}:{report.status}",
                    text=text[:300],
                    url=f"/workplan/reports/{report.pk}/",
                )
            )
    notes += _attention_notes(county, on)
    existing = set(
        Notification.objects.filter(
            user_id__in={n.user.pk for n in notes}, key__in=[n.key for n in notes]
        ).values_list("user_id", "key")
    )
    new = [n for n in notes if (n.user.pk, n.key) not in existing]
    Notification.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    sent = len(new)
    if setting.email_reminders and new:
        mails = [(str(_("工作台账提醒")), n.text, None, [n.user.email]) for n in new if n.user.email]
        transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True))
    if sent:
        record_audit(
            actor=actor,
            action="workplan.send_reminders",
            target_type="workplan.notification",
            after={"month": f"{month:%Y-%m}", "sent": sent},
            county=county,
        )
    return sent


def _attention_notes(county: Area, on: date) -> list[Notification]:
    """Reminders read the attention list (`bangfu.lib.attention`): every user who can act on a
    problem hears of it once (the key is the problem's kind, title and start). Late ledger reports
    are reminded per report above, so that source is left out here; "to know" items too."""
    import hashlib

    from bangfu.lib.attention import Severity, can_act, items_for_county

    items = [
        i
        for i in items_for_county(county, on)
        if i.kind != "workplan.reports_open" and i.severity != Severity.INFO
    ]
    if not items:
        return []
    addressed = {i.user_id for i in items if i.user_id is not None}
    users = list(
        User.objects.filter(is_active=True)
        .filter(Q(area__code__startswith=county.prefix) | Q(pk__in=addressed))
        .select_related("area")
    )
    notes = []
    for item in items:
        digest = hashlib.sha256(f"{item.kind}|{item.title}|{item.since}".encode()).hexdigest()[:40]
        for user in users:
            if can_act(user, item):
                notes.append(
                    Notification(
                        county=county,
                        user=user,
                        key=f"attention:{digest}",
                        text=str(item.title)[:300],
                        url=item.url[:200],
                    )
                )
    return notes


@transaction.atomic
def mark_notifications_read(*, actor: User) -> int:
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=clock.now())


# --- assessment -----------------------------------------------------------------------------------
@transaction.atomic
def add_adjustment(
    *, actor: User, county: Area, year: int, organisation: Organisation, points: Decimal, reason: str
) -> AssessmentAdjustment:
    require_actor_in(actor, county, Role.COUNTY_ADMIN)
    if not reason.strip():
        raise ValidationError({"reason": _("调整分数必须写明理由。")})
    if organisation.county_id != county.pk:
        raise ValidationError({"organisation": _("单位不属于本县。")})
    if abs(points) > 100:
        raise ValidationError({"points": _("调整分值应在 -100 至 100 之间。")})
    adj = AssessmentAdjustment.objects.create(
        county=county,
        year=year,
        organisation=organisation,
        points=points,
        reason=reason.strip(),
        created_by=actor,
    )
    record_audit(
        actor=actor,
        action="workplan.add_adjustment",
        target=adj,
        after={"points": str(points)},
        reason=reason.strip(),
        county=county,
    )
    return adj


@transaction.atomic
def save_self_inspection(*, actor: User, year: int, note: str) -> SelfInspection:
    require_actor_in(actor, None, Role.UNIT_REPORTER, Role.TOWNSHIP_CLERK)
    if actor.organisation is None:
        raise PermissionDenied
    plan = Plan.objects.filter(county=actor.organisation.county, year=year).first()
    if plan is None:
        raise PermissionDenied
    permissions.check_self_inspection(actor, plan)
    if not note.strip():
        raise ValidationError({"note": _("自查情况不能为空。")})
    org = actor.organisation
    item = SelfInspection.objects.create(
        county=org.county, year=year, organisation=org, note=note.strip(), created_by=actor
    )
    record_audit(actor=actor, action="workplan.save_self_inspection", target=item, county=item.county)
    return item
