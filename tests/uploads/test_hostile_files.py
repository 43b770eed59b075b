"""Every upload path and CLI import, fed the files of the adversarial test (tests/hostile.py): each is
refused with a message naming the file (or, for a single over-long cell, its row), nothing is
written, no uploaded file stays behind, and the server goes on answering."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from bangfu.areas.models import Area
from bangfu.charity import services as charity
from bangfu.charity.models import Donation
from bangfu.partners.models import Cadre, Organisation
from bangfu.registry.models import ImportJob, ImportStatus, Member
from bangfu.subsidies.models import YuluPayment
from bangfu.subsidies.services import create_term

from ..hostile import cases

pytestmark = pytest.mark.django_db

REGISTRY_HEADER = "县,乡镇,行政村,户编号,姓名,证件号码,与户主关系"
CADRE_HEADER = "姓名,单位编码,职务级别,手机号"
STATEMENT_HEADER = "收据编号,捐赠人类型,捐赠人,金额,捐赠日期,渠道"
PAID_HEADER = "证件号码,金额,发放日期"
KINDS = list(cases(""))


@pytest.fixture
def media(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path / "media"


def _uploads(media: Path) -> list[Path]:
    """Uploaded files left behind (error workbooks are outputs for the user, not uploads)."""
    folder = media / "registry-imports"
    return [p for p in folder.iterdir() if not p.name.startswith("errors-")] if folder.exists() else []


def _names_the_problem(text: str, name: str) -> bool:
    """The file by name, the over-long cell's limit (on its row), or an empty file."""
    return name in text or "32767" in text or "空文件" in text or "是空的" in text


def _still_answering(client) -> None:
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("kind", KINDS)
def test_the_registry_upload_refuses_it(
    kind, county_admin, client_for, media, django_capture_on_commit_callbacks
):
    name, content = cases(REGISTRY_HEADER)[kind]
    client = client_for(county_admin)
    with django_capture_on_commit_callbacks(execute=True):  # large files go to the task queue
        response = client.post(
            reverse("registry:import_list"),
            {"file": SimpleUploadedFile(name, content), "as_of": "2020-07-01"},
        )
    assert response.status_code in (200, 302)
    job = ImportJob.objects.order_by("-pk").first()
    if response.status_code == 200:  # refused by the form before a job was made (empty file)
        assert job is None and "file" in response.context["form"].errors
    elif kind == "long-cell":  # the file is read; its one row is refused, naming the row
        assert job.status == ImportStatus.SUCCEEDED and job.summary["rejected"] == 1
    else:
        assert job.status == ImportStatus.FAILED
        assert name in job.message
    assert Member.objects.count() == 0
    assert _uploads(media) == []
    _still_answering(client)


@pytest.mark.parametrize("kind", KINDS)
def test_the_cadre_import_refuses_it(kind, unit_reporter, client_for):
    name, content = cases(CADRE_HEADER)[kind]
    client = client_for(unit_reporter)
    before = Cadre.objects.count()
    response = client.post(reverse("partners:cadre_import"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    page = response.content.decode()
    assert _names_the_problem(page, name)
    assert Cadre.objects.count() == before
    _still_answering(client)


@pytest.fixture
def campaign(county_admin):
    return charity.create_campaign(
        actor=county_admin,
        county=Area.objects.get(code="513325000000"),
        year=2020,
        name="2020年扶贫日爱心捐赠活动",
        organiser=Organisation.objects.get(code="C09"),
        starts_on=date(2020, 9, 21),
        ends_on=date(2020, 10, 31),
        target=Decimal("300000.00"),
    )


@pytest.mark.parametrize("kind", KINDS)
def test_the_statement_import_refuses_it(kind, county_admin, client_for, campaign):
    name, content = cases(STATEMENT_HEADER)[kind]
    client = client_for(county_admin)
    response = client.post(
        reverse("charity:donation_import", args=[campaign.code]), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert _names_the_problem(page, name)
    assert Donation.objects.count() == 0
    _still_answering(client)


@pytest.fixture
def term(county_admin):
    return create_term(actor=None, county=Area.objects.get(code="513325000000"), code="2020-spring")


@pytest.mark.parametrize("kind", KINDS)
def test_the_paid_list_upload_refuses_it(kind, county_admin, client_for, term):
    name, content = cases(PAID_HEADER)[kind]
    client = client_for(county_admin)
    response = client.post(
        reverse("subsidies:paid_list", args=[term.code]),
        {"file": SimpleUploadedFile(name, content)},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any(_names_the_problem(m, name) for m in shown), shown
    assert YuluPayment.objects.count() == 0
    _still_answering(client)


# --- the CLI imports ---------------------------------------------------------------------------------
def _file(tmp_path: Path, kind: str, header: str) -> Path:
    name, content = cases(header)[kind]
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("kind", KINDS)
def test_import_registry_refuses_it(kind, demo, tmp_path, capsys):
    path = _file(tmp_path, kind, REGISTRY_HEADER)
    if kind == "long-cell":
        call_command("import_registry", str(path), "--as-of", "2020-07-01")
        assert "第2行被拒绝" in capsys.readouterr().err
    else:
        with pytest.raises(SystemExit) as exit_:
            call_command("import_registry", str(path), "--as-of", "2020-07-01")
        assert exit_.value.code == 2
        assert path.name in capsys.readouterr().err
    assert Member.objects.count() == 0


@pytest.mark.parametrize("kind", KINDS)
def test_yulu_record_payments_refuses_it(kind, term, tmp_path, capsys):
    path = _file(tmp_path, kind, PAID_HEADER)
    with pytest.raises(CommandError):
        call_command("yulu_record_payments", "--term", term.code, str(path))
    err = capsys.readouterr().err
    assert _names_the_problem(err, path.name)
    assert YuluPayment.objects.count() == 0


@pytest.mark.parametrize("kind", ["utf16-junk", "random-bytes", "renamed"])
def test_load_areas_refuses_it(kind, demo, tmp_path, capsys):
    path = _file(tmp_path, kind, "code,name,level,parent_code,registered_poor")
    before = Area.objects.count()
    with pytest.raises(CommandError):
        call_command("load_areas", str(path))
    assert Area.objects.count() == before


def test_a_utf16_csv_from_excel_is_read(county_admin, term, tmp_path, capsys):
    """Excel's "Unicode text": UTF-16 with BOM, tab-separated. Read, not refused."""
    path = tmp_path / "报账清单.txt"
    path.write_bytes("证件号码\t金额\t发放日期\n513325200301010012\t1500\t2020-05-20\n".encode("utf-16"))
    with pytest.raises(CommandError):
        call_command("yulu_record_payments", "--term", term.code, str(path))
    # Read as text: the one problem is the unknown student, on its row.
    assert "第2行：证件号码在本县建档立卡名单中不存在" in capsys.readouterr().err
