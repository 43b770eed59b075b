from __future__ import annotations

from datetime import date
from decimal import Decimal

from bangfu.lib.indicators import IndicatorQuery, all_indicators, get_indicator
from bangfu.partners.models import Organisation
from bangfu.registry.models import Schooling
from bangfu.subsidies.services import (
    advance_sanzhi_applicant,
    create_sanzhi_plan,
    create_technician_cohort,
    enrol_technician_student,
    fund_technician_term,
    pay_sanzhi_subsidy,
    place_sanzhi_applicant,
    record_payment,
    register_sanzhi_applicant,
    set_sanzhi_posts,
    set_technician_status,
)

from .conftest import OTHER_VILLAGE, make_household, make_member

VOC = Schooling.SECONDARY_VOCATIONAL_3
JUNE = (date(2020, 6, 1), date(2020, 7, 1))


def _q(county, start=JUNE[0], end=JUNE[1], organisation=None):
    return IndicatorQuery(county=county, start=start, end=end, organisation=organisation)


def test_the_yulu_figures_follow_payments_and_gaps(spring, county):
    own = make_member(make_household("H1"), 1, schooling=VOC)
    make_member(make_household("H2", OTHER_VILLAGE), 2, schooling=VOC)
    record_payment(actor=None, term=spring, member=own, amount="1500", paid_on=date(2020, 6, 10))
    assert {
        "subsidies.yulu_students_paid",
        "subsidies.yulu_amount_paid",
        "subsidies.yulu_missing",
        "subsidies.technician_studying",
        "subsidies.technician_funding",
        "subsidies.sanzhi_hired",
        "subsidies.sanzhi_on_post",
        "subsidies.sanzhi_subsidy_paid",
    } <= set(all_indicators())
    assert get_indicator("subsidies.yulu_students_paid").value(_q(county)) == Decimal(1)
    assert get_indicator("subsidies.yulu_amount_paid").value(_q(county)) == Decimal("1500.00")
    assert (
        get_indicator("subsidies.yulu_amount_paid").value(_q(county, date(2020, 7, 1), date(2020, 8, 1))) == 0
    )
    assert get_indicator("subsidies.yulu_missing").value(_q(county)) == Decimal(1)
    # The township's own organisation sees its township: 雪岭镇 has paid its only student.
    xueling = Organisation.objects.get(code="T513325100")
    assert get_indicator("subsidies.yulu_missing").value(_q(county, organisation=xueling)) == 0
    assert get_indicator("subsidies.yulu_students_paid").value(_q(county, organisation=xueling)) == 1
    # Before the term started there is nothing to miss.
    assert get_indicator("subsidies.yulu_missing").value(_q(county, date(2020, 1, 1), date(2020, 2, 1))) == 0


def test_the_technician_and_sanzhi_figures(county, county_admin):
    from bangfu.areas.models import Area

    cohort = create_technician_cohort(
        actor=county_admin, county=county, year=2020, name="2020", amount_per_term="800"
    )
    student = make_member(make_household("H1"), 1, schooling=VOC)
    enrolment = enrol_technician_student(
        actor=county_admin,
        cohort=cohort,
        member=student,
        school="技师学院",
        trade="电工",
        start_date=date(2020, 3, 1),
    )
    set_technician_status(actor=county_admin, enrolment=enrolment, status="studying")
    assert (
        fund_technician_term(
            actor=county_admin, cohort=cohort, term_code="2020-spring", paid_on=date(2020, 6, 5)
        )
        == 1
    )
    assert get_indicator("subsidies.technician_studying").value(_q(county)) == 1
    assert get_indicator("subsidies.technician_funding").value(_q(county)) == Decimal("800.00")

    plan = create_sanzhi_plan(
        actor=county_admin, county=county, year=2020, monthly_subsidy="2000", settling_allowance="2000"
    )
    post = set_sanzhi_posts(
        actor=county_admin,
        plan=plan,
        township=Area.objects.get(code="513325100000"),
        field="poverty",
        posts=1,
    )
    applicant = register_sanzhi_applicant(
        actor=county_admin, post=post, number="1", name="甲", school="川大", graduation_year=2020
    )
    for _ in range(7):
        advance_sanzhi_applicant(actor=county_admin, applicant=applicant, passed=True)
    placement = place_sanzhi_applicant(actor=county_admin, applicant=applicant, start_date=date(2020, 6, 1))
    pay_sanzhi_subsidy(
        actor=county_admin,
        placement=placement,
        kind="monthly",
        month=date(2020, 6, 1),
        paid_on=date(2020, 6, 30),
    )
    assert get_indicator("subsidies.sanzhi_hired").value(_q(county)) == 1
    assert get_indicator("subsidies.sanzhi_on_post").value(_q(county)) == 1
    assert get_indicator("subsidies.sanzhi_subsidy_paid").value(_q(county)) == Decimal("2000.00")
