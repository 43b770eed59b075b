"""Support measures (linked to existing records instead of retyped) and the helper's visits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bangfu.lib.indicators import IndicatorQuery, get_indicator
from bangfu.monitoring import services
from bangfu.monitoring.models import Measure, MonitoringVisit, Step
from bangfu.registry.models import Household
from bangfu.subsidies.models import YuluPayment
from bangfu.subsidies.services import create_term

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(village_officer, township, admin, ranbu_household):
    hh = services.create_monitored_household(
        actor=village_officer,
        kind="unstable",
        found_by="cadre",
        found_on=date(2020, 3, 2),
        risk_types=["education"],
        registry_household=ranbu_household,
    )
    for step, day, actor in (
        (Step.VILLAGE_REVIEW, 3, village_officer),
        (Step.PUBLICITY, 4, village_officer),
        (Step.TOWNSHIP_REVIEW, 12, township),
        (Step.COUNTY_APPROVAL, 13, admin),
        (Step.ENTERED, 14, admin),
    ):
        services.record_step(actor=actor, household=hh, step=step, on=date(2020, 3, day))
    return hh


def payment(county, household: Household) -> YuluPayment:
    term = (
        YuluPayment.objects.first().term
        if YuluPayment.objects.exists()
        else create_term(actor=None, county=county, code="2020-spring")
    )
    member = household.members.order_by("id").first()
    return YuluPayment.objects.create(
        county=county,
        term=term,
        member=member,
        household=household,
        village=household.village,
        id_number_index=member.id_number_index,
        amount=Decimal("1500.00"),
        paid_on=date(2020, 5, 20),
    )


def test_a_measure_is_recorded_with_its_amount(village_officer, household):
    measure = services.add_measure(
        actor=village_officer,
        household=household,
        measure_type="industry",
        detail="发展养殖（牦牛5头）",
        start=date(2020, 4, 1),
        amount="8000.50",
        source="东西部协作资金",
    )
    assert measure.amount == Decimal("8000.50")
    with pytest.raises(ValidationError):
        services.add_measure(
            actor=village_officer,
            household=household,
            measure_type="industry",
            detail="x",
            start=date(2020, 4, 1),
            end=date(2020, 3, 1),
        )
    assert Measure.objects.count() == 1


def test_a_yulu_payment_is_linked_not_retyped(village_officer, county, household, registry):
    own = payment(county, household.registry_household)
    measure = services.add_measure(
        actor=village_officer,
        household=household,
        measure_type="other",
        detail="",
        start=date(2020, 1, 1),
        yulu_payment=own,
    )
    assert (measure.measure_type, measure.amount, measure.start) == (
        "education",
        Decimal("1500.00"),
        date(2020, 5, 20),
    )
    assert "雨露计划" in measure.detail
    stranger = payment(county, Household.objects.exclude(pk=household.registry_household_id).first())
    with pytest.raises(ValidationError) as info:
        services.add_measure(
            actor=village_officer,
            household=household,
            measure_type="education",
            detail="",
            start=date(2020, 1, 1),
            yulu_payment=stranger,
        )
    assert "不属于本户" in str(info.value)
    assert Measure.objects.count() == 1


def test_the_helper_visits_monthly_and_overdue_visits_are_counted(
    village_officer, township, county, cadre, household
):
    with pytest.raises(ValidationError) as info:
        services.record_visit(actor=village_officer, household=household, on=date(2020, 4, 1))
    assert "尚未确定帮扶责任人" in str(info.value)
    services.assign_helper(actor=township, household=household, helper=cadre)
    services.record_visit(actor=village_officer, household=household, on=date(2020, 4, 10), notes="入户")
    with pytest.raises(ValidationError):
        services.record_visit(actor=village_officer, household=household, on=date(2020, 2, 1))
    assert MonitoringVisit.objects.count() == 1
    overdue = get_indicator("monitoring.visits_overdue")
    # End of April: visited on 10 April. End of June: nothing for over 31 days.
    assert overdue.value(IndicatorQuery(county=county, start=date(2020, 4, 1), end=date(2020, 5, 1))) == 0
    assert overdue.value(IndicatorQuery(county=county, start=date(2020, 6, 1), end=date(2020, 7, 1))) == 1
    services.record_visit(actor=village_officer, household=household, on=date(2020, 6, 20), form="phone")
    assert overdue.value(IndicatorQuery(county=county, start=date(2020, 6, 1), end=date(2020, 7, 1))) == 0


def test_a_yulu_payment_is_linked_from_the_household_page(client_for, township, county, household):
    own = payment(county, household.registry_household)
    client = client_for(township)
    page = client.get(f"/monitoring/households/{household.pk}/").content.decode()
    assert "关联雨露计划发放" in page
    linked = client.post(f"/monitoring/households/{household.pk}/link/", {"kind": "yulu", "pk": own.pk})
    assert linked.status_code == 302
    measure = Measure.objects.get(household=household)
    assert (measure.yulu_payment, measure.amount) == (own, Decimal("1500.00"))
    again = client.post(f"/monitoring/households/{household.pk}/link/", {"kind": "yulu", "pk": own.pk})
    assert again.status_code == 400 and Measure.objects.count() == 1
