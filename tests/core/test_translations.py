"""Every UI string has an English translation (Chinese is the source language)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

import bangfu

PACKAGE = Path(bangfu.__file__).resolve().parent
CATALOGUE = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_the_english_catalogue_is_complete() -> None:
    po = polib.pofile(str(CATALOGUE))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_the_catalogue_covers_every_string_in_the_source(tmp_path: Path) -> None:
    copy = tmp_path / "bangfu"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("vendor", "__pycache__", "*.mo"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-obsolete", "--ignore=static/*"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"DJANGO_SETTINGS_MODULE": "bangfu.settings", "BANGFU_DEBUG": "1", "PATH": "/usr/bin:/bin"},
    )
    fresh = polib.pofile(str(copy / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    missing = sorted(e.msgid for e in fresh.untranslated_entries())
    assert missing == [], "run `make translations` and translate these: " + "; ".join(missing)
