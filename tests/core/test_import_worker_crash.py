"""A task worker killed (SIGKILL) in the middle of a registry import leaves the job running and its
upload on disk; the next worker's start-up fails the job and deletes the file (issue #18)."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from bangfu.core.demo import seed_demo
from bangfu.registry.sample import VillageSpec, generate_rows, write_csv

from .dbtools import ROOT, bangfu, child_env, raw, shared_database_url

pytestmark = pytest.mark.django_db
CHILD = Path(__file__).with_name("worker_child.py")


@pytest.fixture(scope="module")
def child_url(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock():
        with override_settings(BANGFU_TODAY=date(2020, 7, 15)):
            seed_demo(full=False)
        url = shared_database_url(tmp_path_factory.mktemp("worker"))
    yield url
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def _job(url: str, pk: int) -> tuple[str, str]:
    with raw(url) as conn:
        row = conn.execute(f"SELECT status, message FROM registry_importjob WHERE id = {int(pk)}").fetchone()
    return row[0], row[1]


def test_a_worker_killed_mid_import_leaves_a_job_the_next_worker_fails(child_url, tmp_path):
    rows = generate_rows([VillageSpec("格桑县", "雪岭镇", "然布村", "513325100202")], households=20, seed=9)
    upload = tmp_path / "人员.csv"
    upload.write_bytes(write_csv(rows))
    env = child_env(tmp_path, child_url)
    queued = subprocess.run(
        [sys.executable, str(CHILD), "enqueue", str(upload)],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert queued.returncode == 0, queued.stderr
    _word, pk, relative = queued.stdout.split()[-3:]
    stored = tmp_path / "media" / relative
    assert stored.exists()

    worker = subprocess.Popen(
        [sys.executable, str(CHILD), "hang"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert worker.stdout is not None
    lines = []
    while (line := worker.stdout.readline()) and line.strip() != "IMPORTING":
        lines.append(line)
    if not line:
        worker.kill()
        pytest.fail(f"the worker never started the import: {lines!r}")
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=60)
    assert _job(child_url, int(pk))[0] == "running" and stored.exists()

    restarted = bangfu(tmp_path, child_url, "db_worker", "--batch", "--no-startup-delay")
    assert restarted.returncode == 0, restarted.stderr
    status, message = _job(child_url, int(pk))
    assert status == "failed" and "处理导入的进程已停止" in message
    assert not stored.exists()
    with raw(child_url) as conn:
        assert conn.execute("SELECT COUNT(*) FROM registry_member").fetchone()[0] == 0
