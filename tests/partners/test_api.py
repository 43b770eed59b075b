from __future__ import annotations

import json
from datetime import date

import pytest

from bangfu.partners.models import HelpMode, PairingKind, Visit
from bangfu.partners.services import create_pairing, record_visit

from .conftest import ELUO, RANBU


@pytest.fixture
def paired(county, org, area):
    for code, village in (("P01", RANBU), ("P02", ELUO)):
        create_pairing(
            actor=None,
            county=county,
            kind=PairingKind.DESIGNATED,
            helper_organisation=org(code),
            target_area=area(village),
            start_date=date(2019, 1, 1),
        )
    create_pairing(
        actor=None,
        county=county,
        kind=PairingKind.ENTERPRISE,
        helper_organisation=org("Q01"),
        target_area=area(RANBU),
        help_modes=[HelpMode.INDUSTRY],
        start_date=date(2020, 1, 1),
    )


def post_visit(client, **body):
    payload = {"village": ELUO, "date": "2020-05-01", "purpose": "指导", "guests": ["甲", "乙"], **body}
    return client.post("/api/v1/partners/visits", json.dumps(payload), content_type="application/json")


def test_it_lists_pairings_by_kind_with_helper_and_target(paired, county_admin, client_for):
    response = client_for(county_admin).get("/api/v1/partners/pairings?kind=designated")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first = body["items"][0]
    assert first["helper"] == {"code": "P01", "name": "省总工会"}
    assert first["target"]["type"] == "village"
    assert first["target"]["code"] == RANBU and first["target"]["name"] == "然布村"
    assert "households" in first["target"] and "people" in first["target"]


def test_a_unit_reporter_sees_only_its_own_pairings(paired, unit_reporter, client_for):
    body = client_for(unit_reporter).get("/api/v1/partners/pairings").json()
    assert [(i["helper"]["code"], i["target"]["code"]) for i in body["items"]] == [("P02", ELUO)]


def test_a_unit_reporter_records_a_visit_for_its_own_organisation(paired, unit_reporter, client_for):
    response = post_visit(client_for(unit_reporter))
    assert response.status_code == 201, response.content
    assert response.json()["organisation"]["code"] == "P02"
    visit = Visit.objects.get()
    assert visit.organisation.code == "P02" and visit.created_by == unit_reporter


def test_a_unit_reporter_cannot_record_for_another_organisation(paired, unit_reporter, client_for):
    response = post_visit(client_for(unit_reporter), organisation="P01", village=RANBU)
    assert response.status_code == 404
    assert not Visit.objects.exists()


def test_a_unit_reporter_cannot_see_another_organisations_visit(paired, org, area, unit_reporter, client_for):
    other = record_visit(
        actor=None,
        organisation=org("P01"),
        village=area(RANBU),
        date=date(2020, 5, 1),
        purpose="x",
        guests=["甲", "乙"],
    )
    client = client_for(unit_reporter)
    assert client.get(f"/api/v1/partners/visits/{other.pk}").status_code == 404
    assert client.get("/api/v1/partners/visits").json()["items"] == []


def test_a_bad_visit_gets_field_errors_and_saves_nothing(paired, unit_reporter, client_for):
    response = post_visit(client_for(unit_reporter), date="2020-08-01", guests=["甲"])
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "date" in detail and "members" in detail
    assert not Visit.objects.exists()


def test_a_township_clerk_may_not_record_visits(paired, township_clerk, client_for):
    response = post_visit(client_for(township_clerk), organisation="P02")
    assert response.status_code == 403
    assert not Visit.objects.exists()


def test_compliance_api_gives_quarters_total_and_compliant(
    paired, org, area, county_admin, unit_reporter, client_for
):
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
    body = client_for(county_admin).get("/api/v1/partners/compliance?year=2020").json()
    rows = {r["organisation"]["code"]: r for r in body}
    assert (
        rows["P01"]["quarters"] == [1, 1, 0, 0]
        and rows["P01"]["total"] == 2
        and rows["P01"]["compliant"] is True
    )
    assert rows["P02"]["quarters"] == [0, 0, 0, 0] and rows["P02"]["compliant"] is False
    own = client_for(unit_reporter).get("/api/v1/partners/compliance?year=2020").json()
    assert [r["organisation"]["code"] for r in own] == ["P02"]


def test_cadre_phones_are_masked_outside_the_cadres_unit(
    paired, cadre, unit_reporter, township_clerk, county_admin, client_for
):
    cadre("P01", name="张三")
    phone = client_for(county_admin).get("/api/v1/partners/cadres").json()["items"][0]["phone"]
    assert len(phone) == 11 and "*" not in phone
    clerk_phone = client_for(township_clerk).get("/api/v1/partners/cadres").json()["items"][0]["phone"]
    assert "****" in clerk_phone
    assert client_for(unit_reporter).get("/api/v1/partners/cadres").json()["items"] == []


def test_coverage_api_lists_villages_without_a_designated_helper(paired, county_admin, client_for):
    codes = [v["code"] for v in client_for(county_admin).get("/api/v1/partners/coverage/villages").json()]
    assert RANBU not in codes and ELUO not in codes and len(codes) == 12
