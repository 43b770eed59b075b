"""The command line (issue #17): operations commands answer in Chinese by default and in English
with `--lang en`; the import shows its phases as a Chinese progress line; every command on the
demo's data dir lives on the demo's "today"; a sample registry never clashes with the demo."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from bangfu import cli
from bangfu.areas.models import Area
from bangfu.core.demo import COUNTY_CODE
from bangfu.registry import demo as registry_demo
from bangfu.registry.services import import_registry


def _run(*args: str, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_a_command_answers_in_chinese_by_default_and_in_english_on_request(demo):
    assert _run("network_expire_claims") == "过期的认领：0 条；清理的注册计数：0 条\n"
    assert _run("network_expire_claims", lang="en") == "Expired claims: 0; sign-up counters pruned: 0\n"


@pytest.mark.parametrize(
    ("lang", "message"),
    [("zh-hans", "没有雨露计划学期 2031-spring。"), ("en", "No Yulu term 2031-spring.")],
)
def test_a_command_s_errors_come_in_its_language(demo, lang, message):
    with pytest.raises(CommandError) as raised:
        call_command("yulu_reconcile", term="2031-spring", lang=lang)
    assert str(raised.value) == message


def test_written_files_are_reported_in_the_command_s_language(demo, tmp_path):
    with pytest.raises(CommandError, match="没有2020年度工作方案"):
        call_command("export_ledger", year=2020, output=tmp_path / "ledger.xlsx", county=COUNTY_CODE)
    with pytest.raises(CommandError, match="has no 2020 work plan"):
        call_command(
            "export_ledger", year=2020, output=tmp_path / "ledger.xlsx", county=COUNTY_CODE, lang="en"
        )


def test_the_import_shows_its_phases_as_a_chinese_progress_line(demo, tmp_path, capsys):
    from bangfu.registry.sample import VillageSpec, generate_rows, write_xlsx

    rows = generate_rows([VillageSpec("格桑县", "雪岭镇", "然布村", "513325100202")], households=3, seed=5)
    path = tmp_path / "sample.xlsx"
    write_xlsx(rows, path)
    call_command("import_registry", str(path), as_of=date(2020, 3, 1), stdout=io.StringIO())
    lines = capsys.readouterr().err.splitlines()
    phases = [line for line in lines if line.startswith("[")]
    assert phases == [
        f"[1/5] 读取校验：{len(rows)} 行",
        f"[2/5] 核对区划：{len(rows)} 行",
        f"[3/5] 写入户：{len(rows)} 行",
        f"[4/5] 写入成员：{len(rows)} 行",
        f"[5/5] 写入历史：{len(rows)} 行",
    ]
    assert not any(line.strip() in {"areas", "households", "members", "history"} for line in lines)


def test_a_sample_registry_imported_into_the_demo_rejects_no_row(demo, tmp_path, settings):
    settings.BANGFU_TODAY = date(2020, 7, 15)
    registry_demo.seed_demo(Area.objects.get(code=COUNTY_CODE))
    from bangfu.registry.models import Household

    before = Household.objects.count()
    path = tmp_path / "sample.xlsx"
    _run("make_sample_registry", households=60, output=path)  # the default seed, as the issue ran it
    summary = import_registry(actor=None, path=path, as_of=date(2020, 7, 1))
    assert summary.errors == [] and summary.rejected == 0
    # New households and people: none of the demo's is touched.
    assert summary.updated == 0 and summary.created == summary.rows
    assert Household.objects.count() == before + 60


def _bangfu(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BANGFU_", "DATABASE_URL"))}
    clean.update(BANGFU_DATA_DIR=str(data_dir), **env)
    return subprocess.run(
        [sys.executable, "-m", "bangfu.cli", *args], env=clean, capture_output=True, text=True, timeout=120
    )


def _last_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_every_command_on_the_demo_s_data_lives_on_the_demo_s_today(tmp_path):
    """`bangfu seed-demo` stores the demo's date with its data (demo.env); any later command on
    that data dir — here a shell reading the office clock — uses it; the environment still wins."""
    assert _bangfu(tmp_path, "seed-demo", "--help").returncode == 0
    assert (tmp_path / "demo.env").read_text(encoding="utf-8").count("BANGFU_TODAY=2020-07-15") == 1
    read_clock = ("shell", "-c", "from bangfu.lib import clock; print(clock.today())")
    assert _last_line(_bangfu(tmp_path, *read_clock)) == "2020-07-15"
    assert _last_line(_bangfu(tmp_path, *read_clock, BANGFU_TODAY="2021-01-04")) == "2021-01-04"
    (tmp_path / "demo.env").unlink()
    assert _last_line(_bangfu(tmp_path, *read_clock)) != "2020-07-15"


def test_ensure_demo_env_keeps_an_existing_file(tmp_path):
    path = tmp_path / "demo.env"
    path.write_text("BANGFU_TODAY=2020-09-01\n", encoding="utf-8")
    cli.ensure_demo_env(path)
    assert path.read_text(encoding="utf-8") == "BANGFU_TODAY=2020-09-01\n"


def test_the_screening_names_its_lead_sources_in_words(demo, settings):
    settings.BANGFU_TODAY = date(2020, 7, 15)
    registry_demo.seed_demo(Area.objects.get(code=COUNTY_CODE))
    out = _run("monitoring_screen", county=COUNTY_CODE)
    assert out.startswith("新增线索") and "income" not in out and "人均纯收入低于监测线" in out
    assert " new leads (" in _run("monitoring_screen", county=COUNTY_CODE, lang="en")
