"""Helpers for tests that hand the database to a child `bangfu` process (backup, restore, kills).

The parent reads the child's database through a plain DB-API connection, never through the
child's code: SQLite — a file (the in-memory test database cannot be shared, so it is copied to
a file with SQLite's backup API); PostgreSQL — the test database itself (or a scratch database
next to it), whose committed rows a child sees.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def is_postgresql_configured() -> bool:
    """The same as is_postgresql(), usable at import time (in markers)."""
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pg_url(name: str) -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def shared_database_url(tmp_path: Path) -> str:
    """A URL a child process can use for the test database's committed contents."""
    if is_postgresql():
        return pg_url(connection.settings_dict["NAME"])
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    return f"sqlite:///{path}"


@contextmanager
def scratch_database(tmp_path: Path, suffix: str) -> Iterator[str]:
    """An empty database of the current backend (PostgreSQL: created and dropped here)."""
    if not is_postgresql():
        yield f"sqlite:///{tmp_path / (suffix + '.sqlite3')}"
        return
    name = f"{connection.settings_dict['NAME']}_{suffix}"
    with psycopg.connect(_libpq(pg_url("postgres")), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield pg_url(name)
    finally:
        with psycopg.connect(_libpq(pg_url("postgres")), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _libpq(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


@contextmanager
def raw(url: str) -> Iterator[Any]:
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    else:
        conn = psycopg.connect(_libpq(url), autocommit=True)
    try:
        yield conn
    finally:
        conn.close()


def _tables(conn: Any) -> list[str]:
    if isinstance(conn, sqlite3.Connection):
        sql = "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
    else:
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    return sorted(row[0] for row in conn.execute(sql).fetchall())


def table_counts(conn: Any) -> dict[str, int]:
    return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in _tables(conn)}


def ledger_balances(conn: Any) -> dict[str, Decimal]:
    rows = conn.execute(
        "SELECT a.reference, COALESCE(SUM(e.amount), 0) FROM ledger_account a "
        "LEFT JOIN ledger_entry e ON e.account_id = a.id GROUP BY a.reference ORDER BY a.reference"
    ).fetchall()
    return {ref: Decimal(str(total)).quantize(Decimal("0.01")) for ref, total in rows}


def chain_heads(conn: Any) -> list[tuple[Any, ...]]:
    return [
        tuple(row)
        for row in conn.execute(
            "SELECT county_code, length, last_hash FROM audit_auditchainhead ORDER BY county_code"
        ).fetchall()
    ]


def state(url: str) -> dict[str, Any]:
    """Everything a kill or a restore must leave exactly as it was."""
    with raw(url) as conn:
        return {"tables": table_counts(conn), "balances": ledger_balances(conn), "chains": chain_heads(conn)}


def child_env(tmp_path: Path, url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        BANGFU_DATA_DIR=str(tmp_path),
        BANGFU_DEBUG="1",
        BANGFU_TODAY="2020-07-15",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def bangfu(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bangfu.cli", *args],
        env=child_env(tmp_path, url),
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )
