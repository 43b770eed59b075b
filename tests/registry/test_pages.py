from __future__ import annotations

import pytest
from django.urls import reverse

from bangfu.accounts.models import User
from bangfu.audit.models import AuditRecord
from bangfu.registry.models import Household, Member
from bangfu.registry.services import import_registry

from .conftest import AS_OF, xlsx_file


@pytest.fixture
def imported(demo, tmp_path, sample_rows):
    import_registry(actor=None, path=xlsx_file(tmp_path, sample_rows), as_of=AS_OF)
    own = Household.objects.get(village__code="513325100202", number=sample_rows[0]["household_number"])
    other = Household.objects.filter(village__code="513325200201").first()
    return own, other, sample_rows


def test_the_list_filters_and_searches_within_scope(imported, township_clerk, county_admin, client_for):
    own, other, rows = imported
    page = client_for(township_clerk).get(reverse("registry:household_list")).content.decode()
    assert own.number in page and other.number not in page
    admin = client_for(county_admin)
    page = admin.get(reverse("registry:household_list"), {"village": "513325200201"}).content.decode()
    assert other.number in page and own.number not in page
    head = next(r for r in rows if r["household_number"] == own.number)
    by_id = admin.get(reverse("registry:household_list"), {"q": head["id_number"].lower()}).content.decode()
    assert own.number in by_id and other.number not in by_id
    by_name = admin.get(reverse("registry:household_list"), {"q": head["name"]}).content.decode()
    assert own.number in by_name
    for params in (
        {"exited": "1"},
        {"monitored": "0"},
        {"schooling": "vocational"},
        {"township": "513325100000"},
    ):
        assert admin.get(reverse("registry:household_list"), params).status_code == 200


def test_other_townships_households_are_404(imported, township_clerk, client_for):
    _own, other, _rows = imported
    response = client_for(township_clerk).get(reverse("registry:household_detail", args=[other.number]))
    assert response.status_code == 404


def test_the_household_page_masks_ids_and_reveals_them_only_audited(imported, county_admin, client_for):
    own, _other, rows = imported
    member = own.members.first()
    full = next(
        r["id_number"] for r in rows if r["name"] == member.name and r["household_number"] == own.number
    )
    client = client_for(county_admin)
    page = client.get(reverse("registry:household_detail", args=[own.number])).content.decode()
    assert member.id_number_masked in page and full not in page
    revealed = client.post(reverse("registry:reveal_id", args=[member.pk]))
    assert full in revealed.content.decode()
    assert (
        AuditRecord.objects.filter(action="registry.member.reveal_id", target_id=str(member.pk)).count() == 1
    )


def test_inspectors_and_village_officers_never_see_full_ids(imported, client_for):
    own, _other, _rows = imported
    member = own.members.first()
    for username in ("inspector", "village"):
        client = client_for(User.objects.get(username=username))
        page = client.get(reverse("registry:household_detail", args=[own.number]))
        assert page.status_code == 200 and "留痕" not in page.content.decode()
        assert client.post(reverse("registry:reveal_id", args=[member.pk])).status_code == 404
    assert not AuditRecord.objects.filter(action="registry.member.reveal_id").exists()


def test_the_api_lists_households_with_masked_ids_in_scope(
    imported, township_clerk, unit_reporter, client_for
):
    own, other, rows = imported
    client = client_for(township_clerk)
    body = client.get("/api/v1/registry/households", {"village": "513325100202"}).json()
    numbers = {h["number"] for h in body["items"]}
    assert own.number in numbers and other.number not in numbers
    text = str(body)
    assert not any(r["id_number"] in text for r in rows)
    one = client.get(f"/api/v1/registry/households/{own.number}").json()
    assert one["members"][0]["id_number_masked"].count("*") == 8
    assert client.get(f"/api/v1/registry/households/{other.number}").status_code == 404
    assert client_for(unit_reporter).get("/api/v1/registry/households").json()["items"] == []


def test_a_county_admin_uploads_an_import_job(
    demo, county_admin, township_clerk, client_for, tmp_path, sample_rows
):
    rows = [dict(r) for r in sample_rows]
    rows[1]["id_number"] = "360426199101010072"
    path = xlsx_file(tmp_path, rows)
    client = client_for(county_admin)
    with path.open("rb") as handle:
        response = client.post(
            reverse("registry:import_list"), {"file": handle, "as_of": "2020-03-01"}, follow=True
        )
    assert response.status_code == 200
    job = response.context["job"]
    assert job.status == "succeeded"
    assert (job.summary["accepted"], job.summary["rejected"]) == (len(rows) - 1, 1)
    assert Member.objects.count() == len(rows) - 1
    errors = client.get(reverse("registry:import_errors", args=[job.pk]))
    assert errors.status_code == 200
    assert client_for(township_clerk).get(reverse("registry:import_detail", args=[job.pk])).status_code == 403


def test_an_upload_with_missing_columns_fails_and_writes_nothing(demo, county_admin, client_for, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("县,乡镇,姓名,证件号码\n格桑县,雪岭镇,扎西,\n", encoding="utf-8")
    with path.open("rb") as handle:
        response = client_for(county_admin).post(
            reverse("registry:import_list"), {"file": handle, "as_of": "2020-03-01"}, follow=True
        )
    job = response.context["job"]
    assert job.status == "failed" and "缺少必需的列" in job.message
    assert Member.objects.count() == 0


def test_the_upload_is_removed_after_the_import(
    demo, county_admin, client_for, tmp_path, sample_rows, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = xlsx_file(tmp_path, sample_rows)
    with path.open("rb") as handle:
        response = client_for(county_admin).post(
            reverse("registry:import_list"), {"file": handle, "as_of": "2020-03-01"}, follow=True
        )
    job = response.context["job"]
    assert job.status == "succeeded"
    assert not (tmp_path / "media" / job.upload_path).exists()


def test_the_list_shows_each_households_head_and_active_members_in_number_order(
    imported, county_admin, client_for
):
    own, _other, rows = imported
    left = Member.objects.filter(household=own).exclude(relation="户主").first()
    assert left is not None
    Member.objects.filter(pk=left.pk).update(active=False, left_on=AS_OF)  # left the household
    admin = client_for(county_admin)
    listed = admin.get(reverse("registry:household_list")).context["rows"]
    numbers = [h.number for h in listed]
    assert numbers == sorted(numbers) and len(listed) == min(50, Household.objects.count())
    for h in listed:
        assert h.member_count == Member.objects.filter(household=h, active=True).count()
    in_village = admin.get(reverse("registry:household_list"), {"village": own.village.code}).context["rows"]
    shown = next(h for h in in_village if h.pk == own.pk)
    head = next(r for r in rows if r["household_number"] == own.number and r["relation"] == "户主")
    assert shown.head_name == head["name"]
    assert shown.member_count == Member.objects.filter(household=own).count() - 1
