"""No personal data in any log line (issue #10, part 8).

The production logging configuration (`settings.LOGGING`) redacts ID, mobile and bank numbers and
URL query values in every handler (`bangfu.core.logs.PersonalDataFilter`); gunicorn's access and
error logs get the same filter (`bangfu serve`). These tests run the real configuration at DEBUG
and read what it writes. The browser journeys (`tests/browser/`) check every journey's log the
same way."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from bangfu.core.logs import REDACTED, redact
from bangfu.registry import services as registry_services
from bangfu.registry.models import ImportJob, ImportStatus, Member
from bangfu.registry.sample import VillageSpec, generate_rows, write_xlsx
from tests.logcapture import captured_logs, leaks, personal_values
from tests.taskworker import run_db_worker

ID_NUMBER = "51332519900307002X"
MOBILE = "13890001234"
BANK = "6222021234567890123"


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        (f'"GET /registry/households/?q={ID_NUMBER}&page=2 HTTP/1.1" 200 5120', ID_NUMBER, "page=2"),
        (f"GET /accounts/login/?next=/registry/households/%3Fq%3D{ID_NUMBER}", ID_NUMBER, "/accounts/login/"),
        ("GET /registry/households/?q=%E5%8D%93%E7%8E%9B HTTP/1.1", "%E5%8D%93", "/registry/households/"),
        (f"Key (mobile)=({MOBILE}) already exists.", MOBILE, "Key (mobile)="),
        ("mobile +86 138 9000 1234", "9000 1234", "mobile"),
        (f"account {BANK} for village 513325100202", BANK, "513325100202"),
        ("card 6222 0212 3456 7890 123", "7890", "card"),
        ("id 513325 19900307 002X", "19900307", "id"),
        ("household /registry/households/51332510020200001/", "51332510020200001", "/registry/households/"),
        ("old id 513325900307002 upgraded", "513325900307002", "upgraded"),
    ],
)
def test_it_redacts_personal_numbers_and_query_values(text: str, hidden: str, kept: str) -> None:
    result = redact(text)
    assert hidden not in result
    assert kept in result
    assert REDACTED in result


def test_it_keeps_what_is_not_personal() -> None:
    text = (
        "2026-11-29 02:53:16,120 INFO django.server [0f3a9c2b4d5e6f7a8b9c0d1e2f3a4b5c] "
        '"GET /workplan/reports/?month=2020-06&status=returned&village=513325100202 HTTP/1.1" 200 6648 '
        "amount 1500.00 rows 44"
    )
    assert redact(text) == text


def test_every_handler_of_the_production_configuration_redacts() -> None:
    for name, handler in settings.LOGGING["handlers"].items():
        assert "personal_data" in handler.get("filters", []), name
    # Loggers that keep their own handlers would bypass them; Django's are pointed back at ours.
    for name in ("django", "django.server"):
        assert settings.LOGGING["loggers"][name]["handlers"] == [], name
        assert settings.LOGGING["loggers"][name]["propagate"] is True, name


def test_access_lines_and_tracebacks_reach_the_log_redacted() -> None:
    with captured_logs() as stream:
        logging.getLogger("django.server").info(
            '"%s" %s %s', f"GET /registry/households/?q={ID_NUMBER} HTTP/1.1", "200", "5120"
        )
        try:
            raise ValueError(f"duplicate mobile {MOBILE} for {ID_NUMBER}, account {BANK}")
        except ValueError:
            logging.getLogger("django.request").exception("Internal Server Error: %s", "/network/join/")
        logging.getLogger("bangfu.registry").debug("row %s", {"id_number": ID_NUMBER}, stack_info=True)
    written = stream.getvalue()
    assert "GET /registry/households/?q=[redacted] HTTP/1.1" in written
    assert "Traceback (most recent call last)" in written and "ValueError: duplicate mobile" in written
    assert not leaks(written, {ID_NUMBER, MOBILE, BANK})


@pytest.mark.django_db(transaction=True)
def test_a_registry_import_by_the_task_worker_logs_no_personal_data(demo, settings, tmp_path: Path) -> None:
    """An upload queued for `bangfu db_worker`, SQL logging on, everything at DEBUG."""
    from bangfu.accounts.models import User
    from bangfu.areas.models import Area

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    rows = generate_rows(
        [
            VillageSpec("格桑县", "雪岭镇", "然布村", "513325100202"),
            VillageSpec("格桑县", "扎西乡", "卓嘎村", "513325200201"),
        ],
        households=8,
        seed=11,
    )
    rows[3]["id_number"] = rows[3]["id_number"][:-1] + ("0" if rows[3]["id_number"][-1] != "0" else "1")
    path = tmp_path / "人员信息.xlsx"
    write_xlsx(rows, path)
    admin = User.objects.get(username="admin")
    with captured_logs() as stream:
        connection.force_debug_cursor = True  # log every SQL statement with its parameters
        try:
            job = registry_services.create_import_job(
                actor=admin,
                county=Area.objects.get(code="513325000000"),
                file_name=path.name,
                content=path.read_bytes(),
                as_of=date(2020, 6, 1),
                full=False,
                strict_areas=False,
                dry_run=False,
            )
            registry_services.start_import_job(job=job, size=registry_services.INLINE_IMPORT_BYTES + 1)
            run_db_worker()
        finally:
            connection.force_debug_cursor = False
    written = stream.getvalue()
    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED
    assert job.summary["rejected"] == 1  # the row with the broken check character
    assert Member.objects.count() == len(rows) - 1
    assert "django.db.backends" in written and "django_tasks" in written  # the log was captured
    values = personal_values() | {row["id_number"] for row in rows}
    values |= {row[key] for row in rows for key in ("member_phone", "household_phone") if row[key]}
    assert len(values) > len(rows)
    assert not leaks(written, values)
    assert ImportJob.objects.count() == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_production_server_access_log_carries_no_personal_data(tmp_path: Path) -> None:
    """`bangfu serve` (gunicorn): access lines, referrers and Django's own warnings."""
    strong = "s" * 40
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BANGFU_", "DATABASE_URL"))}
    env.update(
        BANGFU_SECRET_KEY=strong,
        BANGFU_FIELD_KEY=strong,
        BANGFU_DATA_DIR=str(tmp_path),
        BANGFU_LOG_LEVEL="DEBUG",
    )
    port = _free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "bangfu.cli", "serve", "--addr", f"127.0.0.1:{port}", "--workers", "1"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            paths = [
                f"/registry/households/?q={ID_NUMBER}",
                f"/registry/households/{ID_NUMBER}/",
                f"/network/join/?mobile={MOBILE}&bank={BANK}",
                f"/no-such-page/{MOBILE}/",
            ]
            for path in paths:
                request = urllib.request.Request(base + path, headers={"Referer": f"{base}/?q={ID_NUMBER}"})
                try:
                    urllib.request.urlopen(request, timeout=5).close()
                except urllib.error.HTTPError:
                    pass
        finally:
            server.terminate()
            server.wait(timeout=10)
    written = log.read_text(encoding="utf-8", errors="replace")
    assert "GET /registry/households/?q=[redacted]" in written  # the access log is on
    assert "Not Found: /no-such-page/[redacted]/" in written  # and Django's warnings
    assert not leaks(written, {ID_NUMBER, MOBILE, BANK})
