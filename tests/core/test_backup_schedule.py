"""`bangfu backup` without -o (the nightly timer): a dated file in BANGFU_BACKUP_DIR, then the
retention: the newest backup of each of the N most recent days that have one and of each of the
M most recent months; files it did not name (pre-upgrade, by hand) are never removed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bangfu.core.backup import SCHEDULED_NAME, prune_backups

from .dbtools import shared_database_url


def _touch(directory: Path, *names: str) -> None:
    directory.mkdir(exist_ok=True)
    for name in names:
        (directory / name).write_bytes(b"x")


def _left(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_it_keeps_the_newest_of_each_recent_day_and_month_and_never_a_file_it_did_not_name(tmp_path):
    _touch(
        tmp_path,
        "bangfu-2020-05-20-023000.bangfu",  # newest of May
        "bangfu-2020-05-03-023000.bangfu",
        "bangfu-2020-06-30-023000.bangfu",  # newest of June
        "bangfu-2020-07-13-023000.bangfu",
        "bangfu-2020-07-14-023000.bangfu",
        "bangfu-2020-07-15-023000.bangfu",
        "bangfu-2020-07-15-101500.bangfu",  # the same day, later: the day's newest
        "pre-upgrade-0.1.0-20200101-120000.bangfu",
        "by-hand.bangfu",
    )
    deleted = prune_backups(directory=tmp_path, keep_days=2, keep_months=2)
    assert _left(tmp_path) == [
        "bangfu-2020-06-30-023000.bangfu",
        "bangfu-2020-07-14-023000.bangfu",
        "bangfu-2020-07-15-101500.bangfu",
        "by-hand.bangfu",
        "pre-upgrade-0.1.0-20200101-120000.bangfu",
    ]
    assert sorted(p.name for p in deleted) == [
        "bangfu-2020-05-03-023000.bangfu",
        "bangfu-2020-05-20-023000.bangfu",
        "bangfu-2020-07-13-023000.bangfu",
        "bangfu-2020-07-15-023000.bangfu",
    ]


def test_when_backups_stop_the_last_good_ones_stay(tmp_path):
    names = [f"bangfu-2020-03-{day:02d}-023000.bangfu" for day in range(1, 21)]
    _touch(tmp_path, *names)
    prune_backups(directory=tmp_path, keep_days=14, keep_months=0)
    # Weeks later nothing new arrived: still the 14 newest, however old they are.
    prune_backups(directory=tmp_path, keep_days=14, keep_months=0)
    assert _left(tmp_path) == names[6:]


@pytest.mark.django_db(transaction=True)
def test_the_nightly_command_writes_a_dated_backup_and_prunes_the_old_ones(tmp_path, settings):
    backups = tmp_path / "backups"
    _touch(
        backups, "bangfu-2019-01-01-023000.bangfu", "bangfu-2019-01-02-023000.bangfu", "pre-upgrade-x.bangfu"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BANGFU_", "DATABASE_URL"))}
    env.update(
        DATABASE_URL=shared_database_url(tmp_path),
        BANGFU_DATA_DIR=str(tmp_path),
        BANGFU_BACKUP_DIR=str(backups),
        BANGFU_DEBUG="1",
    )
    done = subprocess.run(
        [sys.executable, "-m", "bangfu.cli", "backup", "--keep-days", "2"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    new = [
        name for name in _left(backups) if SCHEDULED_NAME.match(name) and not name.startswith("bangfu-2019")
    ]
    assert len(new) == 1 and (backups / new[0]).stat().st_size > 0
    assert _left(backups) == sorted(["bangfu-2019-01-02-023000.bangfu", "pre-upgrade-x.bangfu", *new])
    assert "bangfu-2019-01-01-023000.bangfu" in done.stdout


def test_it_refuses_retention_with_an_explicit_file(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "bangfu.cli", "backup", "-o", str(tmp_path / "x.bangfu"), "--keep-days", "3"],
        env={**os.environ, "BANGFU_DEBUG": "1", "BANGFU_DATA_DIR": str(tmp_path)},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 2
    assert "--keep-days 只用于默认备份目录" in done.stderr
    assert not (tmp_path / "x.bangfu").exists()
