"""Poverty Alleviation Day (扶贫日, 17 October): campaigns, donations, spending of the funds raised.

Money moves through the shared fund ledger (`bangfu.ledger`): a money donation credits the
campaign's account for its earmark, an approved spending debits it (see `charity.funds`). These
tables hold what the ledger does not: who gave, the receipt, the purpose and the approvals.

Personal data here: a person donor's name (public only with consent) and the household number of
a household earmark or recipient (never public; the public sees the village).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bangfu.lib.periods import add_working_days

__all__ = ["add_working_days"]  # the disclosure deadline's arithmetic, re-exported

# The disclosure deadline: 30 working days after the campaign closes (DOMAIN §5.6, Sichuan 2015).
DISCLOSURE_WORKING_DAYS = 30
# The public name of a donor who did not consent to publication.
ANONYMOUS_DONOR = "爱心人士"


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    OPEN = "open", _("募集中")
    CLOSED = "closed", _("已结束募集")
    DISCLOSED = "disclosed", _("已公示")


CAMPAIGN_TRANSITIONS: dict[str, tuple[str, ...]] = {
    CampaignStatus.PLANNED: (CampaignStatus.OPEN,),
    CampaignStatus.OPEN: (CampaignStatus.CLOSED,),
    CampaignStatus.CLOSED: (CampaignStatus.DISCLOSED,),
    CampaignStatus.DISCLOSED: (),
}


class Campaign(models.Model):
    # Tenant key.
    county = models.ForeignKey(
        "areas.Area", verbose_name=_("所属县"), on_delete=models.PROTECT, related_name="charity_campaigns"
    )
    # Public identifier used in /disclosure/<code>/, e.g. "513325-2020".
    code = models.SlugField(_("活动编号"), max_length=40, unique=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("活动名称"), max_length=120)
    organiser = models.ForeignKey(
        "partners.Organisation", verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("募集开始日期"))
    ends_on = models.DateField(_("募集结束日期"))
    target = models.DecimalField(_("募集目标（元）"), max_digits=14, decimal_places=2)
    disclosure_deadline = models.DateField(_("公示截止日期"))
    status = models.CharField(
        _("状态"), max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.PLANNED
    )
    disclosed_on = models.DateField(_("公示日期"), null=True, blank=True)
    description = models.TextField(_("活动说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "code"]
        verbose_name = _("扶贫日活动")
        verbose_name_plural = _("扶贫日活动")
        constraints = [
            models.UniqueConstraint(fields=["county", "year", "name"], name="charity_campaign_unique_name"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="charity_campaign_dates"
            ),
            models.CheckConstraint(condition=models.Q(target__gte=0), name="charity_campaign_target_nonneg"),
            models.CheckConstraint(
                condition=models.Q(disclosure_deadline__gte=models.F("ends_on")),
                name="charity_campaign_deadline_after_end",
            ),
        ]
        indexes = [
            # The county's campaign list and the public list: county filter, newest year first.
            models.Index(fields=["county", "-year"], name="charity_campaign_county_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def deadline_met(self, today: date) -> bool | None:
        """True/False once decidable; None while the deadline lies ahead and nothing is disclosed."""
        if self.disclosed_on is not None:
            return self.disclosed_on <= self.disclosure_deadline
        if today > self.disclosure_deadline:
            return False
        return None


class DonorKind(models.TextChoices):
    PERSON = "person", _("个人")
    ORGANISATION = "organisation", _("单位")


class DonationKind(models.TextChoices):
    MONEY = "money", _("资金")
    GOODS = "goods", _("物资")


class EarmarkKind(models.TextChoices):
    NONE = "none", _("非定向")
    VILLAGE = "village", _("定向到村")
    HOUSEHOLD = "household", _("定向到户")
    PROJECT = "project", _("定向到项目")


class Channel(models.TextChoices):
    BANK = "bank", _("银行转账")
    PLATFORM = "platform", _("网络平台")
    CASH = "cash", _("现金")
    ONSITE = "onsite", _("现场捐赠")
    OTHER = "other", _("其他")


class DonationImport(models.Model):
    """One accepted statement import (a rejected import leaves no row: nothing is saved)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="imports")
    filename = models.CharField(_("文件名"), max_length=200)
    file_format = models.CharField(_("格式"), max_length=12)
    rows = models.PositiveIntegerField(_("行数"))
    total = models.DecimalField(_("合计（元）"), max_digits=14, decimal_places=2)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("捐赠导入")
        verbose_name_plural = _("捐赠导入")

    def __str__(self) -> str:
        return self.filename


class Donation(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("活动"), on_delete=models.PROTECT, related_name="donations"
    )
    # Tenant key (the campaign's county), so county-wide figures need no join.
    county = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    receipt_number = models.CharField(_("收据编号"), max_length=40, unique=True)
    donor_kind = models.CharField(_("捐赠人类型"), max_length=12, choices=DonorKind.choices)
    donor_name = models.CharField(_("捐赠人"), max_length=120)
    # 统一社会信用代码, validated with stdnum.cn.uscc; only for organisations.
    donor_uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    publish_name = models.BooleanField(_("同意公开姓名"), default=False)
    kind = models.CharField(
        _("捐赠形式"), max_length=8, choices=DonationKind.choices, default=DonationKind.MONEY
    )
    # Money: the amount; goods: the valued amount (折价).
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    goods_description = models.CharField(_("物资说明"), max_length=200, blank=True)
    earmark_kind = models.CharField(
        _("定向"), max_length=12, choices=EarmarkKind.choices, default=EarmarkKind.NONE
    )
    # The village of a village or household earmark (public); household number is internal only.
    earmark_village = models.ForeignKey(
        "areas.Area",
        verbose_name=_("定向村"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    earmark_household = models.CharField(_("定向户编号"), max_length=40, blank=True)
    earmark_project = models.CharField(_("定向项目"), max_length=120, blank=True)
    channel = models.CharField(_("渠道"), max_length=12, choices=Channel.choices)
    donated_on = models.DateField(_("捐赠日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    source_import = models.ForeignKey(
        DonationImport, null=True, blank=True, on_delete=models.PROTECT, related_name="donations"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # A wrong donation is voided, never deleted: its ledger credit is reversed.
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["-donated_on", "receipt_number"]
        verbose_name = _("捐赠")
        verbose_name_plural = _("捐赠")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="charity_donation_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(voided_at__isnull=True) | ~models.Q(void_reason=""),
                name="charity_donation_void_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(donor_kind="person", donor_uscc="") | models.Q(donor_kind="organisation"),
                name="charity_donation_uscc_only_for_organisations",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="money", goods_description="")
                | models.Q(kind="goods") & ~models.Q(goods_description=""),
                name="charity_donation_goods_described",
            ),
            models.CheckConstraint(
                condition=models.Q(earmark_kind="none", earmark_village__isnull=True)
                | models.Q(earmark_kind="village", earmark_village__isnull=False)
                | models.Q(earmark_kind="household", earmark_village__isnull=False)
                & ~models.Q(earmark_household="")
                | models.Q(earmark_kind="project", earmark_village__isnull=True)
                & ~models.Q(earmark_project=""),
                name="charity_donation_earmark_complete",
            ),
        ]
        indexes = [
            # The campaign's donation list and its totals.
            models.Index(fields=["campaign", "-donated_on"], name="charity_donation_campaign_idx"),
            # County-wide indicators over a period.
            models.Index(fields=["county", "donated_on"], name="charity_donation_county_idx"),
            # The public page's newest-change stamp (selectors.public_campaign_stamp): index lookups.
            models.Index(fields=["campaign", "created_at"], name="charity_donation_created_idx"),
            models.Index(fields=["campaign", "voided_at"], name="charity_donation_voided_idx"),
        ]

    def __str__(self) -> str:
        return self.receipt_number

    @property
    def public_donor_name(self) -> str:
        if self.donor_kind == DonorKind.ORGANISATION or self.publish_name:
            return self.donor_name
        return ANONYMOUS_DONOR


class SpendingStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
    REVERSED = "reversed", _("已冲正")


SPENDING_TRANSITIONS: dict[str, tuple[str, ...]] = {
    SpendingStatus.REQUESTED: (SpendingStatus.APPROVED, SpendingStatus.REJECTED),
    SpendingStatus.APPROVED: (SpendingStatus.REVERSED,),
    SpendingStatus.REJECTED: (),
    SpendingStatus.REVERSED: (),
}
# How many distinct users other than the requester must approve.
APPROVALS_NEEDED = 2


class RecipientKind(models.TextChoices):
    PROJECT = "project", _("项目")
    VILLAGE = "village", _("村")
    HOUSEHOLD = "household", _("户")


class Spending(models.Model):
    """An allocation of campaign funds. It debits the ledger only once two approvals are in."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("活动"), on_delete=models.PROTECT, related_name="spendings"
    )
    county = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    # Which pool it draws from: the unearmarked pool or one earmark (charity.funds.earmark_key).
    earmark_key = models.CharField(_("资金来源"), max_length=200)
    recipient_kind = models.CharField(_("使用对象"), max_length=12, choices=RecipientKind.choices)
    # Shown publicly: the recipient is told at village level only.
    village = models.ForeignKey(
        "areas.Area",
        verbose_name=_("受益村"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    household = models.CharField(_("受益户编号"), max_length=40, blank=True)
    project = models.CharField(_("项目"), max_length=120, blank=True)
    purpose = models.CharField(_("用途"), max_length=200)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    status = models.CharField(
        _("状态"), max_length=12, choices=SpendingStatus.choices, default=SpendingStatus.REQUESTED
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # The ledger entry written on approval (opaque reference into bangfu.ledger).
    ledger_ref = models.CharField(max_length=64, blank=True)
    # An approved spending that turns out wrong is reversed in the ledger, never deleted.
    reversed_at = models.DateTimeField(_("冲正时间"), null=True, blank=True)
    reversal_reason = models.CharField(_("冲正原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("资金使用")
        verbose_name_plural = _("资金使用")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="charity_spending_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(recipient_kind="project") & ~models.Q(project="")
                | models.Q(recipient_kind="village", village__isnull=False)
                | models.Q(recipient_kind="household", village__isnull=False) & ~models.Q(household=""),
                name="charity_spending_recipient_complete",
            ),
        ]
        indexes = [
            # The campaign's spending list; the approval queue filters on status.
            models.Index(fields=["campaign", "status"], name="charity_spending_campaign_idx"),
        ]

    def __str__(self) -> str:
        return self.purpose


class SpendingApproval(models.Model):
    spending = models.ForeignKey(Spending, on_delete=models.PROTECT, related_name="approvals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved = models.BooleanField(_("同意"))
    comment = models.CharField(_("意见"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["spending", "user"], name="charity_approval_once_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.spending_id}/{self.user_id}"
