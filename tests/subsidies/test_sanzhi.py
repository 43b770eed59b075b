from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bangfu.areas.models import Area
from bangfu.subsidies.models import (
    PlacementStatus,
    SanzhiApplicant,
    SanzhiPayment,
    SanzhiPlacement,
    SanzhiPost,
    SanzhiStage,
)
from bangfu.subsidies.services import (
    advance_sanzhi_applicant,
    assess_sanzhi_placement,
    create_sanzhi_plan,
    pay_sanzhi_subsidy,
    place_sanzhi_applicant,
    record_sanzhi_outcome,
    register_sanzhi_applicant,
    set_sanzhi_posts,
)

OWN_TOWNSHIP = "513325100000"
OTHER_TOWNSHIP = "513325200000"


@pytest.fixture
def post(county_admin, county):
    plan = create_sanzhi_plan(
        actor=county_admin, county=county, year=2020, monthly_subsidy="2000", settling_allowance="3000"
    )
    return set_sanzhi_posts(
        actor=county_admin, plan=plan, township=Area.objects.get(code=OWN_TOWNSHIP), field="teaching", posts=2
    )


def _hire(actor, post) -> SanzhiApplicant:
    applicant = register_sanzhi_applicant(
        actor=actor, post=post, number="2020001", name="卓玛", school="四川师范大学", graduation_year=2019
    )
    while applicant.stage != SanzhiStage.HIRED:
        advance_sanzhi_applicant(actor=actor, applicant=applicant, passed=True)
    return applicant


def test_it_walks_an_applicant_through_every_stage_to_a_two_year_placement(county_admin, post):
    applicant = _hire(county_admin, post)
    placement = place_sanzhi_applicant(actor=county_admin, applicant=applicant, start_date=date(2020, 10, 1))
    assert (placement.township.code, placement.field) == (OWN_TOWNSHIP, "teaching")
    assert placement.end_date == date(2022, 10, 1)


def test_it_needs_a_reason_to_eliminate_and_then_freezes_the_applicant(county_admin, post):
    applicant = register_sanzhi_applicant(
        actor=county_admin,
        post=post,
        number="2020002",
        name="扎西",
        school="西南民族大学",
        graduation_year=2020,
    )
    with pytest.raises(ValidationError) as exc:
        advance_sanzhi_applicant(actor=county_admin, applicant=applicant, passed=False, reason=" ")
    assert "reason" in exc.value.message_dict
    applicant.refresh_from_db()
    assert (applicant.stage, applicant.eliminated) == (SanzhiStage.REGISTERED, False)
    advance_sanzhi_applicant(actor=county_admin, applicant=applicant, passed=False, reason="笔试未达线")
    with pytest.raises(ValidationError):
        advance_sanzhi_applicant(actor=county_admin, applicant=applicant, passed=True)
    with pytest.raises(ValidationError):
        place_sanzhi_applicant(actor=county_admin, applicant=applicant, start_date=date(2020, 10, 1))
    assert not SanzhiPlacement.objects.exists()


def test_it_refuses_graduates_older_than_three_years(county_admin, post):
    with pytest.raises(ValidationError) as exc:
        register_sanzhi_applicant(
            actor=county_admin, post=post, number="1", name="王", school="川大", graduation_year=2015
        )
    assert "graduation_year" in exc.value.message_dict
    assert not SanzhiApplicant.objects.exists()


def test_it_pays_the_monthly_subsidy_once_a_month_and_the_allowance_once(county_admin, post):
    placement = place_sanzhi_applicant(
        actor=county_admin, applicant=_hire(county_admin, post), start_date=date(2020, 10, 1)
    )
    pay_sanzhi_subsidy(
        actor=county_admin,
        placement=placement,
        kind="monthly",
        month=date(2020, 10, 1),
        paid_on=date(2020, 10, 31),
    )
    pay_sanzhi_subsidy(
        actor=county_admin,
        placement=placement,
        kind="settling",
        month=date(2020, 10, 1),
        paid_on=date(2020, 10, 31),
    )
    for kind, month in (("monthly", date(2020, 10, 15)), ("settling", date(2020, 11, 1))):
        with pytest.raises(ValidationError):
            pay_sanzhi_subsidy(
                actor=county_admin, placement=placement, kind=kind, month=month, paid_on=date(2020, 11, 30)
            )
    with pytest.raises(ValidationError):  # before the placement started
        pay_sanzhi_subsidy(
            actor=county_admin,
            placement=placement,
            kind="monthly",
            month=date(2020, 9, 1),
            paid_on=date(2020, 9, 30),
        )
    assert sorted(SanzhiPayment.objects.values_list("kind", "amount")) == [
        ("monthly", Decimal("2000.00")),
        ("settling", Decimal("3000.00")),
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        SanzhiPayment.objects.create(
            placement=placement, kind="settling", month=date(2020, 12, 1), amount=1, paid_on=date(2020, 12, 1)
        )


def test_the_end_of_service_assessment_completes_the_placement(county_admin, post):
    placement = place_sanzhi_applicant(
        actor=county_admin, applicant=_hire(county_admin, post), start_date=date(2020, 10, 1)
    )
    assess_sanzhi_placement(
        actor=county_admin, placement=placement, kind="annual", year=2021, grade="excellent"
    )
    with pytest.raises(ValidationError):
        assess_sanzhi_placement(
            actor=county_admin, placement=placement, kind="annual", year=2021, grade="pass"
        )
    assess_sanzhi_placement(
        actor=county_admin, placement=placement, kind="end_of_service", year=2022, grade="pass"
    )
    record_sanzhi_outcome(actor=county_admin, placement=placement, outcome="public_institution")
    placement.refresh_from_db()
    assert (placement.status, placement.outcome) == (PlacementStatus.COMPLETED, "public_institution")


def test_the_plan_page_is_scoped_by_township(
    county_admin, township_clerk, other_township_clerk, post, client_for
):
    applicant = _hire(county_admin, post)
    assert applicant.name in client_for(township_clerk).get("/subsidies/sanzhi/2020/").content.decode()
    assert (
        applicant.name not in client_for(other_township_clerk).get("/subsidies/sanzhi/2020/").content.decode()
    )
    response = client_for(township_clerk).post(
        f"/subsidies/sanzhi/applicants/{applicant.pk}/advance/", {"decision": "fail", "reason": "x"}
    )
    assert response.status_code == 403
    applicant.refresh_from_db()
    assert not applicant.eliminated
    assert client_for(county_admin).get("/subsidies/sanzhi/2021/").status_code == 404


def test_the_monthly_run_pays_everyone_on_post_once(county_admin, county, post):
    from bangfu.subsidies.services import pay_sanzhi_month

    placement = place_sanzhi_applicant(
        actor=county_admin, applicant=_hire(county_admin, post), start_date=date(2020, 10, 15)
    )
    with pytest.raises(ValidationError):  # nobody on post in September
        pay_sanzhi_month(actor=county_admin, county=county, month=date(2020, 9, 1), paid_on=date(2020, 9, 30))
    assert (
        pay_sanzhi_month(
            actor=county_admin, county=county, month=date(2020, 10, 1), paid_on=date(2020, 10, 31)
        )
        == 1
    )
    with pytest.raises(ValidationError):
        pay_sanzhi_month(
            actor=county_admin, county=county, month=date(2020, 10, 1), paid_on=date(2020, 11, 1)
        )
    assert list(SanzhiPayment.objects.values_list("placement", "month", "amount")) == [
        (placement.pk, date(2020, 10, 1), Decimal("2000.00"))
    ]


def test_the_county_admin_runs_the_recruitment_from_the_page(county_admin, county, client_for):
    create_sanzhi_plan(
        actor=county_admin, county=county, year=2020, monthly_subsidy="2000", settling_allowance="3000"
    )
    client = client_for(county_admin)
    url = "/subsidies/sanzhi/2020/actions/"
    township = Area.objects.get(code=OWN_TOWNSHIP)
    client.post(url, {"action": "post", "township": township.pk, "field": "health", "posts": 2})
    post = SanzhiPost.objects.get()
    assert post.posts == 2
    response = client.post(
        url,
        {
            "action": "applicant",
            "post": post.pk,
            "number": "A1",
            "name": "次仁",
            "school": "川北医学院",
            "major": "临床医学",
            "graduation_year": 2010,
        },
    )
    assert response.status_code == 302 and not SanzhiApplicant.objects.exists()  # graduated too long ago
    client.post(
        url,
        {
            "action": "applicant",
            "post": post.pk,
            "number": "A1",
            "name": "次仁",
            "school": "川北医学院",
            "major": "临床医学",
            "graduation_year": 2019,
        },
    )
    applicant = SanzhiApplicant.objects.get()
    for _ in range(7):
        client.post(f"/subsidies/sanzhi/applicants/{applicant.pk}/advance/", {"decision": "pass"})
    client.post(url, {"action": "place", "pk": applicant.pk, "start_date": "2020-10-01"})
    placement = SanzhiPlacement.objects.get()
    client.post(url, {"action": "month", "month": "2020-10-20"})
    client.post(
        url, {"action": "assess", "pk": placement.pk, "kind": "annual", "year": 2020, "grade": "pass"}
    )
    page = client.get("/subsidies/sanzhi/2020/").content.decode()
    assert "次仁" in page and "2000" in page
    assert placement.assessments.get().grade == "pass"
    response = client.post(url, {"action": "leave", "pk": placement.pk, "reason": ""})
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.SERVING


def test_unit_reporters_see_posts_but_no_people(county_admin, unit_reporter, post, client_for):
    applicant = _hire(county_admin, post)
    page = client_for(unit_reporter).get("/subsidies/sanzhi/2020/").content.decode()
    assert "支教" in page and applicant.name not in page
