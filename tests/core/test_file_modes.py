"""Files with personal data are bangfu's user's alone (issue #18): the data directory 0700; the
database with its -wal/-shm files, uploads, exports and backups 0600; `bangfu check-integrity`
warns about anything wider."""

from __future__ import annotations

import stat
from datetime import date

import pytest
from django.test import override_settings

from bangfu.areas.models import Area
from bangfu.core.filemodes import wider_than_private
from bangfu.registry.services import create_import_job

from .dbtools import bangfu

pytestmark = pytest.mark.django_db


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_exports_and_backups_have_no_group_or_other_permissions(tmp_path):
    url = f"sqlite:///{tmp_path / 'bangfu.sqlite3'}"
    assert bangfu(tmp_path, url, "migrate", "--verbosity", "0").returncode == 0
    export = tmp_path / "out" / "registry.xlsx"
    export.parent.mkdir(mode=0o700)
    assert bangfu(tmp_path, url, "export-registry", "-o", str(export)).returncode == 0
    backup = tmp_path / "out" / "backup.bangfu"
    done = bangfu(tmp_path, url, "backup", "-o", str(backup))
    assert done.returncode == 0, done.stderr
    assert _mode(tmp_path) == 0o700
    database = [tmp_path / "bangfu.sqlite3", *tmp_path.glob("bangfu.sqlite3-*")]
    for path in [*database, export, backup]:
        assert _mode(path) == 0o600, path
    checked = bangfu(tmp_path, url, "check-integrity")
    assert "权限过宽" not in checked.stdout
    (tmp_path / "bangfu.sqlite3").chmod(0o644)
    checked = bangfu(tmp_path, url, "check-integrity")
    assert "bangfu.sqlite3 (-rw-r--r--) 的权限过宽" in checked.stdout


def test_an_uploaded_registry_file_is_private(county_admin, tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        job = create_import_job(
            actor=county_admin,
            county=Area.objects.get(code="513325000000"),
            file_name="人员.csv",
            content=b"x",
            as_of=date(2020, 7, 1),
        )
        upload = tmp_path / "media" / job.upload_path
        assert _mode(upload) == 0o600
        assert _mode(upload.parent) == 0o700
        assert list(wider_than_private([upload])) == []
