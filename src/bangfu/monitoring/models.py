"""Households at risk of (returning to) poverty: 防止返贫监测和帮扶 (DOMAIN §9, issue #20).

A `MonitoredHousehold` is either a registry household (脱贫不稳定户, usually) or a household outside
the registry with its own `MonitoredMember`s (边缘易致贫户). Its `status` and `last_step` are
written only by `services.record_step`, which walks the procedure in `STEPS` order and keeps every
step as a `ProcedureStep` row (who, when, result). Risk elimination (风险消除) walks the same steps
again in the `eliminate` phase.

ID numbers of own members are stored like the registry's: AES-GCM under their own context, the
blind index under the registry's purpose ("id_number") so one person matches across both, and a
masked form for display.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bangfu.lib.money import CENT

# National poverty standard (current prices, yuan per person per year) by year: 2,300 yuan at
# 2010 prices, adjusted each year (DOMAIN §9). A county's `MonitoringPolicy` row overrides it.
NATIONAL_STANDARD = {
    2016: Decimal("3000"),
    2017: Decimal("3300"),
    2018: Decimal("3500"),
    2019: Decimal("3750"),
    2020: Decimal("4000"),
}


class Kind(models.TextChoices):
    UNSTABLE = "unstable", _("脱贫不稳定户")
    MARGINAL = "marginal", _("边缘易致贫户")
    SUDDEN = "sudden", _("突发严重困难户")


class RiskType(models.TextChoices):
    ILLNESS = "illness", _("因病")
    DISABILITY = "disability", _("因残")
    EDUCATION = "education", _("因学")
    DISASTER = "disaster", _("因灾")
    EPIDEMIC = "epidemic", _("因疫")
    EMPLOYMENT = "employment", _("务工就业不稳")
    INDUSTRY = "industry", _("产业项目失败")
    OTHER = "other", _("其他")


class FoundBy(models.TextChoices):
    SELF = "self", _("农户自主申报")
    CADRE = "cadre", _("基层干部排查")
    DEPARTMENT = "department", _("部门筛查预警")


class Phase(models.TextChoices):
    IDENTIFY = "identify", _("识别纳入")
    ELIMINATE = "eliminate", _("风险消除")


class Step(models.TextChoices):
    APPLIED = "applied", _("申请或发现")
    VILLAGE_REVIEW = "village_review", _("村级民主评议")
    PUBLICITY = "publicity", _("村级公示")
    TOWNSHIP_REVIEW = "township_review", _("乡镇审核")
    COUNTY_APPROVAL = "county_approval", _("县级审定")
    ENTERED = "entered", _("录入国家监测系统")


# The procedure, in order; the same for identification and risk elimination.
STEPS = (
    Step.APPLIED,
    Step.VILLAGE_REVIEW,
    Step.PUBLICITY,
    Step.TOWNSHIP_REVIEW,
    Step.COUNTY_APPROVAL,
    Step.ENTERED,
)


class Status(models.TextChoices):
    IDENTIFYING = "identifying", _("识别中")
    MONITORED = "monitored", _("监测帮扶中")
    ELIMINATING = "eliminating", _("风险消除办理中")
    ELIMINATED = "eliminated", _("风险已消除")
    NOT_INCLUDED = "not_included", _("未纳入")


# Statuses in which the household is under monitoring (risk open, support and visits due).
OPEN_STATUSES = (Status.MONITORED, Status.ELIMINATING)
# Statuses in which the record is still alive (one per registry household at a time).
LIVE_STATUSES = (Status.IDENTIFYING, Status.MONITORED, Status.ELIMINATING)


class MonitoringPolicy(models.Model):
    """A county's monitoring settings for one year (the line and its factor, periods, 公示 days).

    Without a row the defaults below apply (`selectors.policy_for`)."""

    county = models.ForeignKey("areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    national_standard = models.DecimalField(_("国家扶贫标准（元/人·年）"), max_digits=10, decimal_places=2)
    line_factor = models.DecimalField(_("监测线倍数"), max_digits=4, decimal_places=2, default=Decimal("1.5"))
    stable_months = models.PositiveSmallIntegerField(_("收入稳定超过监测线的月数"), default=6)
    publicity_days = models.PositiveSmallIntegerField(_("公示天数"), default=7)
    visit_days = models.PositiveSmallIntegerField(_("走访间隔天数"), default=31)
    lead_days = models.PositiveSmallIntegerField(_("线索核实时限（天）"), default=15)
    medical_threshold = models.DecimalField(
        _("医疗费用预警线（元）"), max_digits=12, decimal_places=2, default=Decimal("10000")
    )

    class Meta:
        ordering = ["county", "-year"]
        verbose_name = _("监测设置")
        verbose_name_plural = _("监测设置")
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="monitoring_policy_year")]

    def __str__(self) -> str:
        return f"{self.county_id} {self.year}"

    @property
    def line(self) -> Decimal:
        return (self.national_standard * self.line_factor).quantize(CENT)


class MonitoredHousehold(models.Model):
    county = models.ForeignKey("areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(
        "areas.Area", verbose_name=_("行政村"), on_delete=models.PROTECT, related_name="+"
    )
    # 监测户编号: the registry's 户编号 when linked, else one given here ("JC" + year + serial).
    number = models.CharField(_("监测户编号"), max_length=40)
    registry_household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("建档立卡户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="monitoring_records",
    )
    head_name = models.CharField(_("户主姓名"), max_length=60)
    kind = models.CharField(_("监测对象类别"), max_length=12, choices=Kind.choices)
    found_by = models.CharField(_("发现方式"), max_length=12, choices=FoundBy.choices)
    found_on = models.DateField(_("发现日期"))
    household_size = models.PositiveSmallIntegerField(_("家庭人口数"))
    per_capita_income = models.DecimalField(
        _("人均纯收入（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    rigid_expenses = models.DecimalField(
        _("刚性支出（元）"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    helper = models.ForeignKey(
        "partners.Cadre",
        verbose_name=_("帮扶责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="monitored_households",
    )
    status = models.CharField(_("状态"), max_length=14, choices=Status.choices, default=Status.IDENTIFYING)
    phase = models.CharField(_("程序"), max_length=10, choices=Phase.choices, default=Phase.IDENTIFY)
    last_step = models.CharField(_("已完成步骤"), max_length=16, choices=Step.choices, blank=True, default="")
    identified_on = models.DateField(_("纳入监测日期"), null=True, blank=True)
    eliminated_on = models.DateField(_("风险消除日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["village", "number"]
        verbose_name = _("监测户")
        verbose_name_plural = _("监测户")
        constraints = [
            models.UniqueConstraint(fields=["county", "number"], name="monitoring_household_number"),
            # One live monitoring record per registry household.
            models.UniqueConstraint(
                fields=["registry_household"],
                condition=models.Q(status__in=["identifying", "monitored", "eliminating"]),
                name="monitoring_one_live_record",
            ),
            models.CheckConstraint(
                condition=models.Q(rigid_expenses__gte=0), name="monitoring_rigid_expenses_positive"
            ),
        ]
        indexes = [
            # Monitoring pages and indicators: a county's households by status.
            models.Index(fields=["county", "status"], name="monitoring_hh_county_status"),
        ]

    def __str__(self) -> str:
        return self.number


class MonitoredMember(models.Model):
    """A member of a monitored household outside the registry (its ID handled like the registry's)."""

    household = models.ForeignKey(MonitoredHousehold, on_delete=models.PROTECT, related_name="members")
    county = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=60)
    relation = models.CharField(_("与户主关系"), max_length=20)
    id_number_encrypted = models.TextField(_("证件号码（加密）"))
    id_number_index = models.CharField(_("证件号码索引"), max_length=32)
    id_number_masked = models.CharField(_("证件号码"), max_length=24)
    sex = models.CharField(_("性别"), max_length=1, blank=True, default="")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    health = models.CharField(_("健康状况"), max_length=20, blank=True, default="")
    labour_skill = models.CharField(_("劳动技能"), max_length=20, blank=True, default="")

    class Meta:
        ordering = ["household", "id"]
        verbose_name = _("监测户成员")
        verbose_name_plural = _("监测户成员")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "id_number_index"], name="monitoring_member_id_per_county"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Risk(models.Model):
    """One risk type of a household, open until closed (elimination needs every risk closed)."""

    household = models.ForeignKey(MonitoredHousehold, on_delete=models.PROTECT, related_name="risks")
    risk_type = models.CharField(_("风险类型"), max_length=12, choices=RiskType.choices)
    opened_on = models.DateField(_("发现日期"))
    closed_on = models.DateField(_("消除日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["household", "opened_on", "id"]
        verbose_name = _("风险")
        verbose_name_plural = _("风险")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "risk_type"],
                condition=models.Q(closed_on__isnull=True),
                name="monitoring_one_open_risk_per_type",
            )
        ]

    def __str__(self) -> str:
        return self.risk_type


class IncomeCheck(models.Model):
    """A per-capita income assessment: elimination needs them above the line for a while."""

    household = models.ForeignKey(MonitoredHousehold, on_delete=models.PROTECT, related_name="income_checks")
    checked_on = models.DateField(_("核算日期"))
    per_capita_income = models.DecimalField(_("人均纯收入（元）"), max_digits=12, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["household", "checked_on", "id"]
        verbose_name = _("收入核算")
        verbose_name_plural = _("收入核算")

    def __str__(self) -> str:
        return f"{self.checked_on} {self.per_capita_income}"


class ProcedureStep(models.Model):
    """One step of the identification or elimination procedure, as recorded (never changed)."""

    household = models.ForeignKey(MonitoredHousehold, on_delete=models.PROTECT, related_name="steps")
    phase = models.CharField(_("程序"), max_length=10, choices=Phase.choices)
    step = models.CharField(_("步骤"), max_length=16, choices=Step.choices)
    date = models.DateField(_("日期"))
    passed = models.BooleanField(_("通过"), default=True)
    # 公示: its length in days (the next step waits until it ends) and the objections raised.
    days = models.PositiveSmallIntegerField(_("公示天数"), null=True, blank=True)
    objections = models.TextField(_("异议"), blank=True, default="")
    note = models.TextField(_("说明"), blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["household", "id"]
        verbose_name = _("程序步骤")
        verbose_name_plural = _("程序步骤")

    def __str__(self) -> str:
        return f"{self.phase}:{self.step}"


class MeasureType(models.TextChoices):
    INDUSTRY = "industry", _("产业帮扶")
    EMPLOYMENT = "employment", _("就业帮扶（含公益岗位）")
    SOCIAL_SECURITY = "social_security", _("综合保障")
    EDUCATION = "education", _("教育帮扶（含雨露计划）")
    HOUSING = "housing", _("危房改造和住房保障")
    MOTIVATION = "motivation", _("扶志扶智")
    OTHER = "other", _("其他")


class Measure(models.Model):
    """A support measure; when it is a bangfu record elsewhere it links to it instead."""

    household = models.ForeignKey(MonitoredHousehold, on_delete=models.PROTECT, related_name="measures")
    measure_type = models.CharField(_("帮扶措施类型"), max_length=16, choices=MeasureType.choices)
    detail = models.CharField(_("措施内容"), max_length=200)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    source = models.CharField(_("资金或措施来源"), max_length=100, blank=True, default="")
    yulu_payment = models.ForeignKey(
        "subsidies.YuluPayment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pairing = models.ForeignKey(
        "partners.Pairing", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["household", "start", "id"]
        verbose_name = _("帮扶措施")
        verbose_name_plural = _("帮扶措施")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="monitoring_measure_dates",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="monitoring_measure_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.detail


class MonitoringVisit(models.Model):
    """The 帮扶责任人's visit or call (recorded like partners.KinshipVisit)."""

    household = models.ForeignKey(MonitoredHousehold, on_delete=models.PROTECT, related_name="visits")
    cadre = models.ForeignKey("partners.Cadre", on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("走访日期"))
    form = models.CharField(
        _("走访形式"), max_length=12, choices=[("in_person", _("入户走访")), ("phone", _("电话联系"))]
    )
    notes = models.TextField(_("走访记录"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("监测户走访")
        verbose_name_plural = _("监测户走访")
        indexes = [models.Index(fields=["household", "-date"], name="monitoring_visit_hh_date")]

    def __str__(self) -> str:
        return f"{self.household_id} {self.date}"


class Department(models.TextChoices):
    MEDICAL = "medical", _("医保部门（医疗费用）")
    EMERGENCY = "emergency", _("应急部门（受灾户）")
    CIVIL_AFFAIRS = "civil_affairs", _("民政部门（低保、特困）")


class LeadSource(models.TextChoices):
    INCOME = "income", _("人均纯收入低于监测线")
    HEALTH = "health", _("成员新患大病或残疾")
    LABOUR = "labour", _("家庭无劳动力")
    MEDICAL = "medical", _("医保：医疗费用超过预警线")
    DISASTER = "disaster", _("应急：受灾户")
    ASSISTANCE = "assistance", _("民政：低保或特困")


class LeadState(models.TextChoices):
    OPEN = "open", _("待核实")
    VERIFIED = "verified", _("核实属实")
    DISMISSED = "dismissed", _("核实排除")


class DepartmentList(models.Model):
    """An imported department list (医保, 应急, 民政): the file's accepted rows as records."""

    county = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    department = models.CharField(_("部门"), max_length=14, choices=Department.choices)
    file_name = models.CharField(_("文件名"), max_length=200)
    as_of = models.DateField(_("数据日期"))
    summary = models.JSONField(_("结果"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("部门数据")
        verbose_name_plural = _("部门数据")

    def __str__(self) -> str:
        return self.file_name


class DepartmentRecord(models.Model):
    department_list = models.ForeignKey(DepartmentList, on_delete=models.PROTECT, related_name="records")
    county = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", db_index=False)
    row = models.PositiveIntegerField(_("原行号"))
    name = models.CharField(_("姓名"), max_length=60)
    id_number_index = models.CharField(_("证件号码索引"), max_length=32)
    id_number_masked = models.CharField(_("证件号码"), max_length=24)
    category = models.CharField(_("类别"), max_length=40, blank=True, default="")
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["department_list", "row"]
        indexes = [models.Index(fields=["county", "id_number_index"], name="monitoring_deprec_person")]

    def __str__(self) -> str:
        return f"{self.department_list_id}:{self.row}"


class Lead(models.Model):
    """Something to verify (线索): from screening the registry or a department list."""

    county = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", db_index=False)
    village = models.ForeignKey(
        "areas.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("线索来源"), max_length=12, choices=LeadSource.choices)
    # What the lead is about: "h<registry household pk>" or "p<ID blind index>" (a person outside
    # the registry); screening never opens a second lead on the same subject and source.
    subject = models.CharField(max_length=40)
    registry_household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=60, blank=True, default="")
    id_number_masked = models.CharField(_("证件号码"), max_length=24, blank=True, default="")
    detail = models.CharField(_("线索内容"), max_length=200)
    found_on = models.DateField(_("发现日期"))
    department_record = models.ForeignKey(
        DepartmentRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("核实状态"), max_length=10, choices=LeadState.choices, default=LeadState.OPEN)
    reason = models.CharField(_("核实说明"), max_length=200, blank=True, default="")
    decided_on = models.DateField(_("核实日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    monitored_household = models.ForeignKey(
        MonitoredHousehold, null=True, blank=True, on_delete=models.PROTECT, related_name="leads"
    )

    class Meta:
        ordering = ["found_on", "id"]
        verbose_name = _("监测线索")
        verbose_name_plural = _("监测线索")
        constraints = [
            models.UniqueConstraint(fields=["county", "source", "subject"], name="monitoring_lead_once")
        ]
        indexes = [
            # Lead lists and the "unverified past N days" figure.
            models.Index(fields=["county", "state", "found_on"], name="monitoring_lead_state"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.subject}"
