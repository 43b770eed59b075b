"""An append-only audit trail: every service writes one row in its own transaction; the row is
linked into its county's hash chain just after that transaction commits (bangfu.audit.chain)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditRecord(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.CharField(_("操作"), max_length=64)
    target_type = models.CharField(_("对象类型"), max_length=64)
    target_id = models.CharField(_("对象"), max_length=64, blank=True)
    target_repr = models.CharField(_("对象名称"), max_length=200, blank=True)
    # Always masked values: personal data never enters the audit trail in clear.
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)
    # Tenant key: the county (6-digit code) the change belongs to, empty for deployment-wide rows.
    county_code = models.CharField(_("县代码"), max_length=6, blank=True)
    # Set by record_audit before hashing (not auto_now_add, which would change it after).
    created_at = models.DateTimeField(_("时间"), default=timezone.now, editable=False)
    # Tamper evidence (bangfu.audit.chain): the record's position in the chain of its county_code
    # (1, 2, …; null while the record is pending, i.e. not yet sealed), its hash and its
    # predecessor's. Set once by seal_chain, never changed.
    chain_seq = models.BigIntegerField(_("链位置"), null=True, blank=True)
    prev_hash = models.CharField(_("前一记录哈希"), max_length=64, blank=True, default="")
    hash = models.CharField(_("哈希"), max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        indexes = [
            # The browse page filters by county then pages newest first.
            models.Index(fields=["county_code", "-created_at"], name="audit_county_time_idx"),
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            # seal_chain takes a county's pending records in id order; few rows are ever pending.
            models.Index(
                fields=["county_code", "id"],
                condition=models.Q(chain_seq__isnull=True),
                name="audit_pending_idx",
            ),
        ]
        constraints = [
            # One record per chain position; its index serves check-integrity's walk of a chain.
            models.UniqueConstraint(fields=["county_code", "chain_seq"], name="audit_chain_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"


class AuditChainHead(models.Model):
    """The end of one county's audit hash chain (`length` is the last chain position). `seal_chain`
    locks this row (SELECT … FOR UPDATE) in its own short transaction while it appends, so
    concurrent sealers extend the chain one after another; business transactions never touch it."""

    county_code = models.CharField(_("县代码"), max_length=6, unique=True)
    last_hash = models.CharField(_("最新哈希"), max_length=64, blank=True, default="")
    last_record_id = models.BigIntegerField(_("最新记录"), null=True, blank=True)
    length = models.BigIntegerField(_("记录数"), default=0)

    class Meta:
        ordering = ["county_code"]
        verbose_name = _("审计链")
        verbose_name_plural = _("审计链")

    def __str__(self) -> str:
        return f"{self.county_code or '-'} {self.length} {self.last_hash[:12]}"
