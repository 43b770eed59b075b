"""Start-up refuses weak or missing secrets outside debug and demo."""

from __future__ import annotations

import os
import subprocess
import sys

STRONG = "x" * 40


def _start(**env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("BANGFU_")}
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import bangfu.settings"],
        env=base,
        capture_output=True,
        text=True,
        check=False,
    )


def test_it_refuses_to_start_without_a_secret_key() -> None:
    result = _start(BANGFU_FIELD_KEY=STRONG)
    assert result.returncode != 0
    assert "BANGFU_SECRET_KEY is not set" in result.stderr


def test_it_refuses_a_short_secret_key() -> None:
    result = _start(BANGFU_SECRET_KEY="short", BANGFU_FIELD_KEY=STRONG)
    assert result.returncode != 0
    assert "BANGFU_SECRET_KEY is too short" in result.stderr


def test_it_refuses_a_short_field_key_even_in_debug() -> None:
    result = _start(BANGFU_SECRET_KEY=STRONG, BANGFU_FIELD_KEY="short", BANGFU_DEBUG="1")
    assert result.returncode != 0
    assert "BANGFU_FIELD_KEY is too short" in result.stderr


def test_it_starts_with_strong_secrets() -> None:
    result = _start(BANGFU_SECRET_KEY=STRONG, BANGFU_FIELD_KEY=STRONG)
    assert result.returncode == 0, result.stderr


def test_it_refuses_a_malformed_today() -> None:
    result = _start(BANGFU_SECRET_KEY=STRONG, BANGFU_FIELD_KEY=STRONG, BANGFU_TODAY="2020-13-01")
    assert result.returncode != 0
    assert "BANGFU_TODAY must be an ISO date" in result.stderr


def test_the_cli_prints_a_clear_configuration_error() -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("BANGFU_")}
    base["BANGFU_DATA_DIR"] = "/nonexistent-bangfu-test-dir"
    result = subprocess.run(
        [sys.executable, "-m", "bangfu.cli", "check"], env=base, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert result.stderr.startswith("bangfu: configuration error: BANGFU_SECRET_KEY is not set")
