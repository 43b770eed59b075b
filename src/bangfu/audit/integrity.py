"""Audit continuity: every chain re-hashed from its first record by chain position, and its head
matched; records left pending (committed but not sealed) for longer than a few minutes listed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.audit.chain import HASHED_FIELDS, record_hash
from bangfu.audit.models import AuditChainHead, AuditRecord
from bangfu.core.integrity import MAX_LISTED, Breach

KIND = "audit_chain"
PENDING_KIND = "audit_pending"
# A record is sealed right after its transaction commits; one still pending this long after it
# was written (a long import commits some time after its audit write) lost its seal.
PENDING_GRACE = timedelta(minutes=10)


def _chain_label(code: str) -> str:
    return code or _("（全局）")


def check_chains() -> Iterator[Breach]:
    heads = {head.county_code: head for head in AuditChainHead.objects.all()}
    codes = set(heads) | set(AuditRecord.objects.order_by().values_list("county_code", flat=True).distinct())
    for code in sorted(codes):
        yield from _check_chain(code, heads.get(code))


def check_pending() -> Iterator[Breach]:
    """Records outside the chain are not protected by it: list the counties whose records have
    waited longer than the grace period (`bangfu seal-audit` links them)."""
    stale = (
        AuditRecord.objects.filter(chain_seq__isnull=True, created_at__lt=timezone.now() - PENDING_GRACE)
        .order_by("county_code")
        .values("county_code")
        .annotate(n=Count("id"), first_id=Min("id"), since=Min("created_at"))
    )
    for row in stale:
        yield Breach(
            PENDING_KIND,
            _(
                "审计链 %(chain)s：%(n)s 条审计记录写入超过 %(minutes)s 分钟仍未入链（最早为 #%(id)s，"
                "写于 %(since)s）：请运行 bangfu seal-audit"
            )
            % {
                "chain": _chain_label(row["county_code"]),
                "n": row["n"],
                "minutes": int(PENDING_GRACE.total_seconds() // 60),
                "id": row["first_id"],
                "since": timezone.localtime(row["since"]).strftime("%Y-%m-%d %H:%M"),
            },
        )


def _check_chain(code: str, head: AuditChainHead | None) -> Iterator[Breach]:
    label = _chain_label(code)
    # The sealed records in chain order. Not id order: on PostgreSQL ids are taken at insert and
    # transactions commit (and are sealed) in another order.
    rows = (
        AuditRecord.objects.filter(county_code=code, chain_seq__isnull=False)
        .order_by("chain_seq")
        .values("id", "chain_seq", "prev_hash", "hash", *HASHED_FIELDS)
        .iterator(chunk_size=2000)
    )
    expected_prev = ""
    last_id = None
    # The chain's length is its last position: positions run 1, 2, … without gaps.
    length = 0
    found = 0
    for row in rows:
        last_id = row["id"]
        problem = ""
        if row["prev_hash"] != expected_prev:
            problem = _("前一记录哈希不符（此前的记录被删除、插入或改动）")
        elif record_hash(row, expected_prev) != row["hash"]:
            problem = _("内容与哈希不符（记录被改动）")
        elif row["chain_seq"] != length + 1:
            problem = _("链位置应为 %(seq)s（链位置被改动）") % {"seq": length + 1}
        if problem:
            found += 1
            if found <= MAX_LISTED:
                yield Breach(
                    KIND,
                    _("审计链 %(chain)s：记录 #%(id)s %(action)s：%(problem)s")
                    % {"chain": label, "id": row["id"], "action": row["action"], "problem": problem},
                )
        # Continue from the stored hash and position so one altered record is reported once, not
        # for the rest.
        expected_prev = row["hash"]
        length = row["chain_seq"]
    if found > MAX_LISTED:
        yield Breach(
            KIND, _("审计链 %(chain)s：另有 %(n)s 处断裂") % {"chain": label, "n": found - MAX_LISTED}
        )
    if head is None:
        if length:
            yield Breach(KIND, _("审计链 %(chain)s：缺少链头记录") % {"chain": label})
        return
    if (head.last_hash, head.last_record_id, head.length) != (expected_prev, last_id, length):
        yield Breach(
            KIND,
            _(
                "审计链 %(chain)s：链头不符（链头记 %(head_n)s 条、最后为 #%(head_id)s，实有 %(n)s 条、"
                "最后为 #%(id)s）：末尾记录被删除或添加"
            )
            % {
                "chain": label,
                "head_n": head.length,
                "head_id": head.last_record_id,
                "n": length,
                "id": last_id,
            },
        )


NO_COUNTY_KIND = "audit_no_county"


def check_county() -> Iterator[Breach]:
    """Every audit record belongs to a county (record_audit requires one); records left without one
    (a deployment-wide action, or older records whose county could not be derived) are listed."""
    rows = AuditRecord.objects.filter(county_code="").order_by("id")
    count = rows.count()
    if count:
        sample = ", ".join(f"#{pk} {action}" for pk, action in rows.values_list("pk", "action")[:MAX_LISTED])
        yield Breach(
            NO_COUNTY_KIND,
            _("%(n)s 条审计记录没有所属县，不会出现在任何县的审计日志中：%(sample)s")
            % {"n": count, "sample": sample},
        )


CHECKS = [check_chains, check_pending, check_county]
