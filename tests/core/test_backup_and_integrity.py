"""`bangfu check-integrity` and the `bangfu backup` / `bangfu restore` round trip, on the full demo.

The demo county with data in every app is seeded once for the module (committed, so the child
`bangfu` processes and pg_dump see it) and flushed afterwards; each integrity test runs in a
transaction that is rolled back, so the tampering never outlives its test.
"""

from __future__ import annotations

import io
import json
import tarfile
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from bangfu.core.backup import FORMAT, FORMAT_VERSION, MANIFEST
from bangfu.core.demo import seed_demo
from bangfu.ledger.models import Entry, EntryKind
from bangfu.modules import DOMAIN_APPS
from bangfu.projects.models import Disbursement, DisbursementStatus
from bangfu.registry.models import Member
from bangfu.subsidies.models import YuluPayment

from .dbtools import (
    bangfu,
    is_postgresql,
    is_postgresql_configured,
    scratch_database,
    shared_database_url,
    state,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def full_demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(BANGFU_TODAY=date(2020, 7, 15)):
        seed_demo(full=True)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def _integrity(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("check_integrity", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def _fake_backup(tmp_path, **manifest_fields) -> str:
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "backend": connection.vendor,
        "migrations": [],
        "tables": {},
        "payload": "database.bin",
        "payload_sha256": "0" * 64,
        **manifest_fields,
    }
    path = tmp_path / "fake.bangfu"
    data = json.dumps(manifest).encode()
    with tarfile.open(path, "w") as archive:
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return str(path)


def _restore_refusal(*args: str) -> str:
    err = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("restore", *args, stdout=io.StringIO(), stderr=err)
    assert exc.value.code == 1
    return err.getvalue()


def test_restore_refuses_a_file_from_the_other_backend(tmp_path):
    other = "sqlite" if is_postgresql() else "postgresql"
    message = _restore_refusal(_fake_backup(tmp_path, backend=other))
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    assert f"此备份来自 {names[other]} 数据库，不能恢复到 {names[connection.vendor]} 数据库" in message
    english = _restore_refusal(_fake_backup(tmp_path, backend=other), "--lang", "en")
    assert f"comes from a {names[other]} database" in english


def test_restore_refuses_a_newer_schema_and_a_file_that_is_no_backup(tmp_path):
    message = _restore_refusal(_fake_backup(tmp_path, migrations=["audit.0999_from_the_future"]))
    assert "备份来自更新版本的 bangfu" in message and "audit.0999_from_the_future" in message
    junk = tmp_path / "junk.bangfu"
    junk.write_bytes(b"not a tar file at all")
    assert "不是 bangfu 备份文件" in _restore_refusal(str(junk))


def test_backup_without_pg_dump_is_a_clear_error(tmp_path, monkeypatch):
    if not is_postgresql():
        pytest.skip("pg_dump is only needed on PostgreSQL")
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump anywhere on it
    err = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("backup", "-o", str(tmp_path / "x.bangfu"), stdout=io.StringIO(), stderr=err)
    assert exc.value.code == 2
    assert "找不到 pg_dump" in err.getvalue() and "postgresql-client" in err.getvalue()
    assert not (tmp_path / "x.bangfu").exists()


# --- check-integrity -------------------------------------------------------------------------------
def test_the_demo_database_passes_the_integrity_check(full_demo):
    code, out = _integrity()
    assert code == 0, out
    assert "完整性检查通过" in out
    code, out = _integrity("--lang", "en")
    assert code == 0 and "Integrity check passed" in out


@pytest.mark.parametrize("tamper", ["update", "delete_middle", "delete_last"])
def test_a_tampered_audit_trail_fails_the_check(full_demo, tamper):
    from bangfu.audit.models import AuditRecord

    ids = list(AuditRecord.objects.filter(county_code="513325").order_by("id").values_list("id", flat=True))
    victim = {"update": ids[10], "delete_middle": ids[20], "delete_last": ids[-1]}[tamper]
    with connection.cursor() as cursor:
        if tamper == "update":
            cursor.execute("UPDATE audit_auditrecord SET reason = 'changed' WHERE id = %s", [victim])
        else:
            cursor.execute("DELETE FROM audit_auditrecord WHERE id = %s", [victim])
    code, out = _integrity()
    assert code == 1
    assert "[审计链断裂]" in out and "完整性检查未通过" in out
    if tamper == "update":
        assert f"记录 #{victim} " in out and "内容与哈希不符" in out
    elif tamper == "delete_middle":
        assert f"记录 #{ids[21]} " in out and "前一记录哈希不符" in out
    else:
        assert "链头不符" in out and f"最后为 #{victim}" in out


def test_a_second_payment_to_the_same_student_fails_the_check(full_demo):
    paid = YuluPayment.objects.select_related("term").order_by("id").first()
    assert paid is not None
    other = Member.objects.filter(county_id=paid.county_id).exclude(pk=paid.member_id).order_by("id").first()
    assert other is not None
    # Bypassing the services: a second row for the same person (ID blind index) and term through
    # another member row, which no unique constraint can see.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO subsidies_yulupayment (county_id, term_id, member_id, household_id, village_id,"
            " id_number_index, source, amount, paid_on, created_at)"
            " SELECT county_id, term_id, %s, household_id, village_id, id_number_index, 'recorded',"
            " amount, paid_on, created_at FROM subsidies_yulupayment WHERE id = %s",
            [other.pk, paid.pk],
        )
    code, out = _integrity()
    assert code == 1
    assert "[重复发放]" in out
    assert f"雨露计划 {paid.term.code}：同一证件号码" in out and "被发放了 2 次" in out
    code, out = _integrity("--lang", "en")
    assert code == 1 and "[duplicate payment]" in out


def test_an_altered_ledger_entry_fails_the_check(full_demo):
    disbursement = Disbursement.objects.filter(status=DisbursementStatus.PAID).order_by("id").first()
    assert disbursement is not None and disbursement.entry_id is not None
    entry = Entry.objects.get(pk=disbursement.entry_id)
    assert entry.kind == EntryKind.DEBIT
    with connection.cursor() as cursor:
        # The append-only trigger refuses UPDATE; someone with DDL rights gets past it.
        if is_postgresql():
            cursor.execute("ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_append_only")
        else:
            cursor.execute("DROP TRIGGER ledger_entry_no_update")
        cursor.execute("UPDATE ledger_entry SET amount = amount + 1000 WHERE id = %s", [entry.pk])
    code, out = _integrity()
    assert code == 1
    assert "[资金账目不一致]" in out
    assert f"分录 #{entry.pk} 现为" in out and "与记账时的审计记录" in out
    assert f"已支付的拨付申请 #{disbursement.pk}" in out


# --- the round trip: last in the module. On SQLite it is a transactional test (the backup API
# cannot read the in-memory test database while a test transaction holds it), whose flush
# empties the database the tests above shared; on PostgreSQL pg_dump reads the committed demo.
@pytest.mark.django_db(transaction=not is_postgresql_configured())
def test_a_backup_restores_into_an_empty_database_row_for_row(full_demo, tmp_path):
    file = tmp_path / "demo.bangfu"
    url = shared_database_url(tmp_path)
    source = state(url)
    backed_up = bangfu(tmp_path, url, "backup", "-o", str(file))
    assert backed_up.returncode == 0, backed_up.stderr
    assert "已备份到" in backed_up.stdout
    for label in DOMAIN_APPS:  # the demo has data in every app
        assert any(n for table, n in source["tables"].items() if table.startswith(f"{label}_")), label
    assert source["balances"] and source["chains"]
    with tarfile.open(file) as archive:
        manifest = json.loads(archive.extractfile(MANIFEST).read())  # type: ignore[union-attr]
    assert manifest["backend"] == connection.vendor
    assert "audit.0003_backfill_audit_hash_chain" in manifest["migrations"]
    assert manifest["tables"] == {t: n for t, n in source["tables"].items() if t in manifest["tables"]}

    with scratch_database(tmp_path, "restore") as target:
        restored = bangfu(tmp_path, target, "restore", str(file))
        assert restored.returncode == 0, restored.stderr
        assert "已恢复" in restored.stdout
        assert state(target) == source
        checked = bangfu(tmp_path, target, "check-integrity")
        assert checked.returncode == 0, checked.stdout
        assert "完整性检查通过" in checked.stdout

        # Restoring again: the target now holds data → refused, nothing changed.
        again = bangfu(tmp_path, target, "restore", str(file))
        assert again.returncode == 1
        assert "目标数据库已有数据" in again.stderr and "--force" in again.stderr
        assert state(target) == source

        forced = bangfu(tmp_path, target, "restore", "--force", str(file))
        assert forced.returncode == 0, forced.stderr
        assert state(target) == source
