"""Write audit rows. Call from inside the service's transaction so both commit or neither does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from bangfu.audit.models import AuditRecord
from bangfu.core.middleware import current_request_id

if TYPE_CHECKING:
    from bangfu.accounts.models import User


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
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_repr = str(target)[:200]
    else:
        target_repr = ""
    request_id = current_request_id()
    return AuditRecord.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr,
        before=before,
        after=after,
        reason=reason,
        request_id="" if request_id == "-" else request_id,
        county_code=county_code,
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep only the keys whose values changed."""
    changed = {key for key in after if before.get(key) != after.get(key)}
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}
