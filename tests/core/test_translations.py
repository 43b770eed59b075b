"""Every UI string has an English translation (Chinese is the source language)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import bangfu
from bangfu.lib.messages import catalogues, untranslated, update_catalogues

PACKAGE = Path(bangfu.__file__).resolve().parent


def test_every_catalogue_is_fully_translated() -> None:
    assert catalogues(PACKAGE)
    assert untranslated(PACKAGE) == {}


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_the_catalogues_cover_every_string_in_the_source(tmp_path: Path) -> None:
    copy = tmp_path / "bangfu"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("vendor", "__pycache__", "*.mo"))
    update_catalogues(copy)
    assert untranslated(copy) == {}, "run `make translations` and translate the empty entries"
