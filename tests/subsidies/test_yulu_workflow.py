from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings

from bangfu.accounts.models import User
from bangfu.audit.models import AuditRecord
from bangfu.lib.crypto import decrypt_text
from bangfu.registry.models import Schooling
from bangfu.subsidies.models import ApplicationStatus, YuluApplication, YuluPayment
from bangfu.subsidies.services import (
    BANK_CONTEXT,
    create_payment_batch,
    export_bank_file,
    mark_batch_paid,
    record_payment,
    review_application,
    submit_application,
)

from .conftest import make_household, make_member

ACCOUNT = "6214 8812 3456 7890 123"


@pytest.fixture
def village_officer(demo) -> User:
    return User.objects.get(username="village")


@pytest.fixture
def student(spring):
    return make_member(make_household("H1"), 1, schooling=Schooling.SECONDARY_VOCATIONAL_1)


def _apply(actor, term, member):
    return submit_application(
        actor=actor,
        term=term,
        member=member,
        school="甘孜职业学院",
        enrolment_proof="G5133252003010100",
        bank_name="农村商业银行",
        account_holder="户主甲",
        bank_account=ACCOUNT,
    )


def test_it_walks_an_application_to_paid_each_step_by_its_role(
    spring, student, village_officer, township_clerk, county_admin, settings
):
    settings.BANGFU_TODAY = date(2020, 4, 1)
    application = _apply(village_officer, spring, student)
    assert application.bank_account_masked.endswith("0123") and "7890" not in application.bank_account_masked
    assert decrypt_text(application.bank_account_encrypted, context=BANK_CONTEXT) == ACCOUNT.replace(" ", "")
    review_application(actor=village_officer, application=application, approve=True)
    application.refresh_from_db()
    assert (application.status, application.village_publicity_until) == (
        ApplicationStatus.VILLAGE_PUBLICITY,
        date(2020, 4, 6),
    )
    with pytest.raises(ValidationError):  # publicity still running
        review_application(actor=township_clerk, application=application, approve=True)
    settings.BANGFU_TODAY = date(2020, 4, 6)
    review_application(actor=township_clerk, application=application, approve=True)
    review_application(actor=county_admin, application=application, approve=True)
    application.refresh_from_db()
    assert application.county_publicity_until == date(2020, 4, 13)
    with pytest.raises(ValidationError):
        create_payment_batch(actor=county_admin, term=spring)
    settings.BANGFU_TODAY = date(2020, 4, 13)
    batch = create_payment_batch(actor=county_admin, term=spring)
    content = export_bank_file(actor=county_admin, batch=batch)
    import io

    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert rows[1][2] == ACCOUNT.replace(" ", "")
    assert mark_batch_paid(actor=county_admin, batch=batch, paid_on=date(2020, 4, 13)) == 1
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PAID
    payment = YuluPayment.objects.get()
    assert (payment.member, payment.amount, payment.id_number_index) == (
        student,
        spring.amount,
        student.id_number_index,
    )
    assert AuditRecord.objects.filter(action="subsidies.export_bank_file").exists()


def test_each_step_refuses_the_wrong_role_and_changes_nothing(
    spring, student, village_officer, township_clerk, county_admin, other_township_clerk
):
    application = _apply(village_officer, spring, student)
    for actor in (township_clerk, county_admin, other_township_clerk):
        with pytest.raises(PermissionDenied):
            review_application(actor=actor, application=application, approve=True)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    with pytest.raises(PermissionDenied):  # a clerk of another township cannot apply for the student
        _apply(other_township_clerk, spring, student)


def test_a_rejection_needs_a_reason(spring, student, village_officer):
    application = _apply(village_officer, spring, student)
    with pytest.raises(ValidationError) as exc:
        review_application(actor=village_officer, application=application, approve=False, reason="  ")
    assert "reason" in exc.value.message_dict
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    review_application(
        actor=village_officer, application=application, approve=False, reason="学籍证明与学校不符"
    )
    application.refresh_from_db()
    assert (application.status, application.rejection_reason) == (
        ApplicationStatus.REJECTED,
        "学籍证明与学校不符",
    )
    with pytest.raises(ValidationError):
        review_application(actor=village_officer, application=application, approve=True)
    # A corrected application may follow a rejected one.
    assert _apply(village_officer, spring, student).status == ApplicationStatus.SUBMITTED


def test_it_refuses_students_not_eligible_on_the_start_date_and_bad_input(spring, village_officer):
    high_school = make_member(make_household("H2"), 2, schooling=Schooling.HIGH_1)
    with pytest.raises(ValidationError) as exc:
        _apply(village_officer, spring, high_school)
    assert "member" in exc.value.message_dict
    student = make_member(make_household("H3"), 3, schooling=Schooling.HIGHER_VOCATIONAL_2)
    with pytest.raises(ValidationError) as exc:
        submit_application(
            actor=village_officer,
            term=spring,
            member=student,
            school="",
            enrolment_proof="x",
            bank_name="农商行",
            account_holder="甲",
            bank_account="12ab",
        )
    assert set(exc.value.message_dict) == {"school", "bank_account"}
    assert not YuluApplication.objects.exists()


def test_one_open_application_per_student_and_term(spring, student, village_officer):
    _apply(village_officer, spring, student)
    with pytest.raises(ValidationError):
        _apply(village_officer, spring, student)
    assert YuluApplication.objects.count() == 1


def test_the_database_allows_one_payment_per_student_and_term(spring, student, county_admin):
    record_payment(actor=county_admin, term=spring, member=student, amount="1500", paid_on=date(2020, 5, 1))
    with pytest.raises(ValidationError):
        record_payment(
            actor=county_admin, term=spring, member=student, amount="1500", paid_on=date(2020, 5, 2)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        YuluPayment.objects.create(
            county=spring.county,
            term=spring,
            member=student,
            household=student.household,
            village=student.village,
            id_number_index=student.id_number_index,
            amount=1500,
            paid_on=date(2020, 5, 3),
        )
    assert YuluPayment.objects.count() == 1


@override_settings(BANGFU_TODAY=date(2020, 7, 15))
def test_a_paid_batch_cannot_be_paid_again(spring, student, county_admin):
    application = _apply(None, spring, student)
    for day in (date(2020, 4, 1), date(2020, 4, 6), date(2020, 4, 7)):
        review_application(actor=None, application=application, approve=True, day=day)
    batch = create_payment_batch(actor=county_admin, term=spring)
    mark_batch_paid(actor=county_admin, batch=batch, paid_on=date(2020, 7, 15))
    with pytest.raises(ValidationError):
        mark_batch_paid(actor=county_admin, batch=batch, paid_on=date(2020, 7, 15))
    assert YuluPayment.objects.count() == 1
