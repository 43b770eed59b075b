"""Audit records without a county (written before `record_audit` required one: the workplan and
network services) get the county of their target where it can be derived: the target's own
county/area/village, or that of an object it points to (a task's plan, a milestone's task's plan),
else the acting user's area. Records left without one are listed by `bangfu check-integrity`.

The hash chain is per county, so the moved records leave the deployment-wide chain ("") and join
their county's chain at its end (in id order), and what stays on the "" chain is re-hashed from its
first record. The content of every record is unchanged except its county; the re-hashing is this
migration's doing (docs/operations.md)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import migrations

from bangfu.audit.chain import HASHED_FIELDS, record_hash

AREA_FIELDS = ("county", "area", "village")


def _code_of(apps: Any, obj: Any, depth: int = 2) -> str:
    """The county code of `obj`: an area field of its own, else one reached through a foreign key."""
    if obj is None:
        return ""
    if obj._meta.label_lower == "areas.area":
        return str(obj.code)[:6]
    fields = {f.name: f for f in obj._meta.get_fields() if getattr(f, "many_to_one", False)}
    for name in AREA_FIELDS:
        field = fields.get(name)
        if field is not None and field.related_model._meta.label_lower == "areas.area":
            area = getattr(obj, name)
            if area is not None:
                return area.code[:6]
    if depth == 0:
        return ""
    for name in fields:
        if name in ("actor", "created_by", "author", "reviewed_by", "submitted_by"):
            continue
        related = getattr(obj, name, None)
        code = _code_of(apps, related, depth - 1)
        if code:
            return code
    return ""


def _derive(apps: Any, row: dict[str, Any], users: dict[int, str]) -> str:
    target_type, target_id = row["target_type"], row["target_id"]
    if "." in target_type and target_id:
        app_label, model_name = target_type.split(".", 1)
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            model = None
        if model is not None:
            pk = target_id.split(",")[0]
            try:
                obj = model._default_manager.filter(pk=pk).first()
            except (ValueError, TypeError):
                obj = None
            code = _code_of(apps, obj)
            if code:
                return code
    if row["actor_id"] is not None:
        return users.get(row["actor_id"], "")
    return ""


def _append(record_model: Any, head_model: Any, code: str) -> None:
    """Seal `code`'s pending records at the end of its chain (bangfu.audit.services.seal_chain)."""
    head, _created = head_model.objects.get_or_create(county_code=code)
    last_hash, length, last_id = head.last_hash, head.length, head.last_record_id
    pending = record_model.objects.filter(county_code=code, chain_seq__isnull=True).order_by("id")
    for row in pending.values("id", *HASHED_FIELDS):
        length += 1
        digest = record_hash(row, last_hash)
        record_model.objects.filter(pk=row["id"]).update(chain_seq=length, prev_hash=last_hash, hash=digest)
        last_hash, last_id = digest, row["id"]
    head_model.objects.filter(pk=head.pk).update(last_hash=last_hash, last_record_id=last_id, length=length)


def assign_counties(apps: Any, schema_editor: Any) -> None:
    AuditRecord = apps.get_model("audit", "AuditRecord")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    User = apps.get_model("accounts", "User")
    orphans = list(
        AuditRecord.objects.filter(county_code="")
        .order_by("id")
        .values("id", "target_type", "target_id", "actor_id")
    )
    if not orphans:
        return
    users = {
        pk: code[:6] for pk, code in User.objects.filter(area__isnull=False).values_list("pk", "area__code")
    }
    moved: dict[str, list[int]] = defaultdict(list)
    for row in orphans:
        code = _derive(apps, row, users)
        if code:
            moved[code].append(row["id"])
    if not moved:
        return
    for code, ids in moved.items():
        AuditRecord.objects.filter(pk__in=ids).update(county_code=code, chain_seq=None, prev_hash="", hash="")
    # Re-hash what stays on the deployment-wide chain, in its order.
    last_hash, length, last_id = "", 0, None
    for row in (
        AuditRecord.objects.filter(county_code="", chain_seq__isnull=False)
        .order_by("chain_seq")
        .values("id", *HASHED_FIELDS)
    ):
        length += 1
        digest = record_hash(row, last_hash)
        AuditRecord.objects.filter(pk=row["id"]).update(chain_seq=length, prev_hash=last_hash, hash=digest)
        last_hash, last_id = digest, row["id"]
    if length:
        AuditChainHead.objects.filter(county_code="").update(
            last_hash=last_hash, last_record_id=last_id, length=length
        )
    else:
        AuditChainHead.objects.filter(county_code="").delete()
    for code in sorted(moved):
        _append(AuditRecord, AuditChainHead, code)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0006_audit_chain_position_indexes"),
        ("accounts", "0002_separation_of_duties_token_expiry"),
        ("workplan", "0003_report_stamp_index"),
        ("network", "0003_product_producer_household"),
    ]

    operations = [migrations.RunPython(assign_counties, migrations.RunPython.noop)]
