"""Audit continuity: every chain re-hashed from its first record, and its head matched."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from bangfu.audit.chain import HASHED_FIELDS, record_hash
from bangfu.audit.models import AuditChainHead, AuditRecord
from bangfu.core.integrity import MAX_LISTED, Breach

KIND = "audit_chain"


def _chain_label(code: str) -> str:
    return code or _("（全局）")


def check_chains() -> Iterator[Breach]:
    heads = {head.county_code: head for head in AuditChainHead.objects.all()}
    codes = set(heads) | set(AuditRecord.objects.order_by().values_list("county_code", flat=True).distinct())
    for code in sorted(codes):
        yield from _check_chain(code, heads.get(code))


def _check_chain(code: str, head: AuditChainHead | None) -> Iterator[Breach]:
    label = _chain_label(code)
    rows = (
        AuditRecord.objects.filter(county_code=code)
        .order_by("id")
        .values("id", "prev_hash", "hash", *HASHED_FIELDS)
        .iterator(chunk_size=2000)
    )
    expected_prev = ""
    last_id = None
    length = 0
    found = 0
    for row in rows:
        length += 1
        last_id = row["id"]
        problem = ""
        if row["prev_hash"] != expected_prev:
            problem = _("前一记录哈希不符（此前的记录被删除、插入或改动）")
        elif record_hash(row, expected_prev) != row["hash"]:
            problem = _("内容与哈希不符（记录被改动）")
        if problem:
            found += 1
            if found <= MAX_LISTED:
                yield Breach(
                    KIND,
                    _("审计链 %(chain)s：记录 #%(id)s %(action)s：%(problem)s")
                    % {"chain": label, "id": row["id"], "action": row["action"], "problem": problem},
                )
        # Continue from the stored hash so one altered record is reported once, not for the rest.
        expected_prev = row["hash"]
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


CHECKS = [check_chains]
