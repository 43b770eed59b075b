"""The offline bundle installs, serves and upgrades on a machine that reaches no registry.

The bundle is built by `make bundle`; `make test-bundle` builds it and runs this module with
BANGFU_TEST_BUNDLE set (.ci/run does so once; the rest of the suite runs twice). install.sh runs
in a network namespace of its own when the machine allows one (no network at all, not even
loopback), always with PIP_NO_INDEX=1, pip's configuration files ignored, a proxy that answers
nothing, and a PATH of a few system tools without npm or node.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tarfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

BUNDLE = os.environ.get("BANGFU_TEST_BUNDLE", "")
pytestmark = pytest.mark.skipif(
    not BUNDLE,
    reason="needs a built bundle: `make test-bundle` (run once by .ci/run) sets BANGFU_TEST_BUNDLE",
)

ROOT = Path(__file__).resolve().parents[2]
COUNTY = "513325000000"
PASSWORD = "Xueling-Zhaxi-Gesang-7715"
# Everything install.sh and the bangfu wrapper call; npm and node are deliberately absent.
TOOLS = [
    "bash", "sh", "env", "sed", "cat", "cp", "rm", "mkdir", "chmod", "chown", "install", "find",
    "ls", "id", "date", "dirname", "sha256sum", "tail", "useradd", "runuser",
]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tool_farm(path: Path) -> Path:
    """A PATH directory holding only TOOLS and this Python (as python3 and python3.X)."""
    path.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        if found:
            (path / tool).symlink_to(found)
    base = Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    (path / "python3").symlink_to(base)
    (path / base.name).symlink_to(base)
    assert shutil.which("npm", path=str(path)) is None
    assert shutil.which("node", path=str(path)) is None
    return path


def _isolated(argv: list[str]) -> list[str]:
    """Run without any network when this machine lets us make a network namespace."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "--net", "true"], capture_output=True).returncode == 0:
        return [unshare, "--net", *argv]
    return argv


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bundle")
    with tarfile.open(BUNDLE) as archive:
        archive.extractall(tmp / "unpacked", filter="data")
    (bundle_dir,) = (tmp / "unpacked").iterdir()
    env = {
        "PATH": str(_tool_farm(tmp / "bin")),
        "HOME": str(tmp / "home"),
        "LANG": "C.UTF-8",
        "PIP_NO_INDEX": "1",
        "PIP_CONFIG_FILE": os.devnull,
        # Anything that still tries the network meets a closed port.
        "http_proxy": "http://127.0.0.1:9",
        "https_proxy": "http://127.0.0.1:9",
    }
    return {
        "bundle": bundle_dir,
        "prefix": tmp / "opt",
        "data": tmp / "data",
        "env": env,
        "tmp": tmp,
        "user": subprocess.run(["id", "-un"], capture_output=True, text=True, check=True).stdout.strip(),
    }


def _install(site) -> subprocess.CompletedProcess[str]:
    argv = [
        str(site["bundle"] / "install.sh"),
        "--prefix", str(site["prefix"]),
        "--data", str(site["data"]),
        "--user", site["user"],
    ]  # fmt: skip
    return subprocess.run(
        _isolated(argv), env=site["env"], cwd=site["tmp"], capture_output=True, text=True, timeout=900
    )


def _bangfu(site, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(site["prefix"] / "bin" / "bangfu"), *args],
        env={**site["env"], **env},
        cwd=site["tmp"],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _rows(site, sql: str) -> list[tuple]:
    with sqlite3.connect(site["data"] / "bangfu.sqlite3") as db:
        return db.execute(sql).fetchall()


def _wait_for(url: str) -> int:
    for _ in range(200):
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


def test_the_bundle_carries_its_wheels_and_the_production_set_up(site):
    bundle = site["bundle"]
    wheels = {path.name.split("-")[0].lower() for path in (bundle / "wheels").glob("*.whl")}
    # Every runtime dependency named in pyproject.toml, taken when the bundle was built.
    import tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for requirement in declared:
        name = re.split(r"[\[<>=~! ]", requirement, maxsplit=1)[0].lower().replace("-", "_")
        assert name in wheels, f"{name} missing from the bundle"
    assert {"bangfu", "pip"} <= wheels
    for name in [
        "install.sh",
        "requirements.txt",
        "SHA256SUMS",
        "docs/deploy.md",
        "plans/2020-social-assistance.yaml",
    ]:
        assert (bundle / name).is_file(), name
    for unit in ["bangfu-web.service", "bangfu-worker.service", "bangfu-backup.timer", "bangfu.target"]:
        assert (bundle / "deploy" / "systemd" / unit).is_file(), unit
    assert not list(bundle.rglob("node_modules"))


def test_it_installs_offline_with_fresh_keys_and_a_migrated_database(site):
    result = _install(site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "下一步" in result.stdout

    secrets = site["data"] / "secrets.env"
    assert secrets.stat().st_mode & 0o777 == 0o600
    keys = dict(line.split("=", 1) for line in secrets.read_text().splitlines() if not line.startswith("#"))
    assert len(keys["BANGFU_SECRET_KEY"]) >= 32 and len(keys["BANGFU_FIELD_KEY"]) >= 32
    assert keys["BANGFU_SECRET_KEY"] != keys["BANGFU_FIELD_KEY"]
    assert site["data"].stat().st_mode & 0o777 == 0o700

    # The code that runs is the installed wheel, not this checkout.
    where = subprocess.run(
        [str(site["prefix"] / "venv" / "bin" / "python"), "-c", "import bangfu; print(bangfu.__file__)"],
        env=site["env"], capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert where.startswith(str(site["prefix"] / "venv"))
    unapplied = _bangfu(site, "showmigrations", "--plan")
    assert unapplied.returncode == 0 and "[ ]" not in unapplied.stdout


def test_the_installed_server_serves_health_login_and_its_assets(site):
    areas = _bangfu(site, "load-areas", str(ROOT / "src" / "bangfu" / "core" / "data" / "demo-areas.csv"))
    assert areas.returncode == 0, areas.stderr
    admin = _bangfu(site, "create-admin", "county-admin", "--county", COUNTY, BANGFU_ADMIN_PASSWORD=PASSWORD)
    assert admin.returncode == 0, admin.stderr

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(site["prefix"] / "bin" / "bangfu"), "serve", "--addr", f"127.0.0.1:{port}", "--workers", "1"],
        env=site["env"], cwd=site["tmp"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert _wait_for(f"{base}/healthz") == 200
        with urllib.request.urlopen(f"{base}/healthz") as response:
            assert json.loads(response.read()) == {"status": "ok", "database": "ok"}

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(f"{base}/accounts/login/") as response:
            assert response.status == 200
            page = response.read().decode()
        assets = re.findall(r'(?:src|href)="(/static/[^"]+\.(?:js|css))"', page)
        assert any(a.endswith("vendor/htmx.min.js") for a in assets), assets
        assert any(a.endswith(".css") for a in assets), assets
        for asset in assets:
            with opener.open(base + asset) as response:
                body = response.read()
                kind = response.headers["Content-Type"]
            assert response.status == 200 and len(body) > 100, asset
            assert ("javascript" in kind) if asset.endswith(".js") else ("text/css" in kind), (asset, kind)

        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {"username": "county-admin", "password": PASSWORD, "csrfmiddlewaretoken": token, "next": "/"}
        ).encode()
        request = urllib.request.Request(
            f"{base}/accounts/login/", data=form, headers={"Referer": base + "/"}
        )
        with opener.open(request) as response:  # follows the redirect to the home page
            assert response.status == 200
            assert response.url == f"{base}/"
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_rerunning_install_upgrades_in_place_after_a_backup_and_keeps_the_data(site):
    secrets_before = (site["data"] / "secrets.env").read_text()
    areas_before = _rows(site, "SELECT count(*) FROM areas_area")[0][0]
    users_before = _rows(site, "SELECT username FROM accounts_user ORDER BY username")
    assert areas_before > 40 and users_before == [("county-admin",)]

    result = _install(site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "升级" in result.stdout

    (backup,) = (site["data"] / "backups").glob("pre-upgrade-*.bangfu")
    with tarfile.open(backup) as archive:
        manifest = json.load(archive.extractfile("bangfu-backup.json"))
    assert manifest["tables"]["areas_area"] == areas_before
    assert (site["data"] / "secrets.env").read_text() == secrets_before
    assert _rows(site, "SELECT count(*) FROM areas_area")[0][0] == areas_before
    assert _rows(site, "SELECT username FROM accounts_user ORDER BY username") == users_before
    unapplied = _bangfu(site, "showmigrations", "--plan")
    assert "[ ]" not in unapplied.stdout


def test_the_doctor_finds_the_upgraded_installation_healthy_once_the_worker_has_run(site):
    worker = _bangfu(site, "db_worker", "--batch", "--no-startup-delay")
    assert worker.returncode == 0, worker.stderr
    doctor = _bangfu(site, "doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "没有发现问题" in doctor.stdout


def test_the_installed_systemd_units_pass_systemd_analyze(site):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (.ci/run installs Debian's systemd)")
    units = sorted(str(p) for p in (site["prefix"] / "deploy" / "systemd").iterdir())
    result = subprocess.run([analyze, "verify", *units], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    web = (site["prefix"] / "deploy" / "systemd" / "bangfu-web.service").read_text()
    assert f"ExecStart={site['prefix']}/venv/bin/bangfu serve" in web
    assert f"User={site['user']}" in web
