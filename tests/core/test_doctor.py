"""`bangfu doctor`: exit 0 on a healthy deployment, 1 naming every problem with its fix.

The first tests run the real `bangfu` CLI in a child process, as an operator would, against the
demo county committed to the test database (SQLite: a file copy; PostgreSQL: the test database
itself) and a data directory of their own; the CLI must start even without keys. The rest call
the checks in-process to reach each problem cheaply.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from bangfu.core.backup import FORMAT, FORMAT_VERSION, MANIFEST
from bangfu.core.demo import seed_demo
from bangfu.core.doctor import Status, run_doctor
from bangfu.core.filemodes import Scan, WideFile, scan
from bangfu.core.heartbeat import write_beat

from .dbtools import shared_database_url

pytestmark = pytest.mark.django_db

STRONG = {"BANGFU_SECRET_KEY": "s" * 48, "BANGFU_FIELD_KEY": "f" * 48}


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo county committed, and a URL a child process can open it by."""
    with django_db_blocker.unblock():
        seed_demo(full=False)
        folder = tmp_path_factory.mktemp("doctor-db")
        url = shared_database_url(folder)
    for copy in folder.glob("shared.sqlite3*"):  # written by this process: bangfu's would be 0600
        copy.chmod(0o600)
    yield url
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def healthy_site(demo_db, tmp_path_factory):
    """A data directory (0700) with secrets.env, one backup and a heartbeat from the worker."""
    data = tmp_path_factory.mktemp("doctor-site")
    data.chmod(0o700)
    secrets = data / "secrets.env"
    secrets.write_text("".join(f"{k}={v}\n" for k, v in STRONG.items()))
    secrets.chmod(0o600)
    site = {"data": data, "url": demo_db}
    for args in (["backup"], ["db_worker", "--batch", "--no-startup-delay"]):
        done = _bangfu(site, *args)
        assert done.returncode == 0, done.stdout + done.stderr
    # The worker process wrote its heartbeat into the data directory.
    beat = json.loads((data / "worker-heartbeat.json").read_text())
    assert beat["pid"] != os.getpid() and beat["seen_at"] >= beat["started_at"]
    return site


def _bangfu(site, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("BANGFU_", "DATABASE_URL"))}
    base.update(BANGFU_DATA_DIR=str(site["data"]), DATABASE_URL=site["url"], PYTHONDONTWRITEBYTECODE="1")
    base.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bangfu.cli", *args], env=base, capture_output=True, text=True, timeout=300
    )


def _doctor(site, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`bangfu doctor` as the operator runs it, the worker's heartbeat fresh (as a running worker
    keeps it): on a loaded machine the tests may outlast the beat the fixture's worker wrote."""
    with override_settings(DATA_DIR=site["data"]):
        write_beat(started_at=datetime.now(UTC))
    return _bangfu(site, "doctor", *args, **env)


def _problems(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("[问题]")]


def test_a_healthy_demo_passes_every_check(healthy_site):
    result = _doctor(healthy_site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _problems(result.stdout) == []
    for label in ("设置", "密钥", "数据库", "任务进程", "文件权限", "磁盘空间", "时区与时钟", "备份"):
        assert f"[正常] {label}：" in result.stdout, label
    assert result.stdout.rstrip().endswith("检查完毕：没有发现问题。")


def test_it_names_a_missing_key_and_how_to_set_it(healthy_site):
    result = _doctor(healthy_site, BANGFU_FIELD_KEY="")
    assert result.returncode == 1, result.stdout + result.stderr
    (problem,) = [line for line in _problems(result.stdout) if "密钥" in line]
    assert "未设置 BANGFU_FIELD_KEY" in problem
    assert "secrets.env" in result.stdout
    assert "BANGFU_SECRET_KEY" not in problem


def test_it_names_a_short_key(healthy_site):
    result = _doctor(healthy_site, BANGFU_SECRET_KEY="short")
    assert result.returncode == 1
    assert any("BANGFU_SECRET_KEY 太短：5 个字符" in line for line in _problems(result.stdout))


def test_it_names_an_unmigrated_database(healthy_site, tmp_path):
    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty).close()
    result = _doctor(healthy_site, DATABASE_URL=f"sqlite:///{empty}")
    assert result.returncode == 1, result.stdout + result.stderr
    (problem,) = [line for line in _problems(result.stdout) if "数据库" in line]
    assert "个数据库迁移尚未应用" in problem
    assert "bangfu migrate" in result.stdout


def test_it_names_a_world_readable_data_directory(healthy_site):
    data = healthy_site["data"]
    data.chmod(0o755)
    try:
        result = _doctor(healthy_site)
    finally:
        data.chmod(0o700)
    assert result.returncode == 1, result.stdout + result.stderr
    (problem,) = [line for line in _problems(result.stdout) if "文件权限" in line]
    assert f"{data}（0755）" in problem
    assert f"chmod -R go-rwx {data}" in result.stdout


def test_it_names_every_problem_at_once_in_english_when_asked(healthy_site, tmp_path):
    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty).close()
    data = healthy_site["data"]
    data.chmod(0o755)
    try:
        result = _doctor(healthy_site, "--lang", "en", BANGFU_FIELD_KEY="", DATABASE_URL=f"sqlite:///{empty}")
    finally:
        data.chmod(0o700)
    assert result.returncode == 1
    out = result.stdout
    assert "BANGFU_FIELD_KEY is not set" in out
    assert "database migrations have not been applied" in out
    assert f"{data} (0755)" in out
    assert out.splitlines()[-1] == "Check finished: 3 problems found, see the lines marked “problem” above."


def test_it_starts_without_keys_where_every_other_command_refuses(healthy_site):
    other = _bangfu(healthy_site, "check", BANGFU_SECRET_KEY="", BANGFU_FIELD_KEY="")
    assert other.returncode == 2 and "BANGFU_SECRET_KEY is not set" in other.stderr
    doctor = _doctor(healthy_site, BANGFU_SECRET_KEY="", BANGFU_FIELD_KEY="")
    assert doctor.returncode == 1
    assert len([line for line in _problems(doctor.stdout) if "未设置" in line]) == 2


# --- the checks in-process -------------------------------------------------------------------------
@pytest.fixture
def site(tmp_path, monkeypatch, demo):
    """A healthy data directory for the in-process checks: keys, a fresh beat, a fresh backup."""
    for key, value in STRONG.items():
        monkeypatch.setenv(key, value)
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    (data / "backups").mkdir(mode=0o700)
    _backup_file(data / "backups" / "bangfu-2020-07-15-023000.bangfu")
    media = data / "media"
    with override_settings(DATA_DIR=data, MEDIA_ROOT=media, BACKUP_DIR=data / "backups", BANGFU_TODAY=None):
        write_beat(started_at=datetime.now(UTC))
        yield data


def _backup_file(path: Path) -> None:
    """A file the doctor accepts as a backup: a tar archive with a bangfu manifest. (A real one of
    the in-memory test database cannot be taken inside the test's transaction; the child-process
    tests above take real ones.)"""
    manifest = json.dumps({"format": FORMAT, "format_version": FORMAT_VERSION}).encode()
    with tarfile.open(path, "w") as archive:
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(manifest)
        archive.addfile(info, io.BytesIO(manifest))
    path.chmod(0o600)  # as bangfu writes it


def _findings(check: str, status: Status, **kwargs) -> list[str]:
    return [f.message for f in run_doctor(**kwargs) if f.check == check and f.status == status]


def test_the_in_process_site_is_healthy(site):
    assert [f for f in run_doctor() if f.status == Status.PROBLEM] == []


def test_it_reports_a_worker_whose_heartbeat_stopped(site):
    later = datetime.now(UTC) + timedelta(minutes=7)
    (problem,) = _findings("worker", Status.PROBLEM, now=later)
    assert "任务进程已停止：最后心跳在 7 分钟前" in problem


def test_it_reports_tasks_waiting_for_a_worker(site):
    DBTaskResult.objects.create(
        task_path="bangfu.registry.tasks.run_import_job",
        args_kwargs={"args": [1], "kwargs": {}},
        backend_name="default",
        queue_name="default",
        run_after=datetime.now(UTC) - timedelta(minutes=30),
    )
    DBTaskResult.objects.update(enqueued_at=datetime.now(UTC) - timedelta(minutes=30))
    (problem,) = _findings("worker", Status.PROBLEM)
    assert "1 个后台任务" in problem and "排队超过 10 分钟" in problem


def test_it_reports_a_backup_older_than_a_day_and_a_damaged_one(site):
    (backup,) = (site / "backups").glob("*.bangfu")
    old = (datetime.now() - timedelta(hours=30)).timestamp()
    os.utime(backup, (old, old))
    (problem,) = _findings("backups", Status.PROBLEM)
    assert "30 小时前" in problem and "超过一天" in problem
    backup.write_bytes(b"not a backup")
    (problem,) = _findings("backups", Status.PROBLEM)
    assert "已损坏" in problem


def test_it_reports_a_missing_backup_directory(site):
    with override_settings(BACKUP_DIR=site / "nowhere"):
        (problem,) = _findings("backups", Status.PROBLEM)
    assert "中没有备份" in problem


def test_it_reports_a_fixed_today_debug_mode_and_insecure_cookies_behind_https(site):
    with override_settings(
        BANGFU_TODAY=date(2020, 7, 15), DEBUG=True, BEHIND_PROXY=True, SESSION_COOKIE_SECURE=False
    ):
        problems = [f.message for f in run_doctor() if f.status == Status.PROBLEM]
    assert any("日期被固定为 2020-07-15" in p for p in problems)
    assert any("调试模式已打开" in p for p in problems)
    assert any("登录 Cookie 没有限定 HTTPS" in p for p in problems)


def test_it_reports_a_field_key_that_cannot_decrypt_the_stored_id_numbers(site, tmp_path):
    from bangfu.registry.sample import VillageSpec, generate_rows, write_xlsx
    from bangfu.registry.services import import_registry

    rows = generate_rows([VillageSpec("格桑县", "雪岭镇", "然布村", "513325100202")], households=1, seed=3)
    write_xlsx(rows, tmp_path / "r.xlsx")
    with override_settings(BANGFU_TODAY=date(2020, 7, 15)):
        import_registry(actor=None, path=tmp_path / "r.xlsx", as_of=date(2020, 3, 1))
    assert any("字段密钥与库中数据相符" in m for m in _findings("keys", Status.OK))
    with override_settings(FIELD_KEY="another-field-key-" + "k" * 30):
        (problem,) = _findings("keys", Status.PROBLEM)
    assert "无法解密" in problem


def test_doctor_and_check_integrity_report_the_same_files(site, capsys):
    """One check (bangfu.core.filemodes.private_scan) for both commands: a wide file is reported
    even inside a directory others cannot enter (one chmod or one copy of the tree away)."""
    closed = site / "exports"
    closed.mkdir(mode=0o700)
    (closed / "registry.xlsx").write_text("x")
    (closed / "registry.xlsx").chmod(0o644)
    (site / "static").mkdir(mode=0o755)  # STATIC_ROOT inside the data directory: public files
    with override_settings(STATIC_ROOT=site / "static"):
        (problem,) = _findings("permissions", Status.PROBLEM)
        call_command("check_integrity")
        assert f"{closed / 'registry.xlsx'}（0644）" in problem and "static" not in problem
        assert f"{closed / 'registry.xlsx'} (-rw-r--r--) 的权限过宽" in capsys.readouterr().out
        (closed / "registry.xlsx").chmod(0o600)
        assert _findings("permissions", Status.PROBLEM) == []


def test_the_permission_scan_is_bounded(tmp_path):
    for name in "abc":
        (tmp_path / name).write_text(name)
        (tmp_path / name).chmod(0o644)
    tmp_path.chmod(0o700)
    first = WideFile(tmp_path / "a", (tmp_path / "a").lstat().st_mode)
    assert scan([tmp_path], limit=2) == Scan([first], truncated=True)  # the directory, then "a"
    assert [w.path.name for w in scan([tmp_path]).wide] == ["a", "b", "c"]


def test_it_reports_a_settings_file_every_user_can_read(site, tmp_path, monkeypatch):
    env_file = tmp_path / "bangfu.env"
    env_file.write_text("DATABASE_URL=postgres://bangfu:secret@127.0.0.1/bangfu\n")
    env_file.chmod(0o644)
    monkeypatch.setenv("BANGFU_ENV_FILE", str(env_file))
    (problem,) = _findings("permissions", Status.PROBLEM)
    assert f"设置文件 {env_file} 所有用户都能读取" in problem
    env_file.chmod(0o640)
    assert _findings("permissions", Status.PROBLEM) == []
