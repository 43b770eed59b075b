"""The plan as data (plan → sections → tasks → milestones, indicators) and the monthly ledger.

A ledger slot exists for every (task, responsible unit, month) of the plan year; its lateness is
derived from the county's due day, never typed (see `selectors.cell_state`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkplanSettings(models.Model):
    """Per-county settings, edited by the county admin (data, not env vars)."""

    county = models.OneToOneField(
        "areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="workplan_settings"
    )
    due_day = models.PositiveSmallIntegerField(_("次月截止日"), default=5)
    weight_timeliness = models.PositiveSmallIntegerField(_("及时率权重"), default=40)
    weight_milestones = models.PositiveSmallIntegerField(_("节点完成权重"), default=30)
    weight_indicators = models.PositiveSmallIntegerField(_("指标完成权重"), default=30)
    email_reminders = models.BooleanField(_("同时发送邮件提醒"), default=False)

    class Meta:
        verbose_name = _("工作台账设置")
        verbose_name_plural = _("工作台账设置")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_day__gte=1, due_day__lte=28), name="wp_settings_due_day_1_28"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county} settings"


class Plan(models.Model):
    county = models.ForeignKey("areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("方案名称"), max_length=200)
    goals = models.TextField(_("目标任务"), blank=True)
    scope = models.TextField(_("实施范围及主体"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["county", "-year"]
        verbose_name = _("工作方案")
        verbose_name_plural = _("工作方案")
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="wp_plan_one_per_county_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class SectionKind(models.TextChoices):
    KEY_WORK = "key_work", _("重点工作")
    SAFEGUARD = "safeguard", _("保障措施")


class Section(models.Model):
    plan = models.ForeignKey(Plan, verbose_name=_("方案"), on_delete=models.PROTECT, related_name="sections")
    kind = models.CharField(_("类别"), max_length=12, choices=SectionKind.choices)
    code = models.CharField(_("编号"), max_length=12)
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("内容"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "position"]
        verbose_name = _("方案章节")
        verbose_name_plural = _("方案章节")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="wp_section_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Task(models.Model):
    plan = models.ForeignKey(Plan, verbose_name=_("方案"), on_delete=models.PROTECT, related_name="tasks")
    section = models.ForeignKey(
        Section, verbose_name=_("章节"), on_delete=models.PROTECT, related_name="tasks"
    )
    code = models.CharField(_("任务编号"), max_length=12)
    title = models.CharField(_("任务"), max_length=200)
    description = models.TextField(_("工作内容"), blank=True)
    # The plan's own wording, kept verbatim beside the resolved organisations.
    lead_units_text = models.CharField(_("牵头单位（原文）"), max_length=300, blank=True)
    responsible_units_text = models.CharField(_("责任单位（原文）"), max_length=300, blank=True)
    schedule_text = models.TextField(_("进度安排（原文）"), blank=True)
    lead_units = models.ManyToManyField(
        "partners.Organisation", verbose_name=_("牵头单位"), related_name="led_tasks", blank=True
    )
    responsible_units = models.ManyToManyField(
        "partners.Organisation", verbose_name=_("责任单位"), related_name="responsible_tasks", blank=True
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "position"]
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="wp_task_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Milestone(models.Model):
    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.PROTECT, related_name="milestones"
    )
    quarter = models.PositiveSmallIntegerField(_("季度"))
    title = models.CharField(_("进度节点"), max_length=300)
    due_date = models.DateField(_("完成时限"))
    # The @milestone_rule (bangfu.lib.milestones) that judges the milestone from the records;
    # empty: completed by hand. Stored even if no app registers it (any more): then "open".
    rule = models.CharField(_("判定规则"), max_length=80, blank=True)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    # Why a rule-backed milestone was completed by hand (required then; shown as "manual").
    manual_reason = models.TextField(_("手工确认理由"), blank=True)

    class Meta:
        ordering = ["task", "quarter", "pk"]
        verbose_name = _("进度节点")
        verbose_name_plural = _("进度节点")
        constraints = [
            models.UniqueConstraint(fields=["task", "quarter", "title"], name="wp_milestone_unique"),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="wp_milestone_quarter_1_4"
            ),
        ]
        indexes = [
            # Overdue milestones: due before today and not completed.
            models.Index(fields=["due_date", "completed_on"], name="wp_milestone_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task.code} Q{self.quarter} {self.title}"


class IndicatorSource(models.TextChoices):
    MANUAL = "manual", _("手工填报")
    COMPUTED = "computed", _("系统计算")


class Indicator(models.Model):
    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.PROTECT, related_name="indicators"
    )
    key = models.CharField(_("指标标识"), max_length=60)
    label = models.CharField(_("指标"), max_length=120)
    unit = models.CharField(_("计量单位"), max_length=12, blank=True)
    target = models.DecimalField(_("目标值"), max_digits=14, decimal_places=2, null=True, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=IndicatorSource.choices)
    # Name in bangfu.lib.indicators; stored even while no app has registered it yet.
    computed_name = models.CharField(_("计算来源"), max_length=80, blank=True)
    # A typed figure's kind (stock: 期末数; flow: summed over months); a computed one takes the
    # kind its source declares (bangfu.lib.indicators). Read through `kind`.
    declared_kind = models.CharField(_("指标类型"), max_length=8, blank=True)
    # Which units the indicator is scored for in the assessment (docs/workplan.md "Scoring by
    # owner"): "" = the task's responsible units, each on its own figure; "lead" = the task's lead
    # units, on the county's figure; "none" = nobody; "<app>.<owners>" = the units an app's
    # owner selector names (bangfu.lib.indicators.owner_selector), each on its own figure.
    owners = models.CharField(_("考核对象"), max_length=80, blank=True)

    class Meta:
        ordering = ["task", "pk"]
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        constraints = [
            models.UniqueConstraint(fields=["task", "key"], name="wp_indicator_unique_key"),
            models.CheckConstraint(
                condition=models.Q(source="manual", computed_name="")
                | (models.Q(source="computed") & ~models.Q(computed_name="")),
                name="wp_indicator_computed_has_name",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def kind(self) -> str:
        """ "stock" (期末数: read at the period's end, never summed) or "flow" (本月 / 全年累计)."""
        if self.source == IndicatorSource.COMPUTED:
            from bangfu.lib.indicators import all_indicators

            source = all_indicators().get(self.computed_name)
            if source is not None:
                return source.kind
        return self.declared_kind or "flow"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    # Passed on by the task's lead unit (牵头单位) after gathering; the office accepts it next.
    GATHERED = "gathered", _("牵头单位已审核")
    ACCEPTED = "accepted", _("已通过")
    RETURNED = "returned", _("已退回")
    RESUBMITTED = "resubmitted", _("已重新提交")


# A report of a responsible unit on a task with a lead unit (not itself a lead) goes
# submitted → gathered (the lead passes it on) → accepted; any other report submitted → accepted.
# Which applies is `permissions.needs_lead_review`; the predicates `can_*` decide each step.
REPORT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ReportStatus.DRAFT: (ReportStatus.SUBMITTED,),
    ReportStatus.SUBMITTED: (ReportStatus.GATHERED, ReportStatus.ACCEPTED, ReportStatus.RETURNED),
    ReportStatus.RETURNED: (ReportStatus.RESUBMITTED,),
    ReportStatus.RESUBMITTED: (ReportStatus.GATHERED, ReportStatus.ACCEPTED, ReportStatus.RETURNED),
    ReportStatus.GATHERED: (ReportStatus.ACCEPTED, ReportStatus.RETURNED),
    ReportStatus.ACCEPTED: (),
}
EDITABLE_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED)
# Submitted and not yet accepted or returned: with the lead unit or with the office.
AWAITING_REVIEW = (ReportStatus.SUBMITTED, ReportStatus.RESUBMITTED, ReportStatus.GATHERED)
# Waiting for a lead unit's review (when the report needs one).
AWAITING_LEAD = (ReportStatus.SUBMITTED, ReportStatus.RESUBMITTED)


class LedgerReport(models.Model):
    """One ledger slot: a responsible unit's report on one task for one month."""

    county = models.ForeignKey("areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.PROTECT, related_name="reports")
    organisation = models.ForeignKey(
        "partners.Organisation", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("月份"))  # first day of the month reported on
    status = models.CharField(
        _("状态"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    progress = models.TextField(_("工作进展"), blank=True)
    milestone_status = models.TextField(_("节点完成情况"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下步打算"), blank=True)
    first_submitted_on = models.DateField(_("首次提交日期"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_comment = models.TextField(_("退回意见"), blank=True)
    # The lead unit's review (牵头单位汇总审核): who passed it on to the office, when, with a note.
    lead_reviewed_at = models.DateTimeField(_("牵头单位审核时间"), null=True, blank=True)
    lead_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lead_note = models.TextField(_("牵头单位审核意见"), blank=True)
    good_practice = models.BooleanField(_("经验做法"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["month", "task", "organisation"]
        verbose_name = _("台账报告")
        verbose_name_plural = _("台账报告")
        constraints = [
            models.UniqueConstraint(fields=["task", "organisation", "month"], name="wp_report_one_slot"),
            models.CheckConstraint(
                condition=~models.Q(status="returned") | ~models.Q(return_comment=""),
                name="wp_report_returned_has_comment",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(first_submitted_on__isnull=False),
                name="wp_report_submitted_has_date",
            ),
        ]
        indexes = [
            # Completeness matrix and reminders: every slot of a county in a month range.
            models.Index(fields=["county", "month"], name="wp_report_county_month_idx"),
            # A unit's own report list.
            models.Index(fields=["organisation", "month"], name="wp_report_org_month_idx"),
            # The completeness matrix's cache stamp (selectors.ledger_stamp), read on every view of
            # the page from this index alone: scanning the rows means reading every report's text.
            models.Index(
                fields=["county", "task", "status", "first_submitted_on", "updated_at"],
                name="wp_report_stamp_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task.code} {self.organisation} {self.month:%Y-%m}"


class IndicatorValue(models.Model):
    """A manual indicator figure typed into a report (computed ones are never stored)."""

    report = models.ForeignKey(LedgerReport, on_delete=models.PROTECT, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["report", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="wp_value_one_per_report"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value}"


class ReportComment(models.Model):
    report = models.ForeignKey(LedgerReport, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("意见"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("督导意见")
        verbose_name_plural = _("督导意见")

    def __str__(self) -> str:
        return self.text[:40]


class Notification(models.Model):
    """An in-app notification. `key` makes a reminder go out once per user."""

    county = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="workplan_notifications"
    )
    key = models.CharField(max_length=120)
    text = models.CharField(_("内容"), max_length=300)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="wp_notification_once"),
        ]
        indexes = [
            # A user's unread notifications.
            models.Index(fields=["user", "read_at"], name="wp_notification_user_idx"),
        ]

    def __str__(self) -> str:
        return self.text


class AssessmentAdjustment(models.Model):
    """A county-admin adjustment of a unit's yearly score, with its written reason (append-only)."""

    county = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("加减分"), max_digits=6, decimal_places=2)
    reason = models.TextField(_("理由"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="wp_adjustment_has_reason"),
        ]
        indexes = [
            # Assessment of one county and year.
            models.Index(fields=["county", "year"], name="wp_adjustment_year_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.points}"


class SelfInspection(models.Model):
    """A unit's self-inspection note (自查) for the year; the latest row counts."""

    county = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("自查情况"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["county", "year", "organisation"], name="wp_selfinsp_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"


class ReportAttachment(models.Model):
    """A file the unit attaches to its report (minutes, photos, proofs). Served only through the
    scoped download view, never from MEDIA_URL."""

    report = models.ForeignKey(LedgerReport, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("附件"), upload_to="workplan/attachments/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.name
