from __future__ import annotations

from datetime import date

import pytest

from bangfu.accounts.models import User
from bangfu.registry.models import Schooling
from bangfu.subsidies.models import ApplicationStatus, YuluApplication
from bangfu.subsidies.services import record_payment

from .conftest import OTHER_VILLAGE, make_household, make_member

VOC = Schooling.HIGHER_VOCATIONAL_1


@pytest.fixture
def students(spring):
    own = make_member(make_household("H1"), 1, schooling=VOC)
    other = make_member(make_household("H2", OTHER_VILLAGE), 2, schooling=VOC)
    record_payment(actor=None, term=spring, member=own, amount="1500", paid_on=date(2020, 5, 1))
    return own, other


def test_the_dashboard_shows_missing_per_township_in_scope(
    students, county_admin, township_clerk, client_for
):
    own, other = students
    page = client_for(county_admin).get("/subsidies/yulu/2020-spring/").content.decode()
    assert "雪岭镇" in page and "扎西乡" in page
    assert other.name in page and own.name not in page  # the missing list
    assert "*" in other.id_number_masked and other.id_number_masked in page
    page = client_for(township_clerk).get("/subsidies/yulu/2020-spring/").content.decode()
    assert other.name not in page and "扎西乡" not in page


def test_the_dashboard_shows_no_people_to_unit_reporters(students, unit_reporter, client_for):
    response = client_for(unit_reporter).get("/subsidies/yulu/2020-spring/")
    assert response.status_code == 200
    assert students[1].name not in response.content.decode()
    assert client_for(unit_reporter).get("/subsidies/yulu/2021-spring/").status_code == 404


def test_a_village_officer_registers_and_reviews_an_application(spring, demo, client_for):
    student = make_member(make_household("H3"), 3, schooling=VOC)
    officer = User.objects.get(username="village")
    client = client_for(officer)
    page = client.get("/subsidies/yulu/2020-spring/applications/").content.decode()
    assert student.name in page  # waiting to apply
    response = client.post(
        "/subsidies/yulu/2020-spring/applications/",
        {
            "member": student.pk,
            "school": "康定职校",
            "enrolment_proof": "X1",
            "bank_name": "农商行",
            "account_holder": "甲",
            "bank_account": "621488120000123456",
        },
    )
    assert response.status_code == 302
    application = YuluApplication.objects.get()
    assert (
        "621488120000123456" not in client.get("/subsidies/yulu/2020-spring/applications/").content.decode()
    )
    client.post(
        f"/subsidies/yulu/applications/{application.pk}/review/", {"decision": "reject", "reason": ""}
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    client.post(f"/subsidies/yulu/applications/{application.pk}/review/", {"decision": "approve"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.VILLAGE_PUBLICITY


def test_applications_out_of_scope_are_404(spring, demo, other_township_clerk, client_for):
    from bangfu.subsidies.services import submit_application

    student = make_member(make_household("H4"), 4, schooling=VOC)
    application = submit_application(
        actor=None,
        term=spring,
        member=student,
        school="s",
        enrolment_proof="p",
        bank_name="b",
        account_holder="h",
        bank_account="621488120000123456",
    )
    response = client_for(other_township_clerk).post(
        f"/subsidies/yulu/applications/{application.pk}/review/", {"decision": "approve"}
    )
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
