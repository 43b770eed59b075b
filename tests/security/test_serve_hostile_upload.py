"""The dimension bomb against a real `bangfu serve` (gunicorn) process (issue #18): a unit reporter
uploads the 7 KB workbook that claims a cell at XFD1048576 (and the 200 MB-of-blanks workbook) to
the cadre import, the county admin the bomb to the registry import; each is refused with a message
naming the file, the same worker goes on answering, and the peak resident memory of the server's
processes stays under the bound of docs/operations.md ("Memory bound": about 250 MB above the
process's resting size, plus the 20 MB upload)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from ..hostile import dimension_bomb, high_ratio

STRONG = "s" * 40
PASSWORD = "hostile-upload-password"
BOUND_KB = (250 + 20) * 1024  # docs/operations.md, "Memory bound"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _kb(pid: int, field: str) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.M).group(1))


def _workers(master: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


class _Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def _token(self, path: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(path))
        assert match, path
        return match.group(1)

    def login(self, username: str) -> None:
        token = self._token("/accounts/login/")
        data = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token, "next": "/"}
        request = urllib.request.Request(
            self.base + "/accounts/login/",
            data=urllib.parse.urlencode(data).encode(),
            headers={"Referer": self.base + "/"},
        )
        with self.opener.open(request, timeout=30) as response:
            assert response.url == self.base + "/", "login failed"

    def upload(self, path: str, name: str, content: bytes, **fields: str) -> tuple[int, str]:
        """POST the page's form with the file; (status, page after redirects)."""
        fields["csrfmiddlewaretoken"] = self._token(path)
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
            for key, value in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            self.base + path,
            data=b"".join(parts),
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Referer": self.base + path,
            },
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BANGFU_", "DATABASE_URL"))}
    env.update(
        BANGFU_SECRET_KEY=STRONG,
        BANGFU_FIELD_KEY=STRONG,
        BANGFU_DATA_DIR=str(tmp_path / "data"),
        BANGFU_DEMO_PASSWORD=PASSWORD,
    )
    return env


def _bangfu(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bangfu.cli", *args], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_a_real_server_refuses_the_dimension_bomb_and_stays_up_within_its_memory_bound(tmp_path):
    env = _env(tmp_path)
    _bangfu(env, "migrate", "-v0")
    # The demo's base only (areas, organisations, one user per role: "unit" is a unit reporter).
    _bangfu(env, "shell", "-c", "from bangfu.core.demo import seed_demo; seed_demo(full=False)")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "bangfu.cli", "serve", "--addr", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        unit, admin = _Browser(base), _Browser(base)
        unit.login("unit")
        admin.login("admin")
        (worker,) = _workers(server.pid)
        resting = _kb(worker, "VmRSS")
        bomb, ratio = dimension_bomb(), high_ratio()

        def send_them() -> None:
            for name, content in [("bomb.xlsx", bomb), ("ratio.xlsx", ratio)]:
                status, page = unit.upload("/partners/cadres/import/", name, content)
                assert status == 200, page[-2000:]
                assert f"文件“{name}”" in page and "导入完成" not in page  # refused, naming the file
            status, page = admin.upload("/registry/imports/", "bomb.xlsx", bomb, as_of="2020-07-01")
            assert status == 200 and "bomb.xlsx" in page, page[-2000:]
            assert "状态：<b>失败</b>" in page, page[-2000:]  # run in the web process, and ended

        send_them()  # the first time also loads the code of these pages
        warm = _kb(worker, "VmHWM")
        send_them()
        peak = _kb(worker, "VmHWM")
        print(f"worker: resting {resting} kB, peak {warm} kB after one round, {peak} kB after two")

        # Still answering, by the same worker (it did not die and get replaced).
        with urllib.request.urlopen(f"{base}/healthz", timeout=10) as response:
            assert response.status == 200
        assert "csrfmiddlewaretoken" in unit.get("/partners/cadres/import/")
        assert _workers(server.pid) == [worker]
        assert peak - resting < BOUND_KB, (resting, peak)
        assert peak - warm < 20 * 1024, (warm, peak)  # refusing allocates nothing that stays
        assert _kb(server.pid, "VmHWM") < BOUND_KB  # the master never reads an upload
    finally:
        server.terminate()
        server.wait(timeout=20)
