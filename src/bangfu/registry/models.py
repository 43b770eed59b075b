"""建档立卡 registry: registered households, their members, effective-dated history, import jobs.

Every large table carries its county (FK to the county Area): the tenant key every hot query
filters on. ID numbers and phones are stored encrypted (bangfu.lib.crypto) plus a masked form for
display and, for ID numbers, a keyed blind index for exact lookup and de-duplication.

History has two layers:
- `MemberVersion`: effective-dated snapshots of a member's status fields (schooling, active,
  household …) valid on [valid_from, valid_to). "What was each member's schooling on day D" is one
  set-based query (`selectors.member_status_on`).
- `RegistryChange`: one row per changed field (who, when, old, new, effective date), for the
  household page and audits. Personal values (ID numbers, phones) appear masked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HouseholdAttribute(models.TextChoices):
    """贫困户属性 (DOMAIN §2.2). The 2013 form's 扶贫户 / 扶贫低保户 are mapped on import."""

    GENERAL = "general", _("一般贫困户")
    MINIMUM_LIVING = "minimum_living", _("低保贫困户")
    EXTREME_POVERTY = "extreme_poverty", _("特困供养贫困户")
    OTHER = "other", _("其他")
    UNKNOWN = "", _("未填写")


class PovertyCause(models.TextChoices):
    """致贫原因: the national system's 12 options plus 其他."""

    ILLNESS = "illness", _("因病")
    DISABILITY = "disability", _("因残")
    EDUCATION = "education", _("因学")
    DISASTER = "disaster", _("因灾")
    MARRIAGE = "marriage", _("因婚")
    LACK_LAND = "lack_land", _("缺土地")
    LACK_WATER = "lack_water", _("缺水")
    LACK_SKILLS = "lack_skills", _("缺技术")
    LACK_FUNDS = "lack_funds", _("缺资金")
    LACK_LABOUR = "lack_labour", _("缺劳力")
    POOR_TRANSPORT = "poor_transport", _("交通条件落后")
    LACK_MOTIVATION = "lack_motivation", _("自身发展动力不足")
    OTHER = "other", _("其他")
    UNKNOWN = "", _("未填写")


class Schooling(models.TextChoices):
    """在校生状况, the national value list (DOMAIN §2.2). Empty = not in school (非在校生)."""

    NONE = "", _("非在校生")
    PRESCHOOL_CHILD = "preschool_child", _("学龄前儿童")
    PRESCHOOL = "preschool", _("学前教育")
    PRIMARY = "primary", _("小学")
    GRADE_7 = "grade_7", _("七年级")
    GRADE_8 = "grade_8", _("八年级")
    GRADE_9 = "grade_9", _("九年级")
    HIGH_1 = "high_1", _("普通高中一年级")
    HIGH_2 = "high_2", _("普通高中二年级")
    HIGH_3 = "high_3", _("普通高中三年级")
    SECONDARY_VOCATIONAL_1 = "sec_voc_1", _("中职一年级")
    SECONDARY_VOCATIONAL_2 = "sec_voc_2", _("中职二年级")
    SECONDARY_VOCATIONAL_3 = "sec_voc_3", _("中职三年级")
    HIGHER_VOCATIONAL_1 = "higher_voc_1", _("高职高专一年级")
    HIGHER_VOCATIONAL_2 = "higher_voc_2", _("高职高专二年级")
    HIGHER_VOCATIONAL_3 = "higher_voc_3", _("高职高专三年级")
    UNDERGRADUATE = "undergraduate", _("本科生")
    POSTGRADUATE = "postgraduate", _("硕士生及以上")


# 中职 (secondary vocational) and 高职高专 (higher vocational): the Yulu plan's students.
SECONDARY_VOCATIONAL = (
    Schooling.SECONDARY_VOCATIONAL_1,
    Schooling.SECONDARY_VOCATIONAL_2,
    Schooling.SECONDARY_VOCATIONAL_3,
)
HIGHER_VOCATIONAL = (
    Schooling.HIGHER_VOCATIONAL_1,
    Schooling.HIGHER_VOCATIONAL_2,
    Schooling.HIGHER_VOCATIONAL_3,
)
VOCATIONAL = SECONDARY_VOCATIONAL + HIGHER_VOCATIONAL


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")
    UNKNOWN = "", _("未知")


class IdType(models.TextChoices):
    """证件类型."""

    RESIDENT_ID = "resident_id", _("居民身份证")
    DISABILITY = "disability", _("残疾人证")
    OTHER = "other", _("其他证件")


class Household(models.Model):
    # Tenant key.
    # No single-column indexes on the two area keys: the unique (county, number) and the
    # (village, number) index lead with them, and every index costs the bulk import its inserts.
    county = models.ForeignKey(
        "areas.Area",
        verbose_name=_("县"),
        on_delete=models.PROTECT,
        related_name="registry_households",
        db_index=False,
    )
    village = models.ForeignKey(
        "areas.Area", verbose_name=_("行政村"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    number = models.CharField(_("户编号"), max_length=40)
    attribute = models.CharField(
        _("贫困户属性"), max_length=20, choices=HouseholdAttribute.choices, blank=True, default=""
    )
    main_cause = models.CharField(
        _("主要致贫原因"), max_length=20, choices=PovertyCause.choices, blank=True, default=""
    )
    # Other causes: PovertyCause values joined by ",".
    other_causes = models.CharField(_("其他致贫原因"), max_length=200, blank=True, default="")
    exit_year = models.PositiveSmallIntegerField(_("脱贫年度"), null=True, blank=True)
    exited = models.BooleanField(_("已脱贫"), default=False)
    monitored = models.BooleanField(_("监测户"), default=False)
    monitoring_category = models.CharField(_("监测对象类别"), max_length=40, blank=True, default="")
    household_size = models.PositiveSmallIntegerField(_("家庭人口数"), null=True, blank=True)
    annual_income = models.DecimalField(
        _("家庭年收入（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    net_income = models.DecimalField(
        _("纯收入（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    per_capita_net_income = models.DecimalField(
        _("人均纯收入（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    phone_encrypted = models.TextField(_("联系电话（加密）"), blank=True, default="")
    phone_masked = models.CharField(_("联系电话"), max_length=24, blank=True, default="")
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["county", "number"]
        verbose_name = _("建档立卡贫困户")
        verbose_name_plural = _("建档立卡贫困户")
        constraints = [
            models.UniqueConstraint(fields=["county", "number"], name="registry_household_number_per_county"),
            models.CheckConstraint(
                condition=models.Q(exit_year__isnull=True)
                | models.Q(exit_year__gte=2013, exit_year__lte=2100),
                name="registry_household_exit_year_range",
            ),
        ]
        indexes = [
            # Village lists and the API's ?village=CODE: households of one village, by number.
            models.Index(fields=["village", "number"], name="registry_hh_village_idx"),
            # County dashboards and indicators: counts of exited / monitored households.
            models.Index(fields=["county", "exited", "monitored"], name="registry_hh_county_flags_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class Member(models.Model):
    household = models.ForeignKey(
        Household, verbose_name=_("所在户"), on_delete=models.PROTECT, related_name="members"
    )
    # Tenant key, plus the village (copied from the household) so scoping needs no second join.
    # Neither has an index of its own: the composite indexes below lead with them.
    county = models.ForeignKey(
        "areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    village = models.ForeignKey(
        "areas.Area", verbose_name=_("行政村"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    number = models.CharField(_("人编号"), max_length=40, blank=True, default="")
    name = models.CharField(_("姓名"), max_length=60)
    id_type = models.CharField(
        _("证件类型"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    # The normalised number, AES-GCM encrypted (context "registry.member.id_number").
    id_number_encrypted = models.TextField(_("证件号码（加密）"))
    # blind_index(number, purpose="id_number"): exact lookup and de-duplication.
    id_number_index = models.CharField(_("证件号码索引"), max_length=32)
    id_number_masked = models.CharField(_("证件号码"), max_length=24)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True, default="")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True, default="")
    relation = models.CharField(_("与户主关系"), max_length=20)
    education = models.CharField(_("文化程度"), max_length=20, blank=True, default="")
    schooling = models.CharField(
        _("在校生状况"), max_length=20, choices=Schooling.choices, blank=True, default=""
    )
    health = models.CharField(_("健康状况"), max_length=20, blank=True, default="")
    labour_skill = models.CharField(_("劳动技能"), max_length=20, blank=True, default="")
    phone_encrypted = models.TextField(_("联系电话（加密）"), blank=True, default="")
    phone_masked = models.CharField(_("联系电话"), max_length=24, blank=True, default="")
    active = models.BooleanField(_("在册"), default=True)
    left_on = models.DateField(_("减员日期"), null=True, blank=True)
    left_reason = models.CharField(_("减员原因"), max_length=100, blank=True, default="")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["household", "id"]
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        constraints = [
            # One person once per county; the import upserts on it.
            models.UniqueConstraint(
                fields=["county", "id_number_index"], name="registry_member_id_per_county"
            ),
            models.CheckConstraint(
                condition=models.Q(active=True) | models.Q(left_on__isnull=False),
                name="registry_member_left_has_date",
            ),
        ]
        indexes = [
            # Scoped member lists and the schooling filter (Yulu students of a county).
            models.Index(fields=["county", "schooling"], name="registry_member_schooling_idx"),
            # Village-scoped lists (village officers) and name search within scope.
            models.Index(fields=["village", "name"], name="registry_member_village_idx"),
        ]

    def __str__(self) -> str:
        return self.name


# Fields whose value over time is kept in MemberVersion.
VERSIONED_MEMBER_FIELDS = ("household_id", "schooling", "active", "education", "health", "labour_skill")


class MemberVersion(models.Model):
    """A member's status facts valid on [valid_from, valid_to); valid_to NULL = still current.

    valid_from is the date the source's facts hold (the import's --as-of), not the day it ran.
    Versions of one member never overlap; the import closes the open version when a fact changes."""

    # Indexes: unique (member, valid_from) serves every per-member look-up (member_status_on, the
    # eligibility SQL's NOT EXISTS) and (county, valid_from) the county-wide ones; the member and
    # county keys need none of their own. One row per member is written by every import, so each
    # index left out is a B-tree insert saved per person.
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="versions", db_index=False)
    county = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", db_index=False)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    schooling = models.CharField(_("在校生状况"), max_length=20, choices=Schooling.choices, blank=True)
    active = models.BooleanField(_("在册"))
    education = models.CharField(_("文化程度"), max_length=20, blank=True, default="")
    health = models.CharField(_("健康状况"), max_length=20, blank=True, default="")
    labour_skill = models.CharField(_("劳动技能"), max_length=20, blank=True, default="")
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        ordering = ["member", "valid_from"]
        verbose_name = _("成员状态版本")
        verbose_name_plural = _("成员状态版本")
        constraints = [
            models.UniqueConstraint(fields=["member", "valid_from"], name="registry_version_once_per_day"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=models.F("valid_from")),
                name="registry_version_valid_range",
            ),
        ]
        indexes = [
            # County-wide "as of" reports and the out-of-order import check.
            models.Index(fields=["county", "valid_from"], name="registry_version_county_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.valid_from}"


class RegistryChange(models.Model):
    """One changed field of a household or member: who, when, old, new, effective date."""

    county = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="changes")
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="changes"
    )
    field = models.CharField(_("字段"), max_length=40)
    # Personal values (ID numbers, phones) are stored masked.
    old_value = models.CharField(_("原值"), max_length=200, blank=True, default="")
    new_value = models.CharField(_("新值"), max_length=200, blank=True, default="")
    effective_on = models.DateField(_("生效日期"))
    changed_at = models.DateTimeField(_("变更时间"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    import_job = models.ForeignKey(
        "ImportJob", null=True, blank=True, on_delete=models.PROTECT, related_name="changes"
    )

    class Meta:
        ordering = ["-effective_on", "-id"]
        verbose_name = _("登记变更")
        verbose_name_plural = _("登记变更")
        indexes = [
            # The household page's history, newest first.
            models.Index(fields=["household", "-effective_on"], name="registry_change_hh_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} → {self.new_value}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


IMPORT_TRANSITIONS = {
    ImportStatus.QUEUED: {ImportStatus.RUNNING, ImportStatus.FAILED},
    ImportStatus.RUNNING: {ImportStatus.SUCCEEDED, ImportStatus.FAILED},
    ImportStatus.SUCCEEDED: set(),
    ImportStatus.FAILED: set(),
}


class ImportJob(models.Model):
    """A tracked registry import (web upload or CLI): status, progress, counts, error file."""

    county = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    # Path of the uploaded file under MEDIA_ROOT (removed after the import finishes).
    upload_path = models.CharField(max_length=300, blank=True, default="")
    as_of = models.DateField(_("数据日期"))
    full = models.BooleanField(_("完整快照"), default=False)
    strict_areas = models.BooleanField(_("严格区划"), default=False)
    dry_run = models.BooleanField(_("试运行"), default=False)
    status = models.CharField(
        _("状态"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    summary = models.JSONField(_("结果"), default=dict, blank=True)
    message = models.TextField(_("说明"), blank=True, default="")
    # Path of the error workbook under MEDIA_ROOT, empty when no row was rejected.
    error_file = models.CharField(_("错误文件"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # The process running the job ("host:pid") and when it last reported progress: a running job
    # whose process is gone, or silent too long, is failed by `recover_stalled_import_jobs`.
    worker = models.CharField(max_length=200, blank=True, default="")
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        indexes = [
            # The import page lists the county's jobs, newest first.
            models.Index(fields=["county", "-created_at"], name="registry_job_county_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def progress_percent(self) -> int:
        if not self.rows_total:
            return 100 if self.status == ImportStatus.SUCCEEDED else 0
        return min(100, round(100 * self.rows_done / self.rows_total))
