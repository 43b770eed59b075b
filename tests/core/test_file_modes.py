"""Files with personal data are bangfu's user's alone (issue #18): the data directory 0700; the
database with its -wal/-shm files, uploads, exports and backups 0600; `bangfu check-integrity`
warns about anything wider."""

from __future__ import annotations

import os
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


@pytest.fixture
def umask_022():
    """The usual umask of a login shell: the files below are private because bangfu makes them so."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_stat_on_the_database_an_upload_an_export_and_a_backup_shows_no_group_or_other_bits(
    umask_022, county_admin, tmp_path
):
    """Issue #18, "Done means": the data directory made by `bangfu migrate`, the database with its
    -wal/-shm files, an uploaded registry file, `bangfu export-registry` output and a `bangfu
    backup`, all made under umask 022."""
    data = tmp_path / "data"  # made by bangfu, not by the test
    url = f"sqlite:///{data / 'bangfu.sqlite3'}"
    done = bangfu(data, url, "migrate", "--verbosity", "0")
    assert done.returncode == 0, done.stderr
    export = tmp_path / "out" / "registry.xlsx"
    export.parent.mkdir()  # 0755: the export sets its own mode
    assert bangfu(data, url, "export-registry", "-o", str(export)).returncode == 0
    backup = tmp_path / "out" / "backup.bangfu"
    done = bangfu(data, url, "backup", "-o", str(backup))
    assert done.returncode == 0, done.stderr
    with override_settings(MEDIA_ROOT=data / "media"):  # the web process's upload, in this one
        job = create_import_job(
            actor=county_admin,
            county=Area.objects.get(code="513325000000"),
            file_name="人员.csv",
            content=b"x",
            as_of=date(2020, 7, 1),
        )
    upload = data / "media" / job.upload_path

    database = [data / "bangfu.sqlite3", *data.glob("bangfu.sqlite3-*")]
    for path in [*database, upload, export, backup]:
        assert _mode(path) == 0o600, path
    for folder in [data, data / "media", upload.parent]:
        assert _mode(folder) == 0o700, folder
    checked = bangfu(data, url, "check-integrity")
    assert "权限过宽" not in checked.stdout
    (data / "bangfu.sqlite3").chmod(0o644)
    checked = bangfu(data, url, "check-integrity")
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
