"""Write audit rows, and link them into their county's hash chain once they are committed.

`record_audit` is called from inside the service's transaction, so the record and the change it
describes commit together or not at all. It only inserts the record, pending (no chain position
or hash yet), and asks for the county's chain to be sealed after the commit. Sealing
(`seal_chain`) runs in a short transaction of its own: it locks the county's `AuditChainHead`
first, then updates only committed pending records, which nothing else writes. So a business
transaction never waits for the head, and sealers, which queue on the head and wait for nothing
else, cannot deadlock with anyone.

If the after-commit callback is lost (the process dies between the commit and the seal, or the
seal fails), the records stay pending: outside the chain, never breaking it. The next seal of
that county links them; `bangfu seal-audit` seals every county, `bangfu backup` seals before it
reads the chain heads, and `bangfu check-integrity` reports records pending for longer than a few
minutes.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import connection, models, transaction
from django.utils import timezone

from bangfu.audit.chain import HASHED_FIELDS, normalise_json, record_hash
from bangfu.audit.models import AuditChainHead, AuditRecord
from bangfu.core.middleware import current_request_id

if TYPE_CHECKING:
    from bangfu.accounts.models import User
    from bangfu.areas.models import Area

# Records sealed per transaction: a backlog (after a crash) is linked in batches, so the head is
# never held for long.
SEAL_BATCH = 1000


@transaction.atomic(savepoint=False)
def record_audit(
    *,
    actor: User | None,
    action: str,
    county: Area | None,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditRecord:
    """Insert one audit record, pending; it joins its county's hash chain after the commit.

    `actor` and `county` are required: None as actor is the system (CLI, tasks, seeding), said
    explicitly; `county` is the record's county (any Area inside it will do), so the record is on
    that county's chain and audit page. None only for a deployment-wide record (a user with no
    area); `bangfu check-integrity` lists those.

    One statement and no lock beyond the new row, so services may audit at any point of their
    transaction, before or after their own row locks."""
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_repr = str(target)[:200]
    else:
        target_repr = ""
    county_code = county.county_code if county is not None else ""
    request_id = current_request_id()
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
    )
    record.save(force_insert=True)
    _seal_after_commit(county_code)
    return record


def _seal_after_commit(county_code: str) -> None:
    # robust: the business transaction has committed; a failed seal only leaves records pending
    # (Django logs it), it must not turn the user's completed action into an error. A transaction
    # that audits several times registers several seals: the first links every record, the others
    # find nothing pending (one indexed query, no transaction).
    transaction.on_commit(partial(seal_chain, county_code=county_code), robust=True)


def _lock_head(county_code: str) -> AuditChainHead:
    """The chain head of a county, locked until the sealing transaction ends. The first seal of a
    county creates it (INSERT … ON CONFLICT DO NOTHING, so two first sealers do not clash)."""
    head = AuditChainHead.objects.select_for_update().filter(county_code=county_code).first()
    if head is None:
        AuditChainHead.objects.bulk_create([AuditChainHead(county_code=county_code)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(county_code=county_code)
    return head


def _pending(county_code: str) -> models.QuerySet[AuditRecord]:
    return AuditRecord.objects.filter(county_code=county_code, chain_seq__isnull=True)


def seal_chain(*, county_code: str) -> int:
    """Link the county's committed pending records into its chain; returns how many were linked.

    Each batch is one short transaction: lock the head, take the pending records in id order,
    give each the next chain position and its hashes, move the head. Concurrent sealers of a
    county wait for each other on the head and find nothing left to do. Not a business write:
    it writes no audit record of its own. Idempotent."""
    if not _pending(county_code).exists():
        return 0
    # On PostgreSQL the seal does not wait for its commit to reach the disk (synchronous_commit
    # off for this transaction only), so concurrent sealers queue on the head for a few
    # statements, not for a disk flush each. A crash can lose only the last fraction of a second
    # of seals (the next durable commit flushes every seal before it), and a lost seal only
    # leaves its records pending: the next seal links them again.
    relaxed = connection.vendor == "postgresql" and not connection.in_atomic_block
    sealed = 0
    while True:
        with transaction.atomic():
            if relaxed:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            head = _lock_head(county_code)
            # Read after the head lock: on PostgreSQL this statement's snapshot then includes the
            # work of the sealer we may have waited for.
            rows = list(_pending(county_code).order_by("id").values("id", *HASHED_FIELDS)[:SEAL_BATCH])
            if not rows:
                return sealed
            last_hash, length = head.last_hash, head.length
            linked = []
            for row in rows:
                length += 1
                digest = record_hash(row, last_hash)
                linked.append(AuditRecord(pk=row["id"], chain_seq=length, prev_hash=last_hash, hash=digest))
                last_hash = digest
            if len(linked) == 1:  # the usual case; bulk_update's CASE expressions cost more
                AuditRecord.objects.filter(pk=linked[0].pk).update(
                    chain_seq=length, prev_hash=linked[0].prev_hash, hash=last_hash
                )
            else:
                AuditRecord.objects.bulk_update(linked, ["chain_seq", "prev_hash", "hash"])
            AuditChainHead.objects.filter(pk=head.pk).update(
                last_hash=last_hash, last_record_id=rows[-1]["id"], length=length
            )
        sealed += len(rows)
        if len(rows) < SEAL_BATCH:
            return sealed


def seal_all_chains() -> dict[str, int]:
    """Seal every county that has pending records (`bangfu seal-audit`, `bangfu backup`).
    Returns the number of records linked per county code."""
    codes = list(
        AuditRecord.objects.filter(chain_seq__isnull=True)
        .order_by("county_code")
        .values_list("county_code", flat=True)
        .distinct()
    )
    return {code: seal_chain(county_code=code) for code in codes}


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep only the keys whose values changed."""
    changed = {key for key in after if before.get(key) != after.get(key)}
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}
