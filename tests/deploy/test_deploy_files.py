"""The production set-up in deploy/ is valid for the tools that will read it: systemd, nginx (with
a self-signed certificate), logrotate, bash; and it names only commands and settings that exist.

Where a tool is missing the test skips, saying why, except in CI (`CI` set), where .ci/run
installs Debian's systemd, nginx and logrotate and a missing tool is a failure."""

from __future__ import annotations

import datetime
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _tool(name: str) -> str:
    found = shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/sbin") / name) if p.exists()), None
    )
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing: .ci/run installs it")
        pytest.skip(f"{name} is not installed (.ci/run installs it from Debian)")
    return found


def _render(text: str, tmp_path: Path) -> str:
    """The units and configs with the installation's paths moved under tmp_path, as install.sh does."""
    user = subprocess.run(["id", "-un"], capture_output=True, text=True, check=True).stdout.strip()
    group = subprocess.run(["id", "-gn"], capture_output=True, text=True, check=True).stdout.strip()
    return (
        text.replace("/opt/bangfu", str(tmp_path / "opt"))
        .replace("/var/lib/bangfu", str(tmp_path / "data"))
        .replace("/var/log/bangfu", str(tmp_path / "log"))
        .replace("/var/log/nginx", str(tmp_path / "log"))
        .replace("/etc/nginx/ssl", str(tmp_path / "ssl"))
        .replace("su bangfu bangfu", f"su {user} {group}")
    )


def _units() -> list[Path]:
    return sorted((DEPLOY / "systemd").iterdir())


def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    analyze = _tool("systemd-analyze")
    bangfu = tmp_path / "opt" / "venv" / "bin" / "bangfu"
    bangfu.parent.mkdir(parents=True)
    bangfu.write_text("#!/bin/sh\n")
    bangfu.chmod(0o755)
    units = tmp_path / "units"
    units.mkdir()
    for unit in _units():
        (units / unit.name).write_text(_render(unit.read_text(), tmp_path))
    result = subprocess.run(
        [analyze, "verify", *sorted(str(p) for p in units.iterdir())], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "bangfu" not in result.stderr, result.stderr


def test_every_unit_runs_a_bangfu_command_with_arguments_it_accepts():
    commands = get_commands()
    seen = set()
    for unit in _units():
        for line in unit.read_text().splitlines():
            if not line.startswith("ExecStart=/opt/bangfu/venv/bin/bangfu "):
                continue
            name, *args = shlex.split(line.split(" ", 1)[1])
            name = name.replace("-", "_")
            assert name in commands, f"{unit.name}: no command {name}"
            if args:  # (db_worker takes none; its defaults need the database task backend)
                parser = load_command_class(commands[name], name).create_parser("bangfu", name)
                parser.parse_args(args)  # raises on an unknown or malformed option
            seen.add(name)
    assert seen == {"serve", "db_worker", "send_reminders", "network_expire_claims", "backup"}


def test_the_daily_jobs_run_on_beijing_time_and_catch_up_after_downtime():
    for timer in (DEPLOY / "systemd").glob("*.timer"):
        text = timer.read_text()
        assert re.search(r"^OnCalendar=\*-\*-\* \d\d:\d\d:00 Asia/Shanghai$", text, re.M), timer.name
        assert "Persistent=true" in text, timer.name


def _self_signed(directory: Path) -> None:
    directory.mkdir()
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bangfu.example.gov.cn")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    (directory / "bangfu.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "bangfu.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


def test_the_nginx_site_passes_nginx_t_with_a_self_signed_certificate(tmp_path):
    nginx = _tool("nginx")
    _self_signed(tmp_path / "ssl")
    (tmp_path / "log").mkdir()
    site = tmp_path / "bangfu.conf"
    site.write_text(_render((DEPLOY / "nginx" / "bangfu.conf").read_text(), tmp_path))
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/log/error.log;\nevents {{}}\n"
        f"http {{\n  access_log {tmp_path}/log/access.log;\n  include {site};\n}}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-c", str(main), "-p", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_the_nginx_site_keeps_query_strings_out_of_its_access_log_and_passes_what_bangfu_needs():
    text = (DEPLOY / "nginx" / "bangfu.conf").read_text()
    log_format = re.search(r"log_format bangfu (.*?);", text, re.S).group(1)
    assert "$request " not in log_format and "$request_uri" not in log_format and "$args" not in log_format
    assert "$http_referer" not in log_format
    for header in ("X-Forwarded-Proto $scheme", "X-Real-IP $remote_addr", "Host $host"):
        assert f"proxy_set_header {header};" in text
    assert "ssl_certificate " in text and "return 301 https://" in text


def test_the_logrotate_config_is_valid_and_keeps_six_months(tmp_path):
    logrotate = _tool("logrotate")
    (tmp_path / "log").mkdir(mode=0o750)
    (tmp_path / "log" / "web.log").write_text("a line\n")
    config = tmp_path / "bangfu"
    config.write_text(_render((DEPLOY / "logrotate" / "bangfu").read_text(), tmp_path))
    result = subprocess.run(
        [logrotate, "--debug", "--state", str(tmp_path / "state"), str(config)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr.lower(), result.stderr
    assert re.search(r"^\s*rotate 180$", config.read_text(), re.M)


def test_install_sh_is_valid_bash():
    result = subprocess.run(["bash", "-n", str(DEPLOY / "install.sh")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_settings_file_example_names_only_settings_bangfu_reads():
    read = "\n".join(
        (ROOT / "src" / "bangfu" / path).read_text()
        for path in ("settings.py", "cli.py", "core/management/commands/serve.py")
    )
    names = re.findall(r"^#?([A-Z_]+)=", (DEPLOY / "bangfu.env.example").read_text(), re.M)
    assert names
    for name in names:
        assert f'"{name}"' in read, f"{name} is not read by bangfu"
