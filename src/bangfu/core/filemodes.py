"""Files with personal data are bangfu's own: the data directory 0700, the database, uploads,
exports and backups 0600 (docs/operations.md "Files and permissions").

`restrict_process()` sets the process umask early in every entry point (the `bangfu` CLI, WSGI),
so whatever the process creates — SQLite's database and its -wal/-shm files, uploads, exports,
backups — is private from the start. `private_dir` and `write_private` say so explicitly where
bangfu writes personal data itself. `wider_than_private(paths)` is the check `bangfu
check-integrity` (and `bangfu doctor`) report from.
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


def restrict_process() -> None:
    os.umask(PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """Create the directory (and parents) if needed; the directory itself ends up 0700."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
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


def wider_than_private(paths: Iterable[Path], *, recursive: bool = True) -> Iterator[WideFile]:
    """Every existing path (and, for directories, everything under them) that its group or
    others may read, write or enter. Symbolic links are not followed."""
    for root in paths:
        if not root.exists():
            continue
        walk = [root]
        if recursive and root.is_dir():
            walk.extend(sorted(root.rglob("*")))
        for path in walk:
            try:
                mode = path.lstat().st_mode
            except OSError:
                continue
            if stat.S_ISLNK(mode):
                continue
            if mode & 0o077:
                yield WideFile(path, mode)


def data_paths() -> list[Path]:
    """What holds personal data: the data directory (SQLite database, uploads, generated files,
    secrets) — STATIC_ROOT inside it excepted, which holds only the public front-end files."""
    from django.conf import settings

    data_dir = Path(settings.DATA_DIR)
    paths = [data_dir]
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        name = Path(str(database["NAME"]))
        if data_dir not in name.parents:
            paths.extend([name, Path(f"{name}-wal"), Path(f"{name}-shm")])
    media = Path(settings.MEDIA_ROOT)
    if data_dir not in media.parents and media != data_dir:
        paths.append(media)
    return paths


def private_problems() -> list[WideFile]:
    """The files and directories holding personal data that others may read (for
    `bangfu check-integrity` and `bangfu doctor`)."""
    from django.conf import settings

    static = Path(settings.STATIC_ROOT)
    return [
        wide
        for wide in wider_than_private(data_paths())
        if wide.path != static and static not in wide.path.parents
    ]
