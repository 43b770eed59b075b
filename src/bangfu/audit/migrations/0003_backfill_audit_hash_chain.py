"""Back-fill the hash chain over the audit records written before it existed (data only)."""

from django.db import migrations

from bangfu.audit.chain import HASHED_FIELDS, record_hash

BATCH = 2000


def forward(apps, schema_editor):
    AuditRecord = apps.get_model("audit", "AuditRecord")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    heads: dict[str, dict] = {}
    pending = []
    rows = AuditRecord.objects.order_by("id").values("id", *HASHED_FIELDS).iterator(chunk_size=BATCH)
    for row in rows:
        head = heads.setdefault(row["county_code"], {"last_hash": "", "last_record_id": None, "length": 0})
        digest = record_hash(row, head["last_hash"])
        pending.append(AuditRecord(pk=row["id"], prev_hash=head["last_hash"], hash=digest))
        head.update(last_hash=digest, last_record_id=row["id"], length=head["length"] + 1)
        if len(pending) >= BATCH:
            AuditRecord.objects.bulk_update(pending, ["prev_hash", "hash"])
            pending = []
    if pending:
        AuditRecord.objects.bulk_update(pending, ["prev_hash", "hash"])
    AuditChainHead.objects.bulk_create(
        [AuditChainHead(county_code=code, **values) for code, values in sorted(heads.items())]
    )


def backward(apps, schema_editor):
    apps.get_model("audit", "AuditChainHead").objects.all().delete()
    apps.get_model("audit", "AuditRecord").objects.update(prev_hash="", hash="")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_audit_hash_chain")]

    operations = [migrations.RunPython(forward, backward)]
