from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from bangfu.partners.models import JobGrade, KinshipVisit, Pairing, PairingKind, VisitForm
from bangfu.partners.selectors import (
    households_without_kinship_cadre,
    kinship_compliance,
    kinship_not_yet_visited,
)
from bangfu.partners.services import (
    change_pairing_helper,
    create_pairing,
    record_kinship_visit,
    set_kinship_cap,
)

from .conftest import ZHUOGA


def pair(county, cadre, household, start=date(2020, 1, 1)):
    return create_pairing(
        actor=None,
        county=county,
        kind=PairingKind.KINSHIP,
        helper_cadre=cadre,
        target_household=household,
        start_date=start,
    )


def test_a_cadres_load_is_capped_by_job_grade(county, cadre, household):
    deputy_section = cadre("P01", JobGrade.SECTION_DEPUTY)  # default cap 2
    pair(county, deputy_section, household("H1"))
    pair(county, deputy_section, household("H2"))
    with pytest.raises(ValidationError) as exc:
        pair(county, deputy_section, household("H3"))
    assert "helper_cadre" in exc.value.message_dict
    assert "2" in exc.value.message_dict["helper_cadre"][0]
    assert Pairing.objects.filter(helper_cadre=deputy_section).count() == 2


def test_the_cap_table_is_configurable_per_county(county, cadre, household):
    staff = cadre("P01", JobGrade.STAFF)  # default cap 1
    h2 = household("H2")
    pair(county, staff, household("H1"))
    with pytest.raises(ValidationError):
        pair(county, staff, h2)
    set_kinship_cap(actor=None, county=county, job_grade=JobGrade.STAFF, max_households=2)
    pair(county, staff, h2)
    assert Pairing.objects.filter(helper_cadre=staff).count() == 2


def test_a_household_has_one_running_kinship_cadre(county, cadre, household):
    h = household("H1")
    pair(county, cadre("P01"), h)
    with pytest.raises(ValidationError) as exc:
        pair(county, cadre("P02"), h)
    assert "target_household" in exc.value.message_dict
    assert Pairing.objects.count() == 1


def test_changing_the_cadre_keeps_the_history(county, cadre, household):
    h = household("H1")
    first, second = cadre("P01"), cadre("P02")
    old = pair(county, first, h)
    new = change_pairing_helper(
        actor=None, pairing=old, helper_cadre=second, on_date=date(2020, 4, 1), reason="调离"
    )
    old.refresh_from_db()
    assert old.end_date == date(2020, 3, 31) and old.helper_cadre == first
    assert new.previous == old and new.helper_cadre == second and new.target_household == h
    # The first cadre's load is free again from the change date.
    pair(county, first, household("H2"), start=date(2020, 4, 1))


def test_households_without_a_kinship_cadre(county, cadre, household):
    h1, h2 = household("H1"), household("H2", village=ZHUOGA)
    assert set(households_without_kinship_cadre(county)) == {h1, h2}
    pair(county, cadre("P01"), h1)
    assert list(households_without_kinship_cadre(county)) == [h2]


def test_kinship_visits_need_a_running_pairing_and_a_past_date(county, cadre, household):
    p = pair(county, cadre("P01"), household("H1"), start=date(2020, 3, 1))
    with pytest.raises(ValidationError):
        record_kinship_visit(actor=None, pairing=p, date=date(2020, 2, 1), form=VisitForm.IN_PERSON)
    with pytest.raises(ValidationError):
        record_kinship_visit(actor=None, pairing=p, date=date(2020, 7, 16), form=VisitForm.PHONE)
    with pytest.raises(ValidationError):
        record_kinship_visit(actor=None, pairing=p, date=date(2020, 5, 1), form="letter")
    assert not KinshipVisit.objects.exists()
    record_kinship_visit(actor=None, pairing=p, date=date(2020, 3, 31), form=VisitForm.IN_PERSON)
    record_kinship_visit(actor=None, pairing=p, date=date(2020, 4, 1), form=VisitForm.PHONE)
    [row] = kinship_compliance(county, 2020)
    assert row.quarters == [1, 1, 0, 0]
    assert row.states == ["ok", "ok", "open", "future"]
    assert row.compliant is True
    assert list(kinship_not_yet_visited(county)) == [p]


def test_a_unit_reporter_sees_its_cadres_kinship_pairings_only(
    county, cadre, household, unit_reporter, client_for
):
    pair(county, cadre("P02"), household("H1"))
    pair(county, cadre("P01"), household("H2"))
    body = client_for(unit_reporter).get("/api/v1/partners/pairings?kind=kinship").json()
    assert [i["target"] for i in body["items"]] == [
        {"type": "household", "number": "H1", "code": None, "name": None, "households": None, "people": None}
    ]


def test_a_unit_reporter_records_a_kinship_visit_only_for_its_own_cadres(
    county, cadre, household, unit_reporter, client_for
):
    own = pair(county, cadre("P02"), household("H1"))
    other = pair(county, cadre("P01"), household("H2"))
    client = client_for(unit_reporter)
    body = {"pairing_id": other.pk, "date": "2020-05-01", "form": "in_person"}
    response = client.post(
        "/api/v1/partners/kinship-visits", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 404
    assert not KinshipVisit.objects.exists()
    body["pairing_id"] = own.pk
    response = client.post(
        "/api/v1/partners/kinship-visits", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert KinshipVisit.objects.get().household.number == "H1"


def test_village_targets_in_the_api_count_registered_households(
    county, org, area, household, county_admin, client_for
):
    household("H1")
    household("H2")
    create_pairing(
        actor=None,
        county=county,
        kind=PairingKind.DESIGNATED,
        helper_organisation=org("P01"),
        target_area=area("513325100202"),
        start_date=date(2020, 1, 1),
    )
    [item] = client_for(county_admin).get("/api/v1/partners/pairings?kind=designated").json()["items"]
    assert item["target"]["households"] == 2 and item["target"]["people"] == 0


def test_the_coverage_api_lists_households_without_a_cadre(
    county, cadre, household, county_admin, unit_reporter, client_for
):
    pair(county, cadre("P01"), household("H1"))
    household("H2")
    body = client_for(county_admin).get("/api/v1/partners/coverage/households").json()
    assert [h["number"] for h in body["items"]] == ["H2"]
    # Unit reporters see no registry households.
    assert client_for(unit_reporter).get("/api/v1/partners/coverage/households").json()["items"] == []
