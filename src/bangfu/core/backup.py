"""Online backups and restores of the whole database (`bangfu backup`, `bangfu restore`).

A backup file is a tar archive of two members:
- `bangfu-backup.json` — the manifest: format version, backend (`sqlite` / `postgresql`), the
  applied migrations (the schema version), the row count of every table and the audit chain
  heads as of the snapshot (pending audit records are sealed first, so the heads cover every
  record committed until then), and the SHA-256 of the payload;
- the payload: `database.sqlite3` (SQLite's online backup API, `sqlite3.Connection.backup`) or
  `database.pgdump` (`pg_dump --format=custom`, Debian's postgresql-client).

Both are consistent snapshots taken while the server runs: the SQLite backup API copies one
read transaction (WAL mode lets writers go on); on PostgreSQL the row counts are read in a
REPEATABLE READ transaction whose snapshot is exported and handed to `pg_dump --snapshot`, so
the counts in the manifest are exactly what the dump holds.

A restore goes into an empty database (no rows in any bangfu table; a freshly migrated schema
counts as empty) and is all or nothing. It refuses a target that holds data unless forced, a
file of the other backend, a damaged file and a schema newer than this code. A backup of an
older schema is restored, then migrated.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

from bangfu.audit.services import seal_all_chains
from bangfu.core.filemodes import PRIVATE_FILE

FORMAT = "bangfu-backup"
FORMAT_VERSION = 1
MANIFEST = "bangfu-backup.json"
PAYLOAD = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
BACKEND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# Rows `migrate` itself writes: a database holding only these is still empty.
SCHEMA_ONLY_TABLES = {"django_migrations", "django_content_type", "auth_permission"}


class BackupError(Exception):
    """A refusal or failure with a message for the operator (already translated)."""


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    migrated: list[str] = field(default_factory=list)


# --- helpers ---------------------------------------------------------------------------------------
def _tables(cursor: Any) -> list[str]:
    names = set(connection.introspection.table_names(cursor))
    return sorted(name for name in names if not name.startswith("sqlite_"))


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _count_rows(cursor: Any, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - introspected names
        counts[table] = cursor.fetchone()[0]
    return counts


def _applied_migrations(cursor: Any) -> list[str]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [f"{app}.{name}" for app, name in cursor.fetchall()]


def _chain_heads(cursor: Any) -> dict[str, list[Any]]:
    cursor.execute("SELECT county_code, length, last_hash FROM audit_auditchainhead ORDER BY county_code")
    return {code: [length, last_hash] for code, length, last_hash in cursor.fetchall()}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest(backend: str, payload: Path, snapshot: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "backend": backend,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "bangfu_version": version("bangfu"),
        "payload": PAYLOAD[backend],
        "payload_sha256": _sha256(payload),
        **snapshot,
    }


def _write_archive(output: Path, manifest: dict[str, Any], payload: Path) -> None:
    """Write next to the target and rename, so a half-written file never has the final name."""
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
    # The backup holds every member's data: bangfu's user's alone, whatever the umask.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE))
    os.chmod(partial, PRIVATE_FILE)
    with tarfile.open(partial, "w") as archive:
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        info.mtime = int(datetime.now(UTC).timestamp())
        archive.addfile(info, io.BytesIO(data))
        archive.add(payload, arcname=manifest["payload"])
    os.replace(partial, output)


def _database_settings() -> dict[str, Any]:
    return dict(connection.settings_dict)


# --- backup ----------------------------------------------------------------------------------------
def backup(*, output: Path) -> dict[str, Any]:
    """Write a consistent snapshot of the live database to `output`; returns the manifest."""
    vendor = connection.vendor
    if vendor not in PAYLOAD:
        raise BackupError(_("不支持的数据库：%(vendor)s") % {"vendor": vendor})
    # Records whose after-commit seal was lost would sit outside the heads in the manifest. (One
    # committed between this seal and the snapshot is restored pending: `bangfu seal-audit`.)
    seal_all_chains()
    with tempfile.TemporaryDirectory(prefix="bangfu-backup-") as tmp:
        payload = Path(tmp) / PAYLOAD[vendor]
        if vendor == "sqlite":
            snapshot = _backup_sqlite(payload)
        else:
            snapshot = _backup_postgresql(payload)
        manifest = _manifest(vendor, payload, snapshot)
        _write_archive(output, manifest, payload)
    return manifest


def _backup_sqlite(payload: Path) -> dict[str, Any]:
    connection.ensure_connection()
    source = connection.connection
    target = sqlite3.connect(payload)
    try:
        source.backup(target)
        cursor = target.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
        tables = sorted(row[0] for row in cursor.fetchall())
        return {
            "tables": _count_rows(cursor, tables),
            "migrations": _applied_migrations(cursor),
            "audit_chains": _chain_heads(cursor),
        }
    finally:
        target.close()


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _("找不到 %(tool)s：请安装 PostgreSQL 客户端工具（Debian：apt install postgresql-client）。")
            % {"tool": name}
        )
    return path


def _tool_major(path: str) -> int:
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match.group(1)) if match else 0


def _pg_env_and_args(settings: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    args = []
    if settings.get("HOST"):
        args += ["--host", str(settings["HOST"])]
    if settings.get("PORT"):
        args += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["--username", str(settings["USER"])]
    args += ["--dbname", str(settings["NAME"])]
    return env, args


def _check_tool_version(tool: str) -> None:
    server_major = connection.pg_version // 10000  # type: ignore[attr-defined]
    tool_major = _tool_major(tool)
    if tool_major < server_major:
        raise BackupError(
            _(
                "%(tool)s 的版本（%(tool_v)s）低于数据库服务器（%(server_v)s）："
                "请安装与服务器相同或更新版本的客户端。"
            )
            % {"tool": Path(tool).name, "tool_v": tool_major, "server_v": server_major}
        )


def pg_dump_problem() -> str | None:
    """Why `bangfu backup` cannot run on this PostgreSQL server from here, or None."""
    try:
        _check_tool_version(_pg_tool("pg_dump"))
    except BackupError as exc:
        return str(exc)
    return None


def _backup_postgresql(payload: Path) -> dict[str, Any]:
    pg_dump = _pg_tool("pg_dump")
    connection.ensure_connection()
    _check_tool_version(pg_dump)
    env, args = _pg_env_and_args(_database_settings())
    # From the command line this is a transaction of its own, whose exported snapshot pg_dump
    # reads. Inside a caller's transaction (tests) a snapshot cannot be exported (PostgreSQL
    # refuses in a subtransaction); pg_dump then reads what is committed.
    own_snapshot = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        snapshot_args: list[str] = []
        if own_snapshot:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_args = ["--snapshot", cursor.fetchone()[0]]
        snapshot = {
            "tables": _count_rows(cursor, _tables(cursor)),
            "migrations": _applied_migrations(cursor),
            "audit_chains": _chain_heads(cursor),
            "server_version": connection.pg_version,  # type: ignore[attr-defined]
        }
        # pg_dump must start while this transaction (and its exported snapshot) is open.
        done = subprocess.run(  # noqa: S603 - fixed argv
            [pg_dump, *args, "--format=custom", "--no-owner", *snapshot_args, "--file", str(payload)],
            env=env,
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        raise BackupError(_("pg_dump 失败：%(err)s") % {"err": done.stderr.strip()})
    return snapshot


# --- scheduled backups: default names and retention -------------------------------------------------
# `bangfu backup` without -o (the nightly timer) names its files so retention can read their date;
# files named otherwise (pre-upgrade backups, ones taken by hand) are never pruned.
SCHEDULED_NAME = re.compile(r"^bangfu-(\d{4}-\d{2}-\d{2})-(\d{6})\.bangfu$")


def scheduled_backup_path(directory: Path, moment: datetime) -> Path:
    """`bangfu-YYYY-MM-DD-HHMMSS.bangfu` in `directory` (`moment` in the office's zone)."""
    return directory / f"bangfu-{moment:%Y-%m-%d-%H%M%S}.bangfu"


def prune_backups(*, directory: Path, keep_days: int, keep_months: int) -> list[Path]:
    """Delete scheduled backups beyond the newest of each of the `keep_days` most recent days that
    have one and the newest of each of the `keep_months` most recent months. Counted in days with
    a backup, not calendar days: when backups stop, the last good ones stay. Returns the deleted."""
    scheduled = sorted(
        (path for path in directory.glob("bangfu-*.bangfu") if SCHEDULED_NAME.match(path.name)),
        key=lambda path: path.name,
        reverse=True,
    )
    newest_of_day: dict[str, Path] = {}
    newest_of_month: dict[str, Path] = {}
    for path in scheduled:
        day = SCHEDULED_NAME.match(path.name).group(1)  # type: ignore[union-attr]
        newest_of_day.setdefault(day, path)
        newest_of_month.setdefault(day[:7], path)
    keep = set(list(newest_of_day.values())[:keep_days]) | set(list(newest_of_month.values())[:keep_months])
    deleted = [path for path in scheduled if path not in keep]
    for path in deleted:
        path.unlink()
    return deleted


# --- restore ---------------------------------------------------------------------------------------
def read_manifest(path: Path) -> dict[str, Any]:
    try:
        with tarfile.open(path, "r:*") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest = json.loads(member.read().decode())
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(_("不是 bangfu 备份文件，或文件已损坏：%(path)s") % {"path": path}) from exc
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(_("不是 bangfu 备份文件（或格式版本不受支持）：%(path)s") % {"path": path})
    return manifest


def data_tables_with_rows() -> dict[str, int]:
    """Tables of the current database that hold rows beyond what `migrate` writes."""
    with connection.cursor() as cursor:
        existing = set(_tables(cursor))
        models_tables = {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
        candidates = sorted((existing & models_tables) - SCHEMA_ONLY_TABLES)
        return {table: n for table, n in _count_rows(cursor, candidates).items() if n}


def _check_schema(manifest: dict[str, Any]) -> list[str]:
    """Refuse a backup from a newer schema; return the migrations this code has beyond it."""
    known = {
        f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    }
    applied = set(manifest.get("migrations", []))
    unknown = sorted(applied - known)
    if unknown:
        raise BackupError(
            _("备份来自更新版本的 bangfu（本程序不认识的迁移：%(names)s）：请先升级程序再恢复。")
            % {"names": ", ".join(unknown[:5])}
        )
    return sorted(known - applied)


def restore(
    *, path: Path, force: bool = False, progress: Callable[[str], None] | None = None
) -> RestoreResult:
    """Restore `path` into the configured database. All or nothing; see the module docstring."""
    say = progress or (lambda _msg: None)
    manifest = read_manifest(path)
    vendor = connection.vendor
    if manifest["backend"] != vendor:
        raise BackupError(
            _("此备份来自 %(source)s 数据库，不能恢复到 %(target)s 数据库。")
            % {
                "source": BACKEND_NAMES.get(manifest["backend"], manifest["backend"]),
                "target": BACKEND_NAMES.get(vendor, vendor),
            }
        )
    newer = _check_schema(manifest)
    occupied = data_tables_with_rows()
    if occupied and not force:
        listed = ", ".join(f"{t} ({n})" for t, n in sorted(occupied.items())[:5])
        raise BackupError(
            _(
                "目标数据库已有数据（%(tables)s 等 %(n)s 张表），未做任何改动。只能恢复到空数据库；"
                "确需覆盖现有数据，请先备份，再加 --force。"
            )
            % {"tables": listed, "n": len(occupied)}
        )
    # The payload's name is fixed per backend, never taken from the file (no path tricks).
    name = PAYLOAD[vendor]
    with tempfile.TemporaryDirectory(prefix="bangfu-restore-") as tmp:
        payload = Path(tmp) / name
        with tarfile.open(path, "r:*") as archive:
            try:
                member = archive.extractfile(name)
            except KeyError:
                member = None
            if member is None or manifest.get("payload") != name:
                raise BackupError(_("备份文件缺少数据部分：%(path)s") % {"path": path})
            with payload.open("wb") as out:
                shutil.copyfileobj(member, out)
        if _sha256(payload) != manifest["payload_sha256"]:
            raise BackupError(_("备份文件已损坏（校验和不符），未做任何改动：%(path)s") % {"path": path})
        say(_("正在恢复……"))
        if vendor == "sqlite":
            _restore_sqlite(payload)
        else:
            _restore_postgresql(payload)
    _verify(manifest)
    result = RestoreResult(manifest=manifest)
    if newer:
        say(_("正在升级数据库结构（%(n)s 个迁移）……") % {"n": len(newer)})
        call_command("migrate", verbosity=0, interactive=False)
        result.migrated = newer
    return result


def _restore_sqlite(payload: Path) -> None:
    target = connection.settings_dict["NAME"]
    if not target or str(target) == ":memory:" or "mode=memory" in str(target):
        raise BackupError(_("目标是内存数据库，不能恢复。"))
    connection.close()
    source = sqlite3.connect(payload)
    destination = sqlite3.connect(target, timeout=20)
    try:
        # One transaction on the destination: it holds the old database or the whole backup.
        source.backup(destination)
    finally:
        destination.close()
        source.close()


def _restore_postgresql(payload: Path) -> None:
    pg_restore = _pg_tool("pg_restore")
    connection.ensure_connection()
    _check_tool_version(pg_restore)
    with connection.cursor() as cursor:
        has_schema = bool(_tables(cursor))
    connection.close()
    env, args = _pg_env_and_args(_database_settings())
    # --clean drops the dump's objects first (a migrated but empty schema, or --force); with
    # --single-transaction a failure anywhere leaves the database as it was.
    clean = ["--clean", "--if-exists"] if has_schema else []
    done = subprocess.run(  # noqa: S603 - fixed argv
        [
            pg_restore,
            *args,
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *clean,
            str(payload),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(_("pg_restore 失败，未做任何改动：%(err)s") % {"err": done.stderr.strip()})


def _verify(manifest: dict[str, Any]) -> None:
    """The restored tables hold exactly the rows the backup counted."""
    with connection.cursor() as cursor:
        expected = manifest["tables"]
        present = set(_tables(cursor))
        missing = sorted(set(expected) - present)
        counts = _count_rows(cursor, sorted(set(expected) & present))
    wrong = [f"{t}: {counts[t]} ≠ {expected[t]}" for t in sorted(counts) if counts[t] != expected[t]]
    if missing or wrong:
        raise BackupError(
            _("恢复后的数据与备份清单不符：%(problems)s") % {"problems": "; ".join((missing + wrong)[:5])}
        )
