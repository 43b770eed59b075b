"""A generic append-only fund ledger, shared by projects (jointly managed funds) and charity
(campaign funds).

An `Account` is one fund (a project's fund, a campaign's fund …), named by an external reference
such as "project:DX-2020-001" or "campaign:17". Its money moves only through `Entry` rows:
credits (allocation received), debits (disbursement paid) and reversals of an earlier entry.
Entries are never updated or deleted (the services offer no path, and database triggers refuse
UPDATE and DELETE); the balance is always the sum of the entries and never negative.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    PROJECT_FUND = "project_fund", _("项目资金")
    CAMPAIGN_FUND = "campaign_fund", _("募捐资金")
    OTHER = "other", _("其他资金")


class Account(models.Model):
    # Tenant key: the county whose fund this is.
    county = models.ForeignKey(
        "areas.Area", verbose_name=_("所属县"), on_delete=models.PROTECT, related_name="ledger_accounts"
    )
    kind = models.CharField(_("账户类型"), max_length=20, choices=AccountKind.choices)
    # The business object the fund belongs to, "<type>:<key>", e.g. "project:DX-2020-001".
    reference = models.CharField(_("关联对象"), max_length=80)
    name = models.CharField(_("账户名称"), max_length=200)
    currency = models.CharField(_("币种"), max_length=3, default="CNY")
    # Optional earmark (定向): what the money may be spent on, e.g. a village code or a purpose.
    earmark_area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("定向区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    earmark_purpose = models.CharField(_("定向用途"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("开立时间"), auto_now_add=True)

    class Meta:
        ordering = ["county", "reference"]
        verbose_name = _("资金账户")
        verbose_name_plural = _("资金账户")
        constraints = [
            models.UniqueConstraint(fields=["county", "reference"], name="ledger_account_unique_reference"),
            models.CheckConstraint(condition=models.Q(currency="CNY"), name="ledger_account_currency_cny"),
        ]

    def __str__(self) -> str:
        return self.name


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove a ledger entry."""


class EntryQuerySet(models.QuerySet["Entry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("ledger entries are append-only: post a reversal instead")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("ledger entries are append-only: post a reversal instead")


class EntryKind(models.TextChoices):
    CREDIT = "credit", _("拨入")  # allocation received: amount > 0
    DEBIT = "debit", _("支出")  # disbursement paid: amount < 0
    REVERSAL = "reversal", _("冲正")  # cancels one earlier entry: amount = -(that entry's amount)


class Entry(models.Model):
    """One movement of money. Signed: the balance is SUM(amount)."""

    account = models.ForeignKey(
        Account, verbose_name=_("资金账户"), on_delete=models.PROTECT, related_name="entries"
    )
    # Tenant key, copied from the account so county-wide sums need no join.
    county = models.ForeignKey(
        "areas.Area", verbose_name=_("所属县"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=EntryKind.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    # A reversal names the entry it cancels; an entry can be reversed at most once.
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲正的分录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    memo = models.CharField(_("摘要"), max_length=500, blank=True)
    # The business object behind the movement, e.g. ("projects.disbursement", "42").
    source_type = models.CharField(_("业务对象类型"), max_length=64, blank=True)
    source_id = models.CharField(_("业务对象"), max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    occurred_on = models.DateField(_("发生日期"))
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["account", "id"]
        verbose_name = _("资金分录")
        verbose_name_plural = _("资金分录")
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="ledger_entry_amount_not_zero"),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="credit", amount__gt=0, reverses__isnull=True)
                    | models.Q(kind="debit", amount__lt=0, reverses__isnull=True)
                    | models.Q(kind="reversal", reverses__isnull=False)
                ),
                name="ledger_entry_kind_sign",
            ),
        ]
        indexes = [
            # Balance and statement of one account: SUM/list by account.
            models.Index(fields=["account", "id"], name="ledger_entry_account_idx"),
            # County-wide figures by period (indicators, fund flow statements).
            models.Index(fields=["county", "occurred_on"], name="ledger_entry_county_date_idx"),
            # "Which entries belong to this disbursement / donation?"
            models.Index(fields=["source_type", "source_id"], name="ledger_entry_source_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    # Guards, not side effects: an existing entry can never be saved again or deleted.
    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("ledger entries are append-only: post a reversal instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("ledger entries are append-only: post a reversal instead")
