"""Tamper evidence for the audit trail: a hash chain per county.

Every sealed `AuditRecord` stores `hash` = SHA-256 of its content plus the previous record's hash
of the same chain (`prev_hash`). A chain is the sealed records of one `county_code` ("" for
deployment-wide rows) in `chain_seq` order (1, 2, …); `AuditChainHead` holds each chain's last
hash, last record id and length. Changing, inserting or deleting a record anywhere breaks the
chain at that point, and removing records from the end no longer matches the head.

A record joins the chain after its business transaction commits, when `seal_chain` (see
`bangfu.audit.services`) gives it the next position under a row lock on the head. Until then it
is pending (`chain_seq` null, no hashes). Positions follow the order of sealing, not the ids: on
PostgreSQL a transaction that took an id earlier may commit later. Records written before
sealing existed were chained in id order and got their positions from that order (migration
0005), so their hashes did not change.

The functions here are pure and shared with the back-fill migration, so their output must never
change for an existing record. Plain SHA-256 (no key): it detects edits by anyone who does not
recompute the rest of the chain and the head; keep the heads printed by `bangfu check-integrity`
(or a backup's manifest) off the machine to detect even that. A pending record is not protected
yet: it is sealed milliseconds after its commit, and `check-integrity` reports any left pending.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

# The fields a hash covers, in this order (the id is not covered: the chain fixes the order).
HASHED_FIELDS = (
    "county_code",
    "actor_id",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "before",
    "after",
    "reason",
    "request_id",
    "created_at",
)


def normalise_json(value: Any) -> Any:
    """What a JSON column gives back: string keys, lists for tuples. Stored and hashed alike."""
    if value is None:
        return None
    return json.loads(json.dumps(value, ensure_ascii=False))


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record_hash(fields: Mapping[str, Any], prev_hash: str) -> str:
    """The hash of one record's content (`HASHED_FIELDS`, from a model instance or a values()
    row) chained to the previous record's hash."""
    content = {name: fields[name] for name in HASHED_FIELDS}
    content["created_at"] = _timestamp(content["created_at"])
    content["before"] = normalise_json(content["before"])
    content["after"] = normalise_json(content["after"])
    payload = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{payload}".encode()).hexdigest()


def instance_fields(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in HASHED_FIELDS}
