"""Translation catalogues: each app keeps its own (`<app>/locale/en/LC_MESSAGES/django.po`), so
apps never edit one shared file; strings outside apps (base templates, api.py) live in
`bangfu/locale`. Chinese is the source language; the catalogues hold English.

`python -m bangfu.lib.messages`          compile every .po into .mo (pure Python, via polib)
`python -m bangfu.lib.messages update`   refresh every .po from the source (needs GNU xgettext)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polib

PACKAGE_DIR = Path(__file__).resolve().parent.parent
LANGUAGE = "en"


def app_dirs(package_dir: Path = PACKAGE_DIR) -> list[Path]:
    return sorted(p.parent for p in package_dir.glob("*/apps.py"))


def catalogues(package_dir: Path = PACKAGE_DIR) -> list[Path]:
    return sorted(package_dir.glob(f"**/locale/{LANGUAGE}/LC_MESSAGES/django.po"))


def compile_catalogues(package_dir: Path = PACKAGE_DIR) -> list[Path]:
    written = []
    for po_path in catalogues(package_dir):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


def _makemessages(cwd: Path, *extra: str, app_catalogue: bool) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bangfu.settings", "BANGFU_DEBUG": "1"}
    if app_catalogue:
        # Without LOCALE_PATHS, makemessages writes into the app's own locale/ directory.
        env["BANGFU_APP_CATALOGUE"] = "1"
    subprocess.run(  # noqa: S603 - fixed argv, no user input
        [
            sys.executable,
            "-P",
            "-m",
            "django",
            "makemessages",
            "-l",
            LANGUAGE,
            "--no-obsolete",
            "--no-location",
            "--ignore=static",
            *extra,
        ],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
    )


def update_catalogues(package_dir: Path = PACKAGE_DIR) -> list[Path]:
    apps = app_dirs(package_dir)
    _makemessages(package_dir, *(f"--ignore={app.name}" for app in apps), app_catalogue=False)
    for app in apps:
        (app / "locale").mkdir(exist_ok=True)
        _makemessages(app, app_catalogue=True)
    # An app without strings gets no catalogue; drop the empty locale/ left behind.
    for app in apps:
        locale = app / "locale"
        if locale.is_dir() and not any(locale.rglob("*.po")):
            for path in sorted(locale.rglob("*"), reverse=True):
                path.rmdir()
            locale.rmdir()
    for path in catalogues(package_dir):
        normalise_header(path)
    return catalogues(package_dir)


def normalise_header(path: Path) -> None:
    """A fixed header, so refreshing the catalogues changes only the files whose strings changed."""
    po = polib.pofile(str(path))
    po.header = "bangfu English catalogue. Source strings are Chinese (the default language)."
    po.metadata_is_fuzzy = False
    po.metadata = {
        "Project-Id-Version": "bangfu",
        "Language": LANGUAGE,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    po.save(str(path))


def untranslated(package_dir: Path = PACKAGE_DIR) -> dict[str, list[str]]:
    missing = {}
    for path in catalogues(package_dir):
        po = polib.pofile(str(path))
        entries = [e.msgid for e in po.untranslated_entries()] + [e.msgid for e in po.fuzzy_entries()]
        if entries:
            missing[str(path.relative_to(package_dir))] = entries
    return missing


if __name__ == "__main__":
    if sys.argv[1:] == ["update"]:
        update_catalogues()
        for where, msgids in untranslated().items():
            print(f"{where}: {len(msgids)} to translate")
    for path in compile_catalogues():
        print(f"compiled {path}")
