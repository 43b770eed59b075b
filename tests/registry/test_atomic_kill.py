"""A kill mid-import leaves the database as before (one transaction, SQLite file database)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from bangfu.registry.sample import VillageSpec, generate_rows, write_xlsx

VILLAGE = VillageSpec("格桑县", "雪岭镇", "然布村", "513325100202")


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'kill.sqlite3'}",
        BANGFU_DATA_DIR=str(tmp_path),
        BANGFU_DEBUG="1",
        BANGFU_TODAY="2020-07-15",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def _bangfu(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bangfu.cli", *args],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )


def _counts(db: Path) -> tuple[int, ...]:
    with sqlite3.connect(db) as conn:
        return tuple(
            conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("registry_household", "registry_member", "registry_memberversion", "areas_area")
        )


def test_a_killed_import_leaves_the_database_as_before(tmp_path):
    _bangfu(tmp_path, "migrate", "--verbosity", "0")
    rows = generate_rows([VILLAGE], households=4000, seed=3)
    path = tmp_path / "big.xlsx"
    write_xlsx(rows, path)
    db = tmp_path / "kill.sqlite3"
    # The file's township is unknown in an empty database... so load the demo areas first.
    _bangfu(tmp_path, "load_areas", str(Path(__file__).parents[2] / "src/bangfu/core/data/demo-areas.csv"))
    before = _counts(db)
    process = subprocess.Popen(
        [sys.executable, "-m", "bangfu.cli", "import-registry", str(path), "--as-of", "2020-03-01"],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:  # phases are printed as they finish; households are written now
        if line.strip() == "households":
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert _counts(db) == before
    # And the same file imports completely afterwards.
    done = _bangfu(tmp_path, "import-registry", str(path), "--as-of", "2020-03-01")
    assert json.loads(done.stdout.splitlines()[-1])["accepted"] == len(rows)
    assert _counts(db)[1] == before[1] + len(rows)
