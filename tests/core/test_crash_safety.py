"""A process killed (SIGKILL) inside the registry import's or the final disbursement approval's
transaction leaves the database exactly as before, consistent (`bangfu check-integrity` clean),
and the same work succeeds afterwards. A process killed after its commit but before the audit
record's seal leaves the record pending, the chain whole, and `bangfu seal-audit` links it. On
SQLite the child gets a file copy of the test database; on PostgreSQL it connects to the test
database itself."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tarfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from bangfu.areas.models import Area
from bangfu.core.backup import MANIFEST
from bangfu.core.demo import COUNTY_CODE, seed_demo
from bangfu.projects import demo as projects_demo
from bangfu.projects.models import Disbursement, DisbursementStatus
from bangfu.registry.sample import VillageSpec, generate_rows, write_xlsx

from .dbtools import ROOT, bangfu, child_env, raw, shared_database_url, state

pytestmark = pytest.mark.django_db

CHILD = Path(__file__).with_name("crash_child.py")
VILLAGE = VillageSpec("格桑县", "雪岭镇", "然布村", "513325100202")


@pytest.fixture(scope="module")
def child_url(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo base and projects, committed; the URL the children use (on SQLite a file copy
    made here, before any test transaction: the backup API cannot read the in-memory test
    database while one holds it). Flushed after the module."""
    with django_db_blocker.unblock():
        with override_settings(BANGFU_TODAY=date(2020, 7, 15)):
            seed_demo(full=False)
            projects_demo.seed_demo(Area.objects.get(code=COUNTY_CODE))
        url = shared_database_url(tmp_path_factory.mktemp("crash"))
    yield url
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def _child(tmp_path: Path, url: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), *args],
        env=child_env(tmp_path, url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def _kill_at(tmp_path: Path, url: str, *args: str, flag: str, signal_line: str) -> None:
    process = _child(tmp_path, url, *args, flag)
    assert process.stdout is not None and process.stderr is not None
    # Blocks until the child is where it waits to be killed (or has ended without getting there).
    lines = []
    while (line := process.stdout.readline()) and line.strip() != signal_line:
        lines.append(line)
    if not line:
        process.kill()
        pytest.fail(f"the child never got to {signal_line}: {lines!r} {process.stderr.read()}")
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL


def _kill_inside_the_transaction(tmp_path: Path, url: str, *args: str) -> None:
    _kill_at(tmp_path, url, *args, flag="--hang", signal_line="INSIDE-TRANSACTION")


def _pending_audit(url: str) -> list[tuple[str, str]]:
    with raw(url) as conn:
        rows = conn.execute(
            "SELECT action, target_id FROM audit_auditrecord WHERE chain_seq IS NULL ORDER BY id"
        ).fetchall()
    return [tuple(row) for row in rows]


def _run(tmp_path: Path, url: str, *args: str) -> str:
    process = _child(tmp_path, url, *args)
    out, err = process.communicate(timeout=180)
    assert process.returncode == 0, err
    return out


def _assert_consistent(tmp_path: Path, url: str) -> None:
    checked = bangfu(tmp_path, url, "check-integrity")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_killed_registry_import_changes_nothing(child_url, tmp_path):
    rows = generate_rows([VILLAGE], households=300, seed=5)
    path = tmp_path / "registry.xlsx"
    write_xlsx(rows, path)
    url = child_url
    before = state(url)

    _kill_inside_the_transaction(tmp_path, url, "import", str(path))
    assert state(url) == before
    _assert_consistent(tmp_path, url)

    assert _run(tmp_path, url, "import", str(path)).split() == ["ACCEPTED", str(len(rows))]
    after = state(url)
    assert after["tables"]["registry_member"] == before["tables"]["registry_member"] + len(rows)
    _assert_consistent(tmp_path, url)


def test_a_killed_final_disbursement_approval_changes_nothing(child_url, tmp_path):
    # The demo's request on DX-2020-001 has the funding side's approval; the county admin's
    # (recipient side) is the one that pays.
    waiting = Disbursement.objects.get(project__code="DX-2020-001", status=DisbursementStatus.PENDING)
    assert waiting.approvals.count() == 1
    url = child_url
    before = state(url)

    _kill_inside_the_transaction(tmp_path, url, "approve", str(waiting.pk), "admin")
    assert state(url) == before
    _assert_consistent(tmp_path, url)

    assert _run(tmp_path, url, "approve", str(waiting.pk), "admin").split() == ["STATUS", "paid"]
    after = state(url)
    reference = "project:DX-2020-001"
    assert after["balances"][reference] == before["balances"][reference] - Decimal("150000.00")
    assert after["tables"]["ledger_entry"] == before["tables"]["ledger_entry"] + 1
    assert (
        after["tables"]["projects_disbursementapproval"]
        == before["tables"]["projects_disbursementapproval"] + 1
    )
    _assert_consistent(tmp_path, url)


@pytest.mark.parametrize(
    ("remedy", "village_code"), [("seal-audit", "513325100201"), ("backup", "513325100205")]
)
def test_a_process_killed_before_its_audit_seal_leaves_the_record_pending(
    child_url, tmp_path, remedy, village_code
):
    village = Area.objects.get(code=village_code)
    assert not village.registered_poor
    url = child_url
    before = state(url)
    assert _pending_audit(url) == []

    _kill_at(
        tmp_path, url, "flag-poor", village.code, "admin", flag="--hang-after-commit", signal_line="COMMITTED"
    )
    after = state(url)
    # The change and its audit record committed; the record is pending, outside the chain.
    assert after["tables"]["audit_auditrecord"] == before["tables"]["audit_auditrecord"] + 1
    assert _pending_audit(url) == [("area.set_registered_poor", str(village.pk))]
    assert after["chains"] == before["chains"]
    # Within minutes of its commit a pending record is in flight, not a breach.
    _assert_consistent(tmp_path, url)

    manifest = None
    if remedy == "seal-audit":
        done = bangfu(tmp_path, url, "seal-audit")
        assert done.returncode == 0, done.stderr
        assert "审计链 513325：1 条记录已入链" in done.stdout
    else:
        # A backup seals first, so its manifest's chain heads cover the record.
        file = tmp_path / "after-crash.bangfu"
        done = bangfu(tmp_path, url, "backup", "-o", str(file))
        assert done.returncode == 0, done.stderr
        with tarfile.open(file) as archive:
            manifest = json.loads(archive.extractfile(MANIFEST).read())  # type: ignore[union-attr]
    assert _pending_audit(url) == []
    old = {code: (length, last_hash) for code, length, last_hash in before["chains"]}
    chains = {code: (length, last_hash) for code, length, last_hash in state(url)["chains"]}
    assert chains["513325"][0] == old["513325"][0] + 1 and chains["513325"][1] != old["513325"][1]
    if manifest is not None:
        assert {code: tuple(head) for code, head in manifest["audit_chains"].items()} == chains
    _assert_consistent(tmp_path, url)
    again = bangfu(tmp_path, url, "seal-audit", "--lang", "en")
    assert again.returncode == 0 and "No audit records are waiting to be chained." in again.stdout
