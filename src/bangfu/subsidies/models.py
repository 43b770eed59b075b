"""Subsidies: Yulu (雨露计划) terms, applications and payments; the technician programme
(百工技师工程); Sanzhi-Yifu (三支一扶) recruitment, placements and payments; programme milestones.

Every large table carries its county (the tenant key) and hot queries filter on it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_YULU_AMOUNT = Decimal("1500.00")


# --- programme milestones (the plan's 进度安排) ------------------------------------------------------
class Programme(models.TextChoices):
    YULU = "yulu", _("雨露计划")
    TECHNICIAN = "technician", _("百工技师工程")
    SANZHI = "sanzhi", _("三支一扶")


class ProgrammeMilestone(models.Model):
    """One scheduled step of a programme in a plan year, with its due date."""

    county = models.ForeignKey("areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    programme = models.CharField(_("项目"), max_length=12, choices=Programme.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    key = models.CharField(_("编号"), max_length=40)
    title = models.CharField(_("节点"), max_length=120)
    start_date = models.DateField(_("开始日期"))
    due_date = models.DateField(_("完成时限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["programme", "year", "due_date", "key"]
        verbose_name = _("进度节点")
        verbose_name_plural = _("进度节点")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "programme", "year", "key"], name="subsidies_milestone_unique_key"
            ),
            models.CheckConstraint(
                condition=models.Q(due_date__gte=models.F("start_date")),
                name="subsidies_milestone_due_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"

    def is_overdue(self, today: date) -> bool:
        return self.done_on is None and today > self.due_date


# --- Yulu terms ----------------------------------------------------------------------------------------
class Season(models.TextChoices):
    SPRING = "spring", _("春季学期")
    AUTUMN = "autumn", _("秋季学期")


# Defaults: spring term starts 1 March and is paid by 30 June (end of Q2); autumn starts
# 1 September and is paid by 31 December (end of Q4). Both are county configuration per term.
TERM_DEFAULTS = {
    Season.SPRING: ((3, 1), (6, 30)),
    Season.AUTUMN: ((9, 1), (12, 31)),
}


class YuluTerm(models.Model):
    county = models.ForeignKey(
        "areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="yulu_terms"
    )
    code = models.CharField(_("学期"), max_length=12)  # "2020-spring"
    year = models.PositiveSmallIntegerField(_("年度"))
    season = models.CharField(_("季节"), max_length=8, choices=Season.choices)
    start_date = models.DateField(_("开学日期"))
    payment_deadline = models.DateField(_("发放截止日期"))
    amount = models.DecimalField(
        _("每生补助金额（元）"), max_digits=14, decimal_places=2, default=DEFAULT_YULU_AMOUNT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["county", "-start_date"]
        verbose_name = _("雨露计划学期")
        verbose_name_plural = _("雨露计划学期")
        constraints = [
            models.UniqueConstraint(fields=["county", "code"], name="subsidies_term_unique_code"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="subsidies_term_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(payment_deadline__gte=models.F("start_date")),
                name="subsidies_term_deadline_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}{self.get_season_display()}"


# --- Yulu applications (the per-student workflow) ----------------------------------------------------
class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已申请")
    VILLAGE_PUBLICITY = "village_publicity", _("村级初审通过·公示中")
    TOWNSHIP_APPROVED = "township_approved", _("乡镇审核通过")
    COUNTY_PUBLICITY = "county_publicity", _("县级审定通过·公示中")
    BATCHED = "batched", _("已列入发放批次")
    PAID = "paid", _("已发放")
    REJECTED = "rejected", _("未通过")


S = ApplicationStatus
# Allowed transitions: status → {next status: role allowed to make the move}.
APPLICATION_TRANSITIONS: dict[str, dict[str, tuple[str, ...]]] = {
    S.SUBMITTED: {S.VILLAGE_PUBLICITY: ("village_officer",), S.REJECTED: ("village_officer",)},
    S.VILLAGE_PUBLICITY: {S.TOWNSHIP_APPROVED: ("township_clerk",), S.REJECTED: ("township_clerk",)},
    S.TOWNSHIP_APPROVED: {S.COUNTY_PUBLICITY: ("county_admin",), S.REJECTED: ("county_admin",)},
    S.COUNTY_PUBLICITY: {S.BATCHED: ("county_admin",), S.REJECTED: ("county_admin",)},
    S.BATCHED: {S.PAID: ("county_admin",)},
    S.PAID: {},
    S.REJECTED: {},
}
VILLAGE_PUBLICITY_DAYS = 5
COUNTY_PUBLICITY_DAYS = 7


class BatchStatus(models.TextChoices):
    OPEN = "open", _("待发放")
    PAID = "paid", _("已发放")


class YuluPaymentBatch(models.Model):
    county = models.ForeignKey("areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    term = models.ForeignKey(
        YuluTerm, verbose_name=_("学期"), on_delete=models.PROTECT, related_name="batches"
    )
    number = models.PositiveIntegerField(_("批次号"))
    status = models.CharField(_("状态"), max_length=8, choices=BatchStatus.choices, default=BatchStatus.OPEN)
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["term", "number"]
        verbose_name = _("发放批次")
        verbose_name_plural = _("发放批次")
        constraints = [
            models.UniqueConstraint(fields=["term", "number"], name="subsidies_batch_unique_number"),
            models.CheckConstraint(
                condition=models.Q(status="open", paid_on__isnull=True)
                | models.Q(status="paid", paid_on__isnull=False),
                name="subsidies_batch_paid_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term} #{self.number}"


# --- technician programme (百工技师工程) -------------------------------------------------------------
class TechnicianStatus(models.TextChoices):
    ENROLLED = "enrolled", _("已报名")
    STUDYING = "studying", _("在读")
    GRADUATED = "graduated", _("已毕业")
    DROPPED = "dropped", _("已退出")


T = TechnicianStatus
TECHNICIAN_TRANSITIONS: dict[str, set[str]] = {
    T.ENROLLED: {T.STUDYING, T.DROPPED},
    T.STUDYING: {T.GRADUATED, T.DROPPED},
    T.GRADUATED: set(),
    T.DROPPED: set(),
}


class TechnicianCohort(models.Model):
    """One year's intake of the technician programme, with its per-term funding amount."""

    county = models.ForeignKey("areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("名称"), max_length=80)
    amount_per_term = models.DecimalField(
        _("每生每学期资助（元）"), max_digits=14, decimal_places=2, default=Decimal("1000.00")
    )

    class Meta:
        ordering = ["county", "-year"]
        verbose_name = _("技师工程批次")
        verbose_name_plural = _("技师工程批次")
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="subsidies_cohort_unique_year"),
            models.CheckConstraint(
                condition=models.Q(amount_per_term__gt=0), name="subsidies_cohort_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- Sanzhi-Yifu (三支一扶) ----------------------------------------------------------------------------
class SanzhiField(models.TextChoices):
    TEACHING = "teaching", _("支教")
    AGRICULTURE = "agriculture", _("支农")
    HEALTH = "health", _("支医")
    POVERTY = "poverty", _("扶贫")


class SanzhiPlan(models.Model):
    """A yearly recruitment plan (招募方案) with the subsidy amounts that apply to its placements."""

    county = models.ForeignKey("areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    monthly_subsidy = models.DecimalField(
        _("每月生活补贴（元）"), max_digits=14, decimal_places=2, default=Decimal("2000.00")
    )
    settling_allowance = models.DecimalField(
        _("一次性安家费（元）"), max_digits=14, decimal_places=2, default=Decimal("2000.00")
    )
    service_months = models.PositiveSmallIntegerField(_("服务期（月）"), default=24)

    class Meta:
        ordering = ["county", "-year"]
        verbose_name = _("三支一扶招募计划")
        verbose_name_plural = _("三支一扶招募计划")
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="subsidies_sanzhi_plan_unique_year"),
            models.CheckConstraint(
                condition=models.Q(monthly_subsidy__gt=0, settling_allowance__gte=0, service_months__gt=0),
                name="subsidies_sanzhi_plan_amounts_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}"


class SanzhiPost(models.Model):
    plan = models.ForeignKey(
        SanzhiPlan, verbose_name=_("招募计划"), on_delete=models.PROTECT, related_name="posts"
    )
    township = models.ForeignKey(
        "areas.Area", verbose_name=_("乡（镇）"), on_delete=models.PROTECT, related_name="+"
    )
    field = models.CharField(_("类别"), max_length=12, choices=SanzhiField.choices)
    posts = models.PositiveSmallIntegerField(_("岗位数"))

    class Meta:
        ordering = ["plan", "township", "field"]
        verbose_name = _("三支一扶岗位")
        verbose_name_plural = _("三支一扶岗位")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "township", "field"], name="subsidies_sanzhi_post_unique"
            ),
            models.CheckConstraint(condition=models.Q(posts__gt=0), name="subsidies_sanzhi_posts_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.township} {self.get_field_display()}"


class SanzhiStage(models.TextChoices):
    REGISTERED = "registered", _("报名")
    QUALIFIED = "qualified", _("资格审查")
    WRITTEN = "written", _("笔试")
    INTERVIEW = "interview", _("面试")
    INSPECTION = "inspection", _("考察")
    MEDICAL = "medical", _("体检")
    PUBLICITY = "publicity", _("公示")
    HIRED = "hired", _("录用")


SANZHI_STAGE_ORDER = list(SanzhiStage)


class SanzhiApplicant(models.Model):
    """A graduate applying to a post. Graduates are not registry members."""

    plan = models.ForeignKey(
        SanzhiPlan, verbose_name=_("招募计划"), on_delete=models.PROTECT, related_name="applicants"
    )
    post = models.ForeignKey(
        SanzhiPost, verbose_name=_("报考岗位"), on_delete=models.PROTECT, related_name="applicants"
    )
    number = models.CharField(_("报名号"), max_length=20)
    name = models.CharField(_("姓名"), max_length=40)
    school = models.CharField(_("毕业院校"), max_length=80)
    major = models.CharField(_("专业"), max_length=60, blank=True)
    graduation_year = models.PositiveSmallIntegerField(_("毕业年份"))
    stage = models.CharField(
        _("环节"), max_length=12, choices=SanzhiStage.choices, default=SanzhiStage.REGISTERED
    )
    eliminated = models.BooleanField(_("已淘汰"), default=False)
    elimination_reason = models.CharField(_("淘汰原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("三支一扶报名人员")
        verbose_name_plural = _("三支一扶报名人员")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="subsidies_sanzhi_applicant_unique_no"),
            models.CheckConstraint(
                condition=models.Q(eliminated=False, elimination_reason="")
                | (models.Q(eliminated=True) & ~models.Q(elimination_reason="")),
                name="subsidies_sanzhi_elimination_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class SanzhiOutcome(models.TextChoices):
    NONE = "", _("未定")
    CIVIL_SERVICE = "civil_service", _("考录公务员")
    PUBLIC_INSTITUTION = "public_institution", _("招聘为事业单位人员")
    OTHER = "other", _("其他")


class PlacementStatus(models.TextChoices):
    SERVING = "serving", _("在岗")
    COMPLETED = "completed", _("服务期满")
    LEFT = "left", _("中途离岗")


class SanzhiPlacement(models.Model):
    county = models.ForeignKey("areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    applicant = models.OneToOneField(
        SanzhiApplicant, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="placement"
    )
    township = models.ForeignKey(
        "areas.Area", verbose_name=_("服务乡（镇）"), on_delete=models.PROTECT, related_name="+"
    )
    field = models.CharField(_("类别"), max_length=12, choices=SanzhiField.choices)
    start_date = models.DateField(_("上岗日期"))
    end_date = models.DateField(_("服务期满日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=PlacementStatus.choices, default=PlacementStatus.SERVING
    )
    outcome = models.CharField(
        _("去向"), max_length=20, choices=SanzhiOutcome.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["county", "start_date", "pk"]
        verbose_name = _("三支一扶人员")
        verbose_name_plural = _("三支一扶人员")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")),
                name="subsidies_placement_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return str(self.applicant)


class SanzhiPaymentKind(models.TextChoices):
    MONTHLY = "monthly", _("生活补贴")
    SETTLING = "settling", _("一次性安家费")


class SanzhiPayment(models.Model):
    placement = models.ForeignKey(
        SanzhiPlacement, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="payments"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=SanzhiPaymentKind.choices)
    month = models.DateField(_("所属月份"))  # the first day of the month paid for
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("发放日期"))

    class Meta:
        ordering = ["placement", "month", "kind"]
        verbose_name = _("三支一扶补贴发放")
        verbose_name_plural = _("三支一扶补贴发放")
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "kind", "month"], name="subsidies_sanzhi_payment_once_per_month"
            ),
            # The settling-in allowance is paid once per placement.
            models.UniqueConstraint(
                fields=["placement"],
                condition=models.Q(kind="settling"),
                name="subsidies_sanzhi_settling_once",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="subsidies_sanzhi_payment_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.placement_id} {self.kind} {self.month:%Y-%m}"


class AssessmentKind(models.TextChoices):
    ANNUAL = "annual", _("年度考核")
    END_OF_SERVICE = "end_of_service", _("期满考核")


class AssessmentGrade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class SanzhiAssessment(models.Model):
    placement = models.ForeignKey(
        SanzhiPlacement, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="assessments"
    )
    kind = models.CharField(_("类别"), max_length=16, choices=AssessmentKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    grade = models.CharField(_("等次"), max_length=10, choices=AssessmentGrade.choices)

    class Meta:
        ordering = ["placement", "year", "kind"]
        verbose_name = _("三支一扶考核")
        verbose_name_plural = _("三支一扶考核")
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "kind", "year"], name="subsidies_sanzhi_assessment_unique"
            ),
            models.UniqueConstraint(
                fields=["placement"],
                condition=models.Q(kind="end_of_service"),
                name="subsidies_sanzhi_one_final_assessment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.placement_id} {self.kind} {self.year}"


# --- models that refer to the registry ---------------------------------------------------------------
class YuluApplication(models.Model):
    """One student's application for one term, walked through the review steps."""

    county = models.ForeignKey("areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    term = models.ForeignKey(
        YuluTerm, verbose_name=_("学期"), on_delete=models.PROTECT, related_name="applications"
    )
    member = models.ForeignKey(
        "registry.Member", verbose_name=_("学生"), on_delete=models.PROTECT, related_name="yulu_applications"
    )
    household = models.ForeignKey(
        "registry.Household", verbose_name=_("所在户"), on_delete=models.PROTECT, related_name="+"
    )
    # The household's village when the application was made: scoping without a join.
    village = models.ForeignKey(
        "areas.Area", verbose_name=_("行政村"), on_delete=models.PROTECT, related_name="+"
    )
    school = models.CharField(_("就读学校"), max_length=100)
    enrolment_proof = models.CharField(_("学籍证明"), max_length=100, help_text=_("学籍号或学籍证明编号"))
    bank_name = models.CharField(_("开户银行"), max_length=60)
    account_holder = models.CharField(_("户名"), max_length=40)
    # AES-GCM token (bangfu.lib.crypto, context "subsidies.yulu.bank_account").
    bank_account_encrypted = models.TextField(_("银行账号（加密）"))
    bank_account_masked = models.CharField(_("银行账号"), max_length=40)
    status = models.CharField(
        _("状态"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    village_publicity_until = models.DateField(_("村级公示截止"), null=True, blank=True)
    county_publicity_until = models.DateField(_("县级公示截止"), null=True, blank=True)
    rejection_reason = models.CharField(_("不通过原因"), max_length=200, blank=True, default="")
    batch = models.ForeignKey(
        YuluPaymentBatch,
        verbose_name=_("发放批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    submitted_on = models.DateField(_("申请日期"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["term", "village", "pk"]
        verbose_name = _("雨露计划申请")
        verbose_name_plural = _("雨露计划申请")
        constraints = [
            # A rejected application may be followed by a corrected one; otherwise one per term.
            models.UniqueConstraint(
                fields=["term", "member"],
                condition=~models.Q(status="rejected"),
                name="subsidies_yulu_one_open_application",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(rejection_reason=""),
                name="subsidies_yulu_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["batched", "paid"]) | models.Q(batch__isnull=False),
                name="subsidies_yulu_batched_has_batch",
            ),
        ]
        indexes = [
            # The application list of a term, scoped by village-code prefix, filtered by status.
            models.Index(fields=["term", "status"], name="subsidies_app_term_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.term} {self.member_id}"


class PaymentSource(models.TextChoices):
    WORKFLOW = "workflow", _("本系统发放批次")
    RECORDED = "recorded", _("补录（财政报账）")


class YuluPayment(models.Model):
    """Money paid to a student for a term: the 'paid list' that reconciliation checks."""

    county = models.ForeignKey("areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    term = models.ForeignKey(
        YuluTerm, verbose_name=_("学期"), on_delete=models.PROTECT, related_name="payments"
    )
    member = models.ForeignKey(
        "registry.Member", verbose_name=_("学生"), on_delete=models.PROTECT, related_name="yulu_payments"
    )
    household = models.ForeignKey(
        "registry.Household", verbose_name=_("所在户"), on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        "areas.Area", verbose_name=_("行政村"), on_delete=models.PROTECT, related_name="+"
    )
    # The member's ID blind index, copied: duplicates of one person are found across households
    # and counties of the deployment without decrypting anything.
    id_number_index = models.CharField(_("证件号码索引"), max_length=32)
    application = models.OneToOneField(
        YuluApplication, null=True, blank=True, on_delete=models.PROTECT, related_name="payment"
    )
    batch = models.ForeignKey(
        YuluPaymentBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    source = models.CharField(
        _("来源"), max_length=10, choices=PaymentSource.choices, default=PaymentSource.WORKFLOW
    )
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("发放日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["term", "paid_on", "pk"]
        verbose_name = _("雨露计划发放记录")
        verbose_name_plural = _("雨露计划发放记录")
        constraints = [
            models.UniqueConstraint(
                fields=["term", "member"], name="subsidies_yulu_one_payment_per_student_term"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="subsidies_yulu_payment_positive"),
        ]
        indexes = [
            # Reconciliation: payments of a term, and duplicates of one person across households.
            models.Index(fields=["term", "member"], name="subsidies_pay_term_member_idx"),
            models.Index(fields=["id_number_index"], name="subsidies_pay_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.term_id} {self.member_id}"


class TechnicianEnrolment(models.Model):
    county = models.ForeignKey("areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    cohort = models.ForeignKey(
        TechnicianCohort, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="enrolments"
    )
    member = models.ForeignKey(
        "registry.Member",
        verbose_name=_("学生"),
        on_delete=models.PROTECT,
        related_name="technician_enrolments",
    )
    household = models.ForeignKey(
        "registry.Household", verbose_name=_("所在户"), on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        "areas.Area", verbose_name=_("行政村"), on_delete=models.PROTECT, related_name="+"
    )
    school = models.CharField(_("培训学校"), max_length=100)
    trade = models.CharField(_("专业工种"), max_length=60)
    start_date = models.DateField(_("入学日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=TechnicianStatus.choices, default=TechnicianStatus.ENROLLED
    )
    drop_reason = models.CharField(_("退出原因"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["cohort", "village", "pk"]
        verbose_name = _("技师工程学员")
        verbose_name_plural = _("技师工程学员")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "member"], name="subsidies_technician_once_per_cohort"),
            models.CheckConstraint(
                condition=~models.Q(status="dropped") | ~models.Q(drop_reason=""),
                name="subsidies_technician_drop_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cohort_id} {self.member_id}"


class TechnicianFunding(models.Model):
    enrolment = models.ForeignKey(
        TechnicianEnrolment, verbose_name=_("学员"), on_delete=models.PROTECT, related_name="fundings"
    )
    term_code = models.CharField(_("学期"), max_length=12)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("发放日期"))

    class Meta:
        ordering = ["enrolment", "term_code"]
        verbose_name = _("技师工程资助")
        verbose_name_plural = _("技师工程资助")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "term_code"], name="subsidies_technician_fund_once_per_term"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="subsidies_technician_fund_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.term_code}"
