"""Write audit rows. Call from inside the service's transaction so both commit or neither does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from bangfu.audit.chain import instance_fields, normalise_json, record_hash
from bangfu.audit.models import AuditChainHead, AuditRecord
from bangfu.core.middleware import current_request_id

if TYPE_CHECKING:
    from bangfu.accounts.models import User


def _lock_head(county_code: str) -> AuditChainHead:
    """The chain head of a county, locked until the caller's transaction ends. The first record
    of a county creates it (INSERT … ON CONFLICT DO NOTHING, so two first writers do not clash)."""
    head = AuditChainHead.objects.select_for_update().filter(county_code=county_code).first()
    if head is None:
        AuditChainHead.objects.bulk_create([AuditChainHead(county_code=county_code)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(county_code=county_code)
    return head


@transaction.atomic(savepoint=False)
def record_audit(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    county_code: str = "",
) -> AuditRecord:
    """Append one record to its county's hash chain (bangfu.audit.chain).

    The head row stays locked until the surrounding transaction commits, so the audited writes
    of one county are serialised from this point on; take it last (services write their audit
    record after their own row locks). Three statements: lock the head, insert, move the head."""
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_repr = str(target)[:200]
    else:
        target_repr = ""
    request_id = current_request_id()
    head = _lock_head(county_code)
    record = AuditRecord(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr,
        before=normalise_json(before),
        after=normalise_json(after),
        reason=reason,
        request_id="" if request_id == "-" else request_id,
        county_code=county_code,
        created_at=timezone.now(),
        prev_hash=head.last_hash,
    )
    record.hash = record_hash(instance_fields(record), head.last_hash)
    record.save(force_insert=True)
    AuditChainHead.objects.filter(pk=head.pk).update(
        last_hash=record.hash, last_record_id=record.pk, length=models.F("length") + 1
    )
    return record


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep only the keys whose values changed."""
    changed = {key for key in after if before.get(key) != after.get(key)}
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}
