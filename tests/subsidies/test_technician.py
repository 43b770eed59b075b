from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.registry.models import Schooling
from bangfu.subsidies.models import TechnicianEnrolment, TechnicianFunding, TechnicianStatus
from bangfu.subsidies.services import (
    create_technician_cohort,
    enrol_technician_student,
    fund_technician_term,
    set_technician_status,
)

from .conftest import OTHER_VILLAGE, make_household, make_member


@pytest.fixture
def cohort(county_admin, county):
    return create_technician_cohort(
        actor=county_admin, county=county, year=2020, name="2020级", amount_per_term="1000"
    )


def _enrol(actor, cohort, member):
    return enrol_technician_student(
        actor=actor,
        cohort=cohort,
        member=member,
        school="州技师学院",
        trade="汽修",
        start_date=date(2020, 9, 1),
    )


def test_it_enrols_funds_current_students_once_per_term_and_tracks_status(
    cohort, township_clerk, county_admin
):
    a = _enrol(
        township_clerk,
        cohort,
        make_member(make_household("H1"), 1, schooling=Schooling.SECONDARY_VOCATIONAL_1),
    )
    b = _enrol(township_clerk, cohort, make_member(make_household("H2"), 2))
    set_technician_status(actor=township_clerk, enrolment=a, status=TechnicianStatus.STUDYING)
    assert (
        fund_technician_term(
            actor=county_admin, cohort=cohort, term_code="2020-autumn", paid_on=date(2020, 10, 1)
        )
        == 1
    )
    with pytest.raises(ValidationError):  # a is funded already, b is not studying
        fund_technician_term(
            actor=county_admin, cohort=cohort, term_code="2020-autumn", paid_on=date(2020, 10, 2)
        )
    assert TechnicianFunding.objects.count() == 1
    with pytest.raises(ValidationError) as exc:
        set_technician_status(actor=township_clerk, enrolment=b, status=TechnicianStatus.DROPPED, reason="")
    assert "reason" in exc.value.message_dict
    set_technician_status(actor=township_clerk, enrolment=b, status=TechnicianStatus.DROPPED, reason="转学")
    with pytest.raises(ValidationError):  # dropped is final
        set_technician_status(actor=township_clerk, enrolment=b, status=TechnicianStatus.STUDYING)
    b.refresh_from_db()
    assert (b.status, b.drop_reason) == (TechnicianStatus.DROPPED, "转学")


def test_it_refuses_students_outside_scope_or_the_register(cohort, township_clerk):
    with pytest.raises(PermissionDenied):
        _enrol(township_clerk, cohort, make_member(make_household("H3", OTHER_VILLAGE), 3))
    with pytest.raises(ValidationError):
        _enrol(township_clerk, cohort, make_member(make_household("H4", active=False), 4))
    assert not TechnicianEnrolment.objects.exists()


def test_the_page_lists_enrolments_in_scope(cohort, township_clerk, other_township_clerk, client_for):
    enrolment = _enrol(None, cohort, make_member(make_household("H1"), 1))
    assert (
        enrolment.member.name
        in client_for(township_clerk).get("/subsidies/technician/?year=2020").content.decode()
    )
    assert (
        enrolment.member.name
        not in client_for(other_township_clerk).get("/subsidies/technician/?year=2020").content.decode()
    )


def test_a_township_clerk_enrols_by_id_number_within_scope(
    cohort, township_clerk, other_township_clerk, client_for
):
    from bangfu.lib import idnumbers

    member = make_member(make_household("H1"), 1)
    number = "51332520030101001" + idnumbers.check_character("51332520030101001")
    data = {
        "action": "enrol",
        "id_number": number,
        "school": "州技师学院",
        "trade": "电工",
        "start_date": "2020-09-01",
    }
    client_for(other_township_clerk).post("/subsidies/technician/2020/actions/", data)
    assert not TechnicianEnrolment.objects.exists()
    client_for(township_clerk).post("/subsidies/technician/2020/actions/", data)
    assert TechnicianEnrolment.objects.get().member == member
    response = client_for(township_clerk).post(
        "/subsidies/technician/2020/actions/", {"action": "fund", "term_code": "2020-autumn"}
    )
    assert response.status_code == 403
    assert not TechnicianFunding.objects.exists()
