"""Give the records chained before chain positions existed their position (data only).

Until now every record was linked into its county's chain in the transaction that wrote it, in
id order, so its position is its rank by id within its county_code. Every record gets one, hashed
or not: a record without a valid hash stays a reported breach instead of being sealed afresh at
the end of the chain. Reverting is a no-op: 0004's reversal drops the column.
"""

from django.db import migrations

BATCH = 2000


def forward(apps, schema_editor):
    AuditRecord = apps.get_model("audit", "AuditRecord")
    lengths: dict[str, int] = {}
    pending = []
    rows = AuditRecord.objects.order_by("id").values_list("id", "county_code").iterator(chunk_size=BATCH)
    for record_id, county_code in rows:
        lengths[county_code] = lengths.get(county_code, 0) + 1
        pending.append(AuditRecord(pk=record_id, chain_seq=lengths[county_code]))
        if len(pending) >= BATCH:
            AuditRecord.objects.bulk_update(pending, ["chain_seq"])
            pending = []
    if pending:
        AuditRecord.objects.bulk_update(pending, ["chain_seq"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_auditrecord_chain_seq")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
