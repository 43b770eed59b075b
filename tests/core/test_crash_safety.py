"""A process killed (SIGKILL) inside the registry import's or the final disbursement approval's
transaction leaves the database exactly as before, consistent (`bangfu check-integrity` clean),
and the same work succeeds afterwards. On SQLite the child gets a file copy of the test
database; on PostgreSQL it connects to the test database itself."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from bangfu.areas.models import Area
from bangfu.core.demo import COUNTY_CODE, seed_demo
from bangfu.projects import demo as projects_demo
from bangfu.projects.models import Disbursement, DisbursementStatus
from bangfu.registry.sample import VillageSpec, generate_rows, write_xlsx

from .dbtools import ROOT, bangfu, child_env, shared_database_url, state

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


def _kill_inside_the_transaction(tmp_path: Path, url: str, *args: str) -> None:
    process = _child(tmp_path, url, *args, "--hang")
    assert process.stdout is not None and process.stderr is not None
    line = process.stdout.readline()  # blocks until the child is inside its transaction
    if line.strip() != "INSIDE-TRANSACTION":
        process.kill()
        pytest.fail(f"the child never reached its transaction: {line!r} {process.stderr.read()}")
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL


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
