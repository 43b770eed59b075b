"""`bangfu serve` starts the production server (gunicorn) that answers /healthz."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

STRONG = "s" * 40


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_bangfu_serve_answers_health_checks(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BANGFU_", "DATABASE_URL"))}
    env.update(BANGFU_SECRET_KEY=STRONG, BANGFU_FIELD_KEY=STRONG, BANGFU_DATA_DIR=str(tmp_path))
    subprocess.run([sys.executable, "-m", "bangfu.cli", "migrate", "-v0"], env=env, check=True)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bangfu.cli", "serve", "--addr", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        body = b""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    body = response.read()
                    break
            except OSError:
                time.sleep(0.1)
        assert body == b'{"status": "ok", "database": "ok"}'
    finally:
        server.terminate()
        server.wait(timeout=10)
