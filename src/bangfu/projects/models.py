"""Assistance projects, their jointly managed funds (资金共管), evaluations and the yearly
investment plans of partners.

A project's money lives on the shared ledger (`bangfu.ledger`): one `Account` per project,
credits for allocations received, debits for disbursements paid. A disbursement is paid only when
one user of the funding side and one of the recipient side have approved it.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bangfu.lib import clock


class ProjectKind(models.TextChoices):
    EAST_WEST = "east_west", _("东西部扶贫协作")
    COUNTERPART = "counterpart", _("省内对口帮扶")
    ENTERPRISE = "enterprise", _("万企帮万村")
    DESIGNATED = "designated", _("定点帮扶")


class Category(models.TextChoices):
    """The plan's project list (三(三)) plus the east–west breakthroughs (三(二))."""

    HOUSING = "housing", _("住房")
    EDUCATION = "education", _("教育")
    HEALTH = "health", _("卫生")
    INFRASTRUCTURE = "infrastructure", _("基础设施")
    INDUSTRY = "industry", _("产业")
    EMPLOYMENT = "employment", _("就业")
    LOCAL_TALENT = "local_talent", _("本土人才培养")
    INDUSTRIAL_PARK = "industrial_park", _("园区建设")
    INDUSTRY_COOPERATION = "industry_cooperation", _("产业合作")
    INVESTMENT_ATTRACTION = "investment_attraction", _("招商引资")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("计划")
    APPROVED = "approved", _("已批准")
    IN_PROGRESS = "in_progress", _("实施中")
    COMPLETED = "completed", _("已完工")
    CANCELLED = "cancelled", _("已取消")


PROJECT_TRANSITIONS: dict[str, set[str]] = {
    ProjectStatus.PLANNED: {ProjectStatus.APPROVED, ProjectStatus.CANCELLED},
    ProjectStatus.APPROVED: {ProjectStatus.IN_PROGRESS, ProjectStatus.CANCELLED},
    ProjectStatus.IN_PROGRESS: {ProjectStatus.COMPLETED, ProjectStatus.CANCELLED},
    ProjectStatus.COMPLETED: set(),
    ProjectStatus.CANCELLED: set(),
}
# Money may come in and go out only while the project is live.
FUNDABLE_STATUSES = (ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS)


class FundSource(models.TextChoices):
    PARTNER = "partner", _("帮扶方资金")
    PROVINCE = "province", _("省级资金")
    COUNTY = "county", _("县级配套")
    ENTERPRISE = "enterprise", _("企业资金")
    SOCIAL = "social", _("社会资金")


class InvestmentPlan(models.Model):
    """A partner's yearly investment plan (年度项目投资计划); the plan wants it issued in Q1."""

    county = models.ForeignKey(
        "areas.Area", verbose_name=_("所属县"), on_delete=models.PROTECT, related_name="+"
    )
    partner = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("帮扶方"),
        on_delete=models.PROTECT,
        related_name="investment_plans",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("计划名称"), max_length=200)
    planned_amount = models.DecimalField(_("计划投资（元）"), max_digits=14, decimal_places=2)
    planned_projects = models.PositiveIntegerField(_("计划项目数"), default=0)
    issued_on = models.DateField(_("下达日期"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["county", "-year", "partner"]
        verbose_name = _("年度投资计划")
        verbose_name_plural = _("年度投资计划")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "partner", "year"], name="invplan_one_per_partner_year"
            ),
            models.CheckConstraint(
                condition=models.Q(planned_amount__gte=0), name="invplan_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.partner} {self.title}"

    @property
    def issued_in_q1(self) -> bool:
        return self.issued_on is not None and self.issued_on <= date(self.year, 3, 31)


class Project(models.Model):
    # Tenant key.
    county = models.ForeignKey(
        "areas.Area", verbose_name=_("所属县"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("项目编号"), max_length=32)
    title = models.CharField(_("项目名称"), max_length=200)
    kind = models.CharField(_("帮扶类别"), max_length=16, choices=ProjectKind.choices)
    category = models.CharField(_("项目类型"), max_length=24, choices=Category.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    description = models.TextField(_("建设内容"), blank=True)
    funders = models.ManyToManyField(
        "partners.Organisation", verbose_name=_("资助单位"), related_name="funded_projects"
    )
    # The recipient: an area of the county, down to the village (实施地点).
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("实施地点"), on_delete=models.PROTECT, related_name="projects"
    )
    beneficiary_households = models.PositiveIntegerField(_("受益户数"), default=0)
    beneficiary_people = models.PositiveIntegerField(_("受益人数"), default=0)
    beneficiary_poor_households = models.PositiveIntegerField(_("受益贫困户数"), default=0)
    planned_start = models.DateField(_("计划开工"), null=True, blank=True)
    planned_end = models.DateField(_("计划完工"), null=True, blank=True)
    started_on = models.DateField(_("开工日期"), null=True, blank=True)
    completed_on = models.DateField(_("完工日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    cancel_reason = models.CharField(_("取消原因"), max_length=500, blank=True)
    budget_partner = models.DecimalField(
        _("帮扶方资金预算"), default=Decimal("0.00"), max_digits=14, decimal_places=2
    )
    budget_province = models.DecimalField(
        _("省级资金预算"), default=Decimal("0.00"), max_digits=14, decimal_places=2
    )
    budget_county = models.DecimalField(
        _("县级配套预算"), default=Decimal("0.00"), max_digits=14, decimal_places=2
    )
    budget_enterprise = models.DecimalField(
        _("企业资金预算"), default=Decimal("0.00"), max_digits=14, decimal_places=2
    )
    budget_social = models.DecimalField(
        _("社会资金预算"), default=Decimal("0.00"), max_digits=14, decimal_places=2
    )
    investment_plan = models.ForeignKey(
        InvestmentPlan,
        verbose_name=_("年度投资计划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    account = models.OneToOneField(
        "ledger.Account", verbose_name=_("资金账户"), on_delete=models.PROTECT, related_name="project"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["county", "-year", "code"]
        verbose_name = _("帮扶项目")
        verbose_name_plural = _("帮扶项目")
        constraints = [
            models.UniqueConstraint(fields=["county", "code"], name="project_unique_code_per_county"),
            models.CheckConstraint(
                condition=models.Q(budget_partner__gte=0)
                & models.Q(budget_province__gte=0)
                & models.Q(budget_county__gte=0)
                & models.Q(budget_enterprise__gte=0)
                & models.Q(budget_social__gte=0),
                name="project_budget_not_negative",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="cancelled") | ~models.Q(cancel_reason=""),
                name="project_cancel_has_reason",
            ),
        ]
        indexes = [
            # The scoped project list: county, then year and status filters.
            models.Index(fields=["county", "year", "status"], name="project_county_year_idx"),
            # Indicators: projects started / completed in a period.
            models.Index(fields=["county", "started_on"], name="project_started_idx"),
            models.Index(fields=["county", "completed_on"], name="project_completed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def budget_total(self) -> Decimal:
        return (
            self.budget_partner
            + self.budget_province
            + self.budget_county
            + self.budget_enterprise
            + self.budget_social
        )

    @property
    def budget_by_source(self) -> list[tuple[str, Decimal]]:
        return [
            (str(FundSource.PARTNER.label), self.budget_partner),
            (str(FundSource.PROVINCE.label), self.budget_province),
            (str(FundSource.COUNTY.label), self.budget_county),
            (str(FundSource.ENTERPRISE.label), self.budget_enterprise),
            (str(FundSource.SOCIAL.label), self.budget_social),
        ]


class Allocation(models.Model):
    """Money received into a project's fund (资金到位). Its ledger entry is the credit."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="allocations"
    )
    county = models.ForeignKey(
        "areas.Area", verbose_name=_("所属县"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("资金来源"), max_length=12, choices=FundSource.choices)
    # The organisation the money came from, when it is one of the project's funders.
    funder = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("拨付单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    received_on = models.DateField(_("到账日期"))
    memo = models.CharField(_("摘要"), max_length=500, blank=True)
    entry = models.OneToOneField(
        "ledger.Entry", verbose_name=_("记账分录"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "received_on", "id"]
        verbose_name = _("资金到位")
        verbose_name_plural = _("资金到位")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="allocation_amount_positive"),
        ]
        indexes = [
            # Fund flow statements and indicators: allocations of a county in a period.
            models.Index(fields=["county", "received_on"], name="allocation_county_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} +{self.amount}"


class DisbursementStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    PAID = "paid", _("已支付")
    REJECTED = "rejected", _("已驳回")


DISBURSEMENT_TRANSITIONS: dict[str, set[str]] = {
    DisbursementStatus.PENDING: {DisbursementStatus.PAID, DisbursementStatus.REJECTED},
    DisbursementStatus.PAID: set(),
    DisbursementStatus.REJECTED: set(),
}


class Side(models.TextChoices):
    """The two sides of 资金共管: the helper (funder) and the helped (recipient)."""

    FUNDER = "funder", _("资助方")
    RECIPIENT = "recipient", _("受援方")


# One approval of each side pays a disbursement.
REQUIRED_SIDES = (Side.FUNDER.value, Side.RECIPIENT.value)


class Disbursement(models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="disbursements"
    )
    county = models.ForeignKey(
        "areas.Area", verbose_name=_("所属县"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    payee = models.CharField(_("收款单位/人"), max_length=200)
    purpose = models.CharField(_("用途"), max_length=500)
    # References to the supporting documents (contract, invoice, acceptance report numbers).
    attachments = models.TextField(_("附件说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=DisbursementStatus.choices, default=DisbursementStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    # From the one clock, so the demo (living in 2020) shows consistent times.
    requested_at = models.DateTimeField(_("申请时间"), default=clock.now)
    reject_reason = models.CharField(_("驳回原因"), max_length=500, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("驳回人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    entry = models.OneToOneField(
        "ledger.Entry",
        verbose_name=_("支付分录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("拨付申请")
        verbose_name_plural = _("拨付申请")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="disbursement_amount_positive"),
            models.CheckConstraint(
                condition=~models.Q(status="paid") | models.Q(entry__isnull=False),
                name="disbursement_paid_has_entry",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(reject_reason=""),
                name="disbursement_reject_has_reason",
            ),
        ]
        indexes = [
            # "Waiting for my approval" lists: pending requests of a county.
            models.Index(fields=["county", "status"], name="disbursement_county_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} −{self.amount} {self.payee}"


class DisbursementApproval(models.Model):
    disbursement = models.ForeignKey(
        Disbursement, verbose_name=_("拨付申请"), on_delete=models.PROTECT, related_name="approvals"
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), on_delete=models.PROTECT, related_name="+"
    )
    side = models.CharField(_("审批方"), max_length=10, choices=Side.choices)
    created_at = models.DateTimeField(_("审批时间"), default=clock.now)

    class Meta:
        ordering = ["disbursement", "created_at", "id"]
        verbose_name = _("拨付审批")
        verbose_name_plural = _("拨付审批")
        constraints = [
            models.UniqueConstraint(fields=["disbursement", "side"], name="approval_one_per_side"),
            models.UniqueConstraint(fields=["disbursement", "approver"], name="approval_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.disbursement_id} {self.side} {self.approver_id}"


def attachment_path(instance: DisbursementAttachment, filename: str) -> str:
    """Stored under a random name; the original name is kept in the row (and never trusted as a
    path)."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"projects/{instance.county.county_code}/disbursements/{uuid.uuid4().hex}{suffix}"


class DisbursementAttachment(models.Model):
    """A supporting document of a disbursement request (contract, invoice, acceptance report).
    Served only through the scoped download view, never from MEDIA_URL."""

    disbursement = models.ForeignKey(
        Disbursement, verbose_name=_("拨付申请"), on_delete=models.PROTECT, related_name="files"
    )
    county = models.ForeignKey(
        "areas.Area", verbose_name=_("所属县"), on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=255)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["disbursement", "id"]
        verbose_name = _("拨付附件")
        verbose_name_plural = _("拨付附件")

    def __str__(self) -> str:
        return self.name


class EvaluationKind(models.TextChoices):
    MID_YEAR = "mid_year", _("年中评估")
    ANNUAL = "annual", _("年度考核")


def evaluation_due_on(kind: str, year: int) -> date:
    """Mid-year evaluations are due at the end of Q2, annual ones at the end of Q4."""
    return date(year, 6, 30) if kind == EvaluationKind.MID_YEAR else date(year, 12, 31)


# Pairing kinds that owe a mid-year and an annual evaluation (结对认亲 kinship pairings do not).
EVALUATED_PAIRING_KINDS = ("east_west", "counterpart", "enterprise", "designated")


class Evaluation(models.Model):
    """A mid-year or annual evaluation of either a project or a pairing (exactly one of the two)."""

    project = models.ForeignKey(
        Project,
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    pairing = models.ForeignKey(
        "partners.Pairing",
        verbose_name=_("结对帮扶"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    county = models.ForeignKey(
        "areas.Area", verbose_name=_("所属县"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("评估类型"), max_length=10, choices=EvaluationKind.choices)
    due_on = models.DateField(_("截止日期"))
    evaluated_on = models.DateField(_("评估日期"), null=True, blank=True)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    findings = models.TextField(_("评估发现"), blank=True)
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评估人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["due_on", "project"]
        verbose_name = _("项目评估")
        verbose_name_plural = _("项目评估")
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "kind"], name="evaluation_one_per_kind_year"),
            models.UniqueConstraint(
                fields=["pairing", "year", "kind"], name="evaluation_pairing_one_per_kind_year"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(project__isnull=False, pairing__isnull=True)
                    | models.Q(project__isnull=True, pairing__isnull=False)
                ),
                name="evaluation_project_xor_pairing",
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | (models.Q(score__gte=0) & models.Q(score__lte=100)),
                name="evaluation_score_0_100",
            ),
            models.CheckConstraint(
                condition=models.Q(evaluated_on__isnull=True) | models.Q(score__isnull=False),
                name="evaluation_done_has_score",
            ),
        ]
        indexes = [
            # Due / overdue lists: open evaluations of a county by due date.
            models.Index(fields=["county", "evaluated_on", "due_on"], name="evaluation_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.target_label} {self.year} {self.get_kind_display()}"

    @property
    def target_label(self) -> str:
        """The project code, or the pairing as "helper → target"."""
        if self.project is not None:
            return self.project.code
        return str(self.pairing) if self.pairing is not None else ""

    @property
    def is_done(self) -> bool:
        return self.evaluated_on is not None


class RectificationItem(models.Model):
    """整改事项: a finding that must be fixed, closed with a note once done."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("评估"), on_delete=models.PROTECT, related_name="rectifications"
    )
    description = models.CharField(_("整改事项"), max_length=500)
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    closure_note = models.CharField(_("整改结果"), max_length=500, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("销号人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["evaluation", "id"]
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True) | ~models.Q(closure_note=""),
                name="rectification_closed_has_note",
            ),
        ]

    def __str__(self) -> str:
        return self.description
