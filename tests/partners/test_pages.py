from __future__ import annotations

import io
from datetime import date

import pytest
from python_calamine import CalamineWorkbook

from bangfu.partners.models import Pairing, PairingKind, Visit
from bangfu.partners.services import create_pairing, record_visit

from .conftest import ELUO, RANBU


def rows_of(response) -> list[list]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


@pytest.fixture
def paired(county, org, area):
    return [
        create_pairing(
            actor=None,
            county=county,
            kind=PairingKind.DESIGNATED,
            helper_organisation=org(code),
            target_area=area(village),
            start_date=date(2019, 1, 1),
        )
        for code, village in (("P01", RANBU), ("P02", ELUO))
    ]


def test_the_compliance_page_colours_gaps_and_exports_the_matrix(paired, org, area, county_admin, client_for):
    record_visit(
        actor=None,
        organisation=org("P01"),
        village=area(RANBU),
        date=date(2020, 3, 31),
        purpose="x",
        guests=["甲", "乙"],
    )
    record_visit(
        actor=None,
        organisation=org("P01"),
        village=area(RANBU),
        date=date(2020, 4, 1),
        purpose="x",
        guests=["甲", "乙"],
    )
    client = client_for(county_admin)
    page = client.get("/partners/compliance/?year=2020")
    assert page.status_code == 200
    html = page.content.decode()
    assert "q-missed" in html and "q-ok" in html and "省机关事务管理局" in html
    rows = rows_of(client.get("/partners/compliance/?year=2020&format=xlsx"))
    assert rows[0][:2] == ["单位编码", "单位名称"]
    assert rows[1][:7] == ["P01", "省总工会", 1, 1, 0, 0, 2]
    assert rows[2][:7] == ["P02", "省机关事务管理局", 0, 0, 0, 0, 0]
    assert rows[2][7] == "未达标"  # Q1 and Q2 ended without a visit
    assert rows[1][7] == "进行中"  # 2 visits by July: the yearly rule is not met yet (issue #17)


def test_a_unit_reporter_sees_only_its_own_compliance_row(paired, unit_reporter, client_for):
    rows = rows_of(client_for(unit_reporter).get("/partners/compliance/?year=2020&format=xlsx"))
    assert [r[0] for r in rows[1:]] == ["P02"]


def test_the_coverage_exports_list_the_uncovered_villages_and_households(
    paired, household, county_admin, client_for
):
    household("H1")
    client = client_for(county_admin)
    assert client.get("/partners/coverage/").status_code == 200
    villages = rows_of(client.get("/partners/coverage/?format=villages.xlsx"))
    assert villages[0] == ["区划代码", "行政村", "乡（镇）"]
    codes = [r[0] for r in villages[1:]]
    assert len(codes) == 12 and RANBU not in codes
    households = rows_of(client.get("/partners/coverage/?format=households.xlsx"))
    assert households[1] == ["H1", "然布村", "雪岭镇"]


def test_a_unit_reporter_gets_404_for_another_units_pairing(paired, unit_reporter, client_for):
    client = client_for(unit_reporter)
    own, other = paired[1], paired[0]
    assert client.get(f"/partners/pairings/{own.pk}/").status_code == 200
    assert client.get(f"/partners/pairings/{other.pk}/").status_code == 404
    assert client.post(f"/partners/pairings/{other.pk}/figures/", {"month": "2020-05-01"}).status_code == 404


def test_a_unit_reporter_records_a_visit_on_the_page(paired, unit_reporter, org, client_for):
    client = client_for(unit_reporter)
    assert client.get("/partners/visits/new/").status_code == 200
    response = client.post(
        "/partners/visits/new/",
        {
            "organisation": org("P02").pk,
            "village": ELUO,
            "date": "2020-07-01",
            "guests": "甲\n乙",
            "purpose": "入户",
            "households_visited": 3,
        },
    )
    assert response.status_code == 302
    assert Visit.objects.get().organisation.code == "P02"
    refused = client.post(
        "/partners/visits/new/",
        {
            "organisation": org("P01").pk,
            "village": RANBU,
            "date": "2020-07-01",
            "guests": "甲\n乙",
            "purpose": "x",
            "households_visited": 0,
        },
    )
    assert refused.status_code == 200  # P01 is not a choice for this reporter
    assert Visit.objects.count() == 1


def test_the_admin_changes_a_helper_on_the_page_and_the_history_shows_both(
    paired, county_admin, org, client_for
):
    client = client_for(county_admin)
    old = paired[0]
    response = client.post(
        f"/partners/pairings/{old.pk}/change-helper/",
        {"on_date": "2020-04-01", "helper_organisation": org("P03").pk, "reason": "调整"},
    )
    new = Pairing.objects.get(previous=old)
    assert response.status_code == 302 and response["Location"] == f"/partners/pairings/{new.pk}/"
    page = client.get(f"/partners/pairings/{new.pk}/").content.decode()
    assert "省总工会" in page and "旅游学院" in page


def test_the_admin_creates_a_pairing_and_sees_refusals_on_the_form(county_admin, org, client_for):
    client = client_for(county_admin)
    body = {
        "kind": "designated",
        "helper_organisation": org("P01").pk,
        "target_area": RANBU,
        "start_date": "2020-01-01",
    }
    assert client.post("/partners/pairings/new/", body).status_code == 302
    again = client.post("/partners/pairings/new/", body)
    assert again.status_code == 200
    assert "不能重复结对" in again.content.decode()
    assert Pairing.objects.count() == 1


def test_township_clerks_cannot_open_the_compliance_page(township_clerk, client_for):
    assert client_for(township_clerk).get("/partners/compliance/").status_code == 403


@pytest.mark.parametrize(
    "url", ["/partners/pairings/", "/partners/visits/", "/partners/cadres/", "/partners/figures/"]
)
def test_list_pages_render_for_a_unit_reporter(paired, unit_reporter, client_for, url):
    assert client_for(unit_reporter).get(url).status_code == 200


def test_an_organisation_page_shows_parent_and_contacts_with_masked_phones(
    org, county_admin, township_clerk, client_for
):
    from bangfu.partners.services import add_contact, set_organisation_parent

    set_organisation_parent(actor=None, organisation=org("E02"), parent=org("E01"))
    add_contact(actor=None, organisation=org("E02"), name="陈联络", phone="13512345678")
    admin_page = client_for(county_admin).get("/partners/organisations/E02/").content.decode()
    assert "广东省佛山市顺德区" in admin_page and "13512345678" in admin_page
    clerk_page = client_for(township_clerk).get("/partners/organisations/E02/").content.decode()
    assert "陈联络" in clerk_page and "13512345678" not in clerk_page and "135****5678" in clerk_page


def test_a_unit_reporter_adds_a_contact_only_to_its_own_organisation(unit_reporter, org, client_for):
    client = client_for(unit_reporter)
    assert client.post("/partners/organisations/P01/contacts/", {"name": "某人"}).status_code == 404
    assert not org("P01").contacts.exists()
    assert (
        client.post("/partners/organisations/P02/contacts/", {"name": "某人", "is_liaison": "on"}).status_code
        == 302
    )
    assert org("P02").contacts.get().is_liaison


def test_the_admin_configures_the_visit_rule_and_caps(county, county_admin, township_clerk, client_for):
    from bangfu.partners.models import KinshipCap, VisitRule

    client = client_for(county_admin)
    assert client.get("/partners/settings/").status_code == 200
    body = {
        "form": "rule",
        "team_min": 3,
        "team_max": 6,
        "per_quarter": 1,
        "per_year": 4,
        "kinship_per_quarter": 2,
    }
    assert client.post("/partners/settings/", body).status_code == 302
    assert VisitRule.objects.get(county=county).team_max == 6
    bad = client.post("/partners/settings/", {**body, "team_min": 7})
    assert bad.status_code == 200 and VisitRule.objects.get(county=county).team_min == 3
    assert (
        client.post(
            "/partners/settings/", {"form": "cap", "job_grade": "staff", "max_households": 2}
        ).status_code
        == 302
    )
    assert KinshipCap.objects.get(county=county, job_grade="staff").max_households == 2
    assert client_for(township_clerk).get("/partners/settings/").status_code == 403


def test_the_kinship_compliance_export_lists_each_pairing(county, cadre, household, county_admin, client_for):
    from bangfu.partners.models import VisitForm
    from bangfu.partners.services import record_kinship_visit

    pairing = create_pairing(
        actor=None,
        county=county,
        kind=PairingKind.KINSHIP,
        helper_cadre=cadre("P01", name="张三"),
        target_household=household("H1"),
        start_date=date(2020, 1, 1),
    )
    record_kinship_visit(actor=None, pairing=pairing, date=date(2020, 3, 31), form=VisitForm.IN_PERSON)
    rows = rows_of(client_for(county_admin).get("/partners/compliance/?year=2020&format=kinship.xlsx"))
    assert rows[0][:3] == ["帮扶干部", "单位编码", "户编号"]
    assert rows[1] == ["张三", "P01", "H1", 1, 0, 0, 0, 1, "未达标"]  # Q2 ended without a visit


def test_a_unit_reporter_edits_only_its_own_cadres(cadre, unit_reporter, client_for):
    own, other = cadre("P02", name="自己"), cadre("P01", name="别人")
    client = client_for(unit_reporter)
    assert client.get(f"/partners/cadres/{other.pk}/edit/").status_code == 404
    body = {"name": "自己", "job_grade": "staff", "phone": own.phone, "is_active": ""}
    assert client.post(f"/partners/cadres/{own.pk}/edit/", body).status_code == 302
    own.refresh_from_db()
    assert own.is_active is False
    taken = client.post(f"/partners/cadres/{own.pk}/edit/", {**body, "phone": other.phone})
    assert taken.status_code == 200 and "手机号已被其他帮扶干部使用" in taken.content.decode()


def test_the_admin_sets_a_parent_on_the_organisation_page(org, county_admin, client_for):
    client = client_for(county_admin)
    assert client.get("/partners/organisations/G-none/").status_code == 404
    client.post("/partners/organisations/E02/parent/", {"parent": org("E01").pk})
    assert org("E02").parent == org("E01")
    client.post("/partners/organisations/E01/parent/", {"parent": org("E02").pk})  # a cycle: refused
    assert org("E01").parent is None
