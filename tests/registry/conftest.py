from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from bangfu.registry.sample import VillageSpec, generate_rows, write_csv, write_xlsx

AS_OF = date(2020, 3, 1)
RANBU = VillageSpec("格桑县", "雪岭镇", "然布村", "513325100202")
ZHUOGA = VillageSpec("格桑县", "扎西乡", "卓嘎村", "513325200201")


@pytest.fixture
def sample_rows():
    return generate_rows([RANBU, ZHUOGA], households=6, seed=7)


def xlsx_file(tmp_path: Path, rows, name: str = "export.xlsx", title: str | None = None) -> Path:
    path = tmp_path / name
    write_xlsx(rows, path, title=title)
    return path


def csv_file(tmp_path: Path, rows, name: str = "export.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(write_csv(rows, encoding=encoding))
    return path


def xlsx_bytes(rows) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(rows, buffer)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def plan_year(settings, tmp_path):
    """The registry tests live in the plan year, like the demo; uploads go to a temporary dir."""
    settings.BANGFU_TODAY = date(2020, 7, 15)
    settings.MEDIA_ROOT = tmp_path / "media"
