"""The task worker's heartbeat: `bangfu db_worker` rewrites a small file in the data directory
every BEAT_SECONDS while it runs, and `bangfu doctor` reads its age.

A file rather than a table: the worker and the web server share the data directory anyway
(uploads wait there for the worker), and a heartbeat is machine state, not a record of the
office's work. It is written to a temporary name and renamed, so a reader never sees half of it."""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

FILE_NAME = "worker-heartbeat.json"
BEAT_SECONDS = 30


@dataclass(frozen=True)
class Beat:
    host: str
    pid: int
    started_at: datetime
    seen_at: datetime

    def age_seconds(self, now: datetime) -> float:
        return (now - self.seen_at).total_seconds()


def heartbeat_path() -> Path:
    return Path(settings.DATA_DIR) / FILE_NAME


def write_beat(*, started_at: datetime, now: datetime | None = None) -> None:
    path = heartbeat_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "started_at": started_at.isoformat(),
        "seen_at": (now or datetime.now(UTC)).isoformat(),
    }
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(body), encoding="utf-8")
    partial.chmod(0o600)
    os.replace(partial, path)


def read_beat() -> Beat | None:
    """The last heartbeat, or None when no worker ever wrote one (or the file is unreadable)."""
    try:
        body = json.loads(heartbeat_path().read_text(encoding="utf-8"))
        return Beat(
            host=str(body["host"]),
            pid=int(body["pid"]),
            started_at=datetime.fromisoformat(body["started_at"]),
            seen_at=datetime.fromisoformat(body["seen_at"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


@contextmanager
def beating(interval: float = BEAT_SECONDS) -> Iterator[None]:
    """Beat now, then every `interval` seconds from a daemon thread until the block ends (a worker
    that has stopped then looks stopped once its last beat is old)."""
    started_at = datetime.now(UTC)
    write_beat(started_at=started_at)
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval):
            try:
                write_beat(started_at=started_at)
            except OSError:
                continue  # a full or read-only disk: the doctor will report the stale beat

    thread = threading.Thread(target=loop, name="bangfu-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)
