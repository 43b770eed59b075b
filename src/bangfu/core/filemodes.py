"""Files with personal data are bangfu's own: the data directory 0700, the database, uploads,
exports and backups 0600 (docs/operations.md "Files and permissions").

`restrict_process()` sets the process umask early in every entry point (the `bangfu` CLI, WSGI),
so whatever the process creates — SQLite's database and its -wal/-shm files, uploads, exports,
backups — is private from the start. `private_dir` and `write_private` say so explicitly where
bangfu writes personal data itself. `private_scan()` is the one permission check: `bangfu
check-integrity` warns from it and `bangfu doctor` reports from it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
PRIVATE_UMASK = 0o077
# How many entries of the data directory the permission check looks at (bounds its time).
SCAN_LIMIT = 20_000


def restrict_process() -> None:
    os.umask(PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """Create the directory (and missing parents, 0700 too, whatever the umask) if needed; the
    directory itself ends up 0700. Parents that existed keep their modes."""
    missing = [p for p in [path, *path.parents] if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        os.chmod(folder, PRIVATE_DIR)
    os.chmod(path, PRIVATE_DIR)
    return path


def write_private(path: Path, content: bytes) -> None:
    """Write a file that only bangfu's user can read, whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
        with os.fdopen(fd, "wb", closefd=False) as handle:
            handle.write(content)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class WideFile:
    path: Path
    mode: int

    @property
    def is_dir(self) -> bool:
        return stat.S_ISDIR(self.mode)

    def __str__(self) -> str:
        return f"{self.path} ({stat.filemode(self.mode)})"


@dataclass(frozen=True)
class Scan:
    wide: list[WideFile]
    truncated: bool


def scan(paths: Iterable[Path], *, skip: Iterable[Path] = (), limit: int = SCAN_LIMIT) -> Scan:
    """Every existing path (and, for directories, everything under them, `skip` and what is under
    it excepted) that its group or others may read, write or enter. Symbolic links are not
    followed. A file is reported even inside a directory others cannot enter: that directory is
    one chmod, or one copy of the tree, away from exposing it. At most `limit` entries are looked
    at (`truncated` says the scan stopped there)."""
    skipped = {Path(p) for p in skip}
    wide: list[WideFile] = []
    seen = 0
    for root in paths:
        if root in skipped or not os.path.lexists(root):
            continue
        for path in _walk(root, skipped):
            seen += 1
            if seen > limit:
                return Scan(wide, truncated=True)
            try:
                mode = path.lstat().st_mode
            except OSError:  # removed meanwhile
                continue
            if not stat.S_ISLNK(mode) and mode & 0o077:
                wide.append(WideFile(path, mode))
    return Scan(wide, truncated=False)


def _walk(root: Path, skipped: set[Path]) -> Iterator[Path]:
    yield root
    if root.is_symlink() or not root.is_dir():
        return
    for directory, dirnames, filenames in os.walk(root, onerror=lambda error: None):
        dirnames[:] = sorted(d for d in dirnames if Path(directory) / d not in skipped)
        for name in [*dirnames, *sorted(filenames)]:
            yield Path(directory) / name


def wider_than_private(paths: Iterable[Path]) -> list[WideFile]:
    return scan(paths).wide


def data_paths() -> list[Path]:
    """What holds personal data: the data directory (SQLite database, uploads, generated files,
    secrets, backups) and those of them configured elsewhere."""
    from django.conf import settings

    data_dir = Path(settings.DATA_DIR)
    paths = [data_dir]
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        name = Path(str(database["NAME"]))
        if data_dir not in name.parents:
            paths.extend([name, Path(f"{name}-wal"), Path(f"{name}-shm")])
    for folder in (Path(settings.MEDIA_ROOT), Path(getattr(settings, "BACKUP_DIR", data_dir))):
        if data_dir not in folder.parents and folder != data_dir and folder not in paths:
            paths.append(folder)
    return paths


def private_scan(limit: int = SCAN_LIMIT) -> Scan:
    """The files and directories holding personal data that others may read: the one check of
    `bangfu check-integrity` (a warning per file) and `bangfu doctor` (a problem)."""
    from django.conf import settings

    return scan(data_paths(), skip=[Path(settings.STATIC_ROOT)], limit=limit)


def private_problems() -> list[WideFile]:
    return private_scan().wide
