"""Organisations the plan names (helper units, departments, townships, enterprises, partners), their
cadres and liaison contacts, pairings of every kind, visits and monthly cooperation figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgType(models.TextChoices):
    """帮扶单位类型 (DOMAIN §2.3), widened to the bodies the 2020 plan names."""

    PARTY_GOVERNMENT = "party_government", _("党政机关")
    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    UNIVERSITY = "university", _("高等院校")
    HOSPITAL = "hospital", _("医院")
    STATE_ENTERPRISE = "state_enterprise", _("国有企业")
    PRIVATE_ENTERPRISE = "private_enterprise", _("民营企业")
    FINANCIAL = "financial", _("金融机构")
    SOCIAL_ORGANISATION = "social_organisation", _("社会组织")
    PEOPLES_ORGANISATION = "peoples_organisation", _("人民团体")
    EAST_PARTNER = "east_partner", _("东部协作地区")
    COUNTERPART = "counterpart", _("省内对口帮扶方")
    TOWNSHIP = "township", _("乡（镇）")
    VILLAGE_COMMITTEE = "village_committee", _("村民自治组织")
    MILITARY = "military", _("军队")
    OTHER = "other", _("其他")


class AdminLevel(models.TextChoices):
    """隶属关系 / administrative level."""

    CENTRAL = "central", _("中央")
    PROVINCIAL = "provincial", _("省")
    PREFECTURE = "prefecture", _("市（州）")
    COUNTY = "county", _("县")
    TOWNSHIP = "township", _("乡（镇）")
    VILLAGE = "village", _("村")
    MILITARY = "military", _("军队")
    OTHER = "other", _("其他")


class Organisation(models.Model):
    # Tenant key: the county whose plan this organisation takes part in.
    county = models.ForeignKey(
        "areas.Area", verbose_name=_("所属县"), on_delete=models.PROTECT, related_name="organisations"
    )
    code = models.CharField(_("单位编码"), max_length=32)
    name = models.CharField(_("单位名称"), max_length=120)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    org_type = models.CharField(_("单位类型"), max_length=24, choices=OrgType.choices)
    admin_level = models.CharField(_("隶属关系"), max_length=12, choices=AdminLevel.choices)
    # Where the unit sits; empty for partners outside the county (then `region` says where).
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("所在区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.CharField(_("所在地区"), max_length=100, blank=True)
    # 上级单位: e.g. a Guangdong town under its district, a hospital under its health bureau.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["county", "admin_level", "code"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        constraints = [
            models.UniqueConstraint(fields=["county", "code"], name="org_unique_code_per_county"),
            models.UniqueConstraint(fields=["county", "name"], name="org_unique_name_per_county"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """联络员: the people a unit names for the plan's liaison mechanism (联络机制)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="contacts"
    )
    name = models.CharField(_("姓名"), max_length=60)
    post = models.CharField(_("职务"), max_length=60, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    is_liaison = models.BooleanField(_("联络员"), default=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "-is_liaison", "name"]
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="contact_unique_name_per_org"),
        ]

    def __str__(self) -> str:
        return self.name


class JobGrade(models.TextChoices):
    """职务级别 (DOMAIN §2.3), highest first."""

    NATIONAL_MAIN = "national_main", _("国家级正职")
    NATIONAL_DEPUTY = "national_deputy", _("国家级副职")
    MINISTERIAL_MAIN = "ministerial_main", _("省部级正职")
    MINISTERIAL_DEPUTY = "ministerial_deputy", _("省部级副职")
    BUREAU_MAIN = "bureau_main", _("厅局级正职")
    BUREAU_DEPUTY = "bureau_deputy", _("厅局级副职")
    DIVISION_MAIN = "division_main", _("县处级正职")
    DIVISION_DEPUTY = "division_deputy", _("县处级副职")
    SECTION_MAIN = "section_main", _("乡科级正职")
    SECTION_DEPUTY = "section_deputy", _("乡科级副职")
    STAFF = "staff", _("科员级")
    CLERK = "clerk", _("办事员级")
    UNGRADED = "ungraded", _("未定职")


# Kinship load caps (households per cadre) when a county has not configured its own: 五峰 2016
# (DOMAIN §2.3) — 正处 5, 副处 4, 正科 3, 副科 2, ordinary cadres 1; grades above 正处 as 正处.
DEFAULT_KINSHIP_CAPS: dict[str, int] = {
    JobGrade.NATIONAL_MAIN: 5,
    JobGrade.NATIONAL_DEPUTY: 5,
    JobGrade.MINISTERIAL_MAIN: 5,
    JobGrade.MINISTERIAL_DEPUTY: 5,
    JobGrade.BUREAU_MAIN: 5,
    JobGrade.BUREAU_DEPUTY: 5,
    JobGrade.DIVISION_MAIN: 5,
    JobGrade.DIVISION_DEPUTY: 4,
    JobGrade.SECTION_MAIN: 3,
    JobGrade.SECTION_DEPUTY: 2,
    JobGrade.STAFF: 1,
    JobGrade.CLERK: 1,
    JobGrade.UNGRADED: 1,
}


class Cadre(models.Model):
    """帮扶干部 / 帮扶责任人: a named official of a helper organisation."""

    county = models.ForeignKey(
        "areas.Area", verbose_name=_("所属县"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="cadres"
    )
    name = models.CharField(_("姓名"), max_length=60)
    post = models.CharField(_("职务"), max_length=60, blank=True)
    job_grade = models.CharField(_("职务级别"), max_length=20, choices=JobGrade.choices)
    # The mobile must be unique across helpers (DOMAIN §2.3), so it identifies a cadre on import.
    phone = models.CharField(_("手机号"), max_length=11)
    resident_team = models.BooleanField(_("驻村工作队队员"), default=False)
    is_active = models.BooleanField(_("在岗"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("帮扶干部")
        verbose_name_plural = _("帮扶干部")
        constraints = [
            models.UniqueConstraint(fields=["phone"], name="cadre_unique_phone"),
            models.CheckConstraint(
                condition=models.Q(phone__regex=r"^1[0-9]{10}$"), name="cadre_phone_mobile"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class KinshipCap(models.Model):
    """A county's own kinship load cap for one job grade (overrides DEFAULT_KINSHIP_CAPS)."""

    county = models.ForeignKey(
        "areas.Area", verbose_name=_("所属县"), on_delete=models.PROTECT, related_name="+"
    )
    job_grade = models.CharField(_("职务级别"), max_length=20, choices=JobGrade.choices)
    max_households = models.PositiveSmallIntegerField(_("最多结对户数"))

    class Meta:
        ordering = ["county", "job_grade"]
        verbose_name = _("结对户数上限")
        verbose_name_plural = _("结对户数上限")
        constraints = [
            models.UniqueConstraint(fields=["county", "job_grade"], name="kinshipcap_unique_grade"),
        ]

    def __str__(self) -> str:
        return f"{self.get_job_grade_display()}: {self.max_households}"


class VisitRule(models.Model):
    """A county's work-team rule: team size range and how often each helper unit must visit.
    Defaults are the plan's: teams of 2–5, at least once a quarter and 4 times a year."""

    DEFAULTS = {"team_min": 2, "team_max": 5, "per_quarter": 1, "per_year": 4, "kinship_per_quarter": 1}

    county = models.OneToOneField(
        "areas.Area", verbose_name=_("所属县"), on_delete=models.PROTECT, related_name="+"
    )
    team_min = models.PositiveSmallIntegerField(_("工作组最少人数"), default=2)
    team_max = models.PositiveSmallIntegerField(_("工作组最多人数"), default=5)
    per_quarter = models.PositiveSmallIntegerField(_("每季度至少走访次数"), default=1)
    per_year = models.PositiveSmallIntegerField(_("全年至少走访次数"), default=4)
    kinship_per_quarter = models.PositiveSmallIntegerField(_("结对户每季度至少走访次数"), default=1)

    class Meta:
        verbose_name = _("走访规则")
        verbose_name_plural = _("走访规则")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(team_min__gte=1) & models.Q(team_max__gte=models.F("team_min")),
                name="visitrule_team_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team_min}-{self.team_max} / {self.per_quarter} / {self.per_year}"


class PairingKind(models.TextChoices):
    DESIGNATED = "designated", _("定点帮扶")
    KINSHIP = "kinship", _("结对认亲")
    EAST_WEST = "east_west", _("东西部扶贫协作")
    COUNTERPART = "counterpart", _("省内对口帮扶")
    ENTERPRISE = "enterprise", _("万企帮万村")


class EastWestLevel(models.TextChoices):
    """携手奔康 pairing levels (DOMAIN §5.1, "七级结对")."""

    COUNTY = "county", _("县县结对")
    TOWNSHIP = "township", _("镇镇结对")
    VILLAGE = "village", _("村村结对")
    SCHOOL = "school", _("校校结对")
    HOSPITAL = "hospital", _("院院结对")
    ENTERPRISE_VILLAGE = "enterprise_village", _("企村结对")
    SOCIAL_VILLAGE = "social_village", _("社会组织结村")


class HelpMode(models.TextChoices):
    """万企帮万村 help modes (DOMAIN §5.4)."""

    INDUSTRY = "industry", _("产业帮扶")
    EMPLOYMENT = "employment", _("就业帮扶")
    CHARITY = "charity", _("公益帮扶")
    TRADE = "trade", _("商贸帮扶")
    TRAINING = "training", _("技能培训")


class Pairing(models.Model):
    """Who helps whom, from when until when. A change of helper ends the pairing (end_date) and
    starts a new one pointing back at it (`previous`); rows are never overwritten.

    The helper is an organisation (every kind but KINSHIP) or a cadre (KINSHIP). The target is an
    area (village for DESIGNATED/ENTERPRISE, county/township/village for EAST_WEST and COUNTERPART),
    an organisation of the county (EAST_WEST school–school, hospital–hospital) or a household
    (KINSHIP). `end_date` is the last day of the pairing (inclusive); empty while it runs."""

    county = models.ForeignKey(
        "areas.Area", verbose_name=_("所属县"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("帮扶类型"), max_length=12, choices=PairingKind.choices)
    helper_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("帮扶单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pairings",
    )
    helper_cadre = models.ForeignKey(
        Cadre,
        verbose_name=_("帮扶干部"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pairings",
    )
    target_area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("受帮扶区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("受帮扶单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_pairings",
    )
    target_household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("结对贫困户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    east_west_level = models.CharField(
        _("协作层级"), max_length=20, choices=EastWestLevel.choices, blank=True
    )
    # ENTERPRISE: help modes, a list of HelpMode values.
    help_modes = models.JSONField(_("帮扶方式"), default=list, blank=True)
    # COUNTERPART: the yearly plan agreed by both sides (text; amounts go to monthly indicators).
    yearly_plan = models.TextField(_("年度帮扶计划"), blank=True)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=200, blank=True)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("前一结对"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next",
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "start_date", "id"]
        verbose_name = _("结对帮扶")
        verbose_name_plural = _("结对帮扶")
        indexes = [
            # Lists by kind in a county, and the coverage check "active designated helpers".
            models.Index(fields=["county", "kind", "end_date"], name="pairing_county_kind_idx"),
            # A unit reporter's own pairings.
            models.Index(fields=["helper_organisation", "kind"], name="pairing_helper_org_idx"),
            # A cadre's kinship load and households.
            models.Index(fields=["helper_cadre", "end_date"], name="pairing_helper_cadre_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="pairing_end_after_start",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="kinship", helper_cadre__isnull=False, helper_organisation__isnull=True)
                    | (
                        ~models.Q(kind="kinship")
                        & models.Q(helper_organisation__isnull=False, helper_cadre__isnull=True)
                    )
                ),
                name="pairing_helper_matches_kind",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="kinship") | models.Q(target_household__isnull=False),
                name="pairing_kinship_has_household",
            ),
            # A household has at most one running kinship cadre; a change of cadre ends the old pairing.
            models.UniqueConstraint(
                fields=["target_household"],
                condition=models.Q(end_date__isnull=True, kind="kinship"),
                name="pairing_one_active_kinship_per_household",
            ),
            # No two running pairings of one kind between the same organisation and area.
            models.UniqueConstraint(
                fields=["kind", "helper_organisation", "target_area"],
                condition=models.Q(end_date__isnull=True),
                name="pairing_unique_active_org_area",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.helper_name} → {self.target_name}"

    @property
    def helper_name(self) -> str:
        helper = self.helper_cadre if self.kind == PairingKind.KINSHIP else self.helper_organisation
        return str(helper) if helper else ""

    @property
    def target_name(self) -> str:
        target = self.target_organisation or self.target_area or self.target_household
        return str(target) if target else ""

    def is_active_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


class VisitForm(models.TextChoices):
    IN_PERSON = "in_person", _("入户走访")
    PHONE = "phone", _("电话联系")


class Visit(models.Model):
    """A work-team visit (工作组走访) of a helper organisation to a village."""

    county = models.ForeignKey(
        "areas.Area", verbose_name=_("所属县"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("帮扶单位"), on_delete=models.PROTECT, related_name="visits"
    )
    village = models.ForeignKey(
        "areas.Area", verbose_name=_("走访村"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("走访日期"))
    team_size = models.PositiveSmallIntegerField(_("工作组人数"))
    purpose = models.CharField(_("走访目的"), max_length=200)
    activities = models.TextField(_("开展工作"), blank=True)
    households_visited = models.PositiveIntegerField(_("走访户数"), default=0)
    follow_ups = models.TextField(_("后续事项"), blank=True)
    # Filled when the village is not in the organisation's pairings (e.g. a joint inspection).
    off_pairing_reason = models.CharField(_("非结对村原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("填报人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("工作组走访")
        verbose_name_plural = _("工作组走访")
        indexes = [
            # The compliance matrix: visits of a county in a year counted per organisation and
            # quarter with the team-size rule; covering, so SQLite never reads the table rows.
            models.Index(fields=["county", "organisation", "date", "team_size"], name="visit_compliance_idx"),
            # A unit reporter's own visits, newest first.
            models.Index(fields=["organisation", "date"], name="visit_org_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(team_size__gte=1), name="visit_team_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.village} {self.date}"


class VisitMember(models.Model):
    """One member of a work team: a registered cadre or a named guest."""

    visit = models.ForeignKey(Visit, verbose_name=_("走访"), on_delete=models.PROTECT, related_name="members")
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("帮扶干部"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    guest_name = models.CharField(_("其他成员"), max_length=60, blank=True)

    class Meta:
        ordering = ["visit", "id"]
        verbose_name = _("工作组成员")
        verbose_name_plural = _("工作组成员")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cadre__isnull=False) | ~models.Q(guest_name=""),
                name="visitmember_cadre_or_guest",
            ),
        ]

    def __str__(self) -> str:
        return str(self.cadre) if self.cadre_id else self.guest_name


class VisitAttachment(models.Model):
    visit = models.ForeignKey(
        Visit, verbose_name=_("走访"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("附件"), upload_to="partners/visits/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["visit", "id"]
        verbose_name = _("走访附件")
        verbose_name_plural = _("走访附件")

    def __str__(self) -> str:
        return self.name


class KinshipVisit(models.Model):
    """A cadre's visit or call to a paired household (结对认亲走访)."""

    county = models.ForeignKey(
        "areas.Area", verbose_name=_("所属县"), on_delete=models.PROTECT, related_name="+"
    )
    pairing = models.ForeignKey(
        Pairing, verbose_name=_("结对"), on_delete=models.PROTECT, related_name="kinship_visits"
    )
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("帮扶干部"), on_delete=models.PROTECT, related_name="kinship_visits"
    )
    household = models.ForeignKey(
        "registry.Household", verbose_name=_("贫困户"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("走访日期"))
    form = models.CharField(_("走访形式"), max_length=12, choices=VisitForm.choices)
    notes = models.TextField(_("走访记录"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("填报人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("结对户走访")
        verbose_name_plural = _("结对户走访")
        indexes = [
            # Kinship compliance: visits of a county in a year, grouped by pairing.
            models.Index(fields=["county", "date", "pairing"], name="kvisit_county_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} → {self.household} {self.date}"


class PairingFigures(models.Model):
    """One month of inputs (帮扶投入) of one pairing of any organisation kind — designated,
    east–west, counterpart or enterprise (DOMAIN §5.1, §5.4): funds by source (直接投入 / 捐物折价 /
    引进资金), training sessions (期) and trainees (人次), labour placed, products bought (消费扶贫),
    enterprises introduced and their investment, cadres and specialists seconded (挂职干部 /
    专技人才). Every figure is what happened in the month (a flow). One row per pairing and month;
    a correction updates the row through an audited service (before/after in the audit trail)."""

    pairing = models.ForeignKey(
        Pairing, verbose_name=_("结对帮扶"), on_delete=models.PROTECT, related_name="monthly_figures"
    )
    month = models.DateField(_("月份"))  # the first day of the month
    # Until migration 0006 one `funds` column held the pairing's money; it is the direct input.
    funds_direct = models.DecimalField(
        _("直接投入资金（元）"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    funds_in_kind = models.DecimalField(
        _("捐物折价（元）"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    funds_introduced = models.DecimalField(
        _("引进资金（元）"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    training_sessions = models.PositiveIntegerField(_("培训期数"), default=0)
    people_trained = models.PositiveIntegerField(_("培训人次"), default=0)
    labour_transferred = models.PositiveIntegerField(_("劳务转移人数"), default=0)
    consumption = models.DecimalField(
        _("消费扶贫金额（元）"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    enterprises_introduced = models.PositiveIntegerField(_("引进企业数"), default=0)
    investment = models.DecimalField(
        _("实际投资（元）"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    cadres_seconded = models.PositiveIntegerField(_("选派挂职干部（人）"), default=0)
    specialists_seconded = models.PositiveIntegerField(_("选派专技人才（人）"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pairing", "month"]
        verbose_name = _("月度帮扶投入")
        verbose_name_plural = _("月度帮扶投入")
        constraints = [
            models.UniqueConstraint(fields=["pairing", "month"], name="figures_unique_month"),
            models.CheckConstraint(
                condition=models.Q(funds_direct__gte=0)
                & models.Q(funds_in_kind__gte=0)
                & models.Q(funds_introduced__gte=0)
                & models.Q(consumption__gte=0)
                & models.Q(investment__gte=0),
                name="figures_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pairing} {self.month:%Y-%m}"

    @property
    def funds(self) -> Decimal:
        """帮扶资金: the three sources together."""
        return self.funds_direct + self.funds_in_kind + self.funds_introduced


# The pairing kinds that record inputs: every kind helped by an organisation (kinship pairings are
# a cadre's households; their work is the kinship visits).
FIGURE_KINDS = (
    PairingKind.DESIGNATED,
    PairingKind.EAST_WEST,
    PairingKind.COUNTERPART,
    PairingKind.ENTERPRISE,
)
# Funds by source (帮扶资金 = their sum).
FUND_SOURCES = ("funds_direct", "funds_in_kind", "funds_introduced")
MONEY_FIELDS = (*FUND_SOURCES, "consumption", "investment")
FIGURE_FIELDS = (
    *FUND_SOURCES,
    "training_sessions",
    "people_trained",
    "labour_transferred",
    "consumption",
    "enterprises_introduced",
    "investment",
    "cadres_seconded",
    "specialists_seconded",
)
