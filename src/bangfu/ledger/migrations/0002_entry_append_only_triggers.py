"""Database-level guard: ledger entries are append-only.

PostgreSQL refuses UPDATE and DELETE of `ledger_entry` rows. SQLite refuses UPDATE; DELETE stays
possible there only because Django's test flush empties tables with DELETE (PostgreSQL flushes
with TRUNCATE, which row triggers do not see). The application has no update or delete path in
either case (see Entry.save / Entry.delete / EntryQuerySet).
"""

from django.db import migrations

PG_FORWARD = [
    """
CREATE OR REPLACE FUNCTION ledger_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only (% refused); post a reversal instead', TG_OP;
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE TRIGGER ledger_entry_append_only
    BEFORE UPDATE OR DELETE ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_append_only()
""",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_entry",
    "DROP FUNCTION IF EXISTS ledger_entry_append_only()",
]
SQLITE_FORWARD = [
    """
CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only (UPDATE refused); post a reversal instead');
END
"""
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS ledger_entry_no_update"]


def _run(schema_editor, statements):
    for sql in statements:
        # params=None: no placeholder interpolation (the PL/pgSQL body contains "%").
        schema_editor.execute(sql, params=None)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, PG_FORWARD)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, PG_BACKWARD)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
