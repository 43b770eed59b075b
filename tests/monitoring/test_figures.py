"""Monitoring figures: indicators, attention items, and the demo's June bulletin and dashboard."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document

from bangfu.lib.attention import items_for_county, items_for_user
from bangfu.lib.indicators import IndicatorQuery, all_indicators, get_indicator
from bangfu.monitoring.demo import seed_demo as seed_monitoring
from bangfu.monitoring.models import Lead, MonitoredHousehold, MonitoredMember, Status
from bangfu.partners.demo import seed_demo as seed_partners
from bangfu.registry.demo import seed_demo as seed_registry
from bangfu.workplan.bulletin import build_bulletin
from bangfu.workplan.demo import seed_demo as seed_workplan
from bangfu.workplan.models import Plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_monitoring(county):
    seed_registry(county)
    seed_partners(county)
    seed_monitoring(county)
    return county


def value(name: str, county, start: date, end: date) -> int:
    return int(get_indicator(name).value(IndicatorQuery(county=county, start=start, end=end)))


def test_the_demo_has_every_kind_at_different_steps_and_one_eliminated(demo_monitoring):
    households = MonitoredHousehold.objects.filter(county=demo_monitoring)
    assert set(households.values_list("kind", flat=True)) == {"unstable", "marginal", "sudden"}
    assert sorted(households.values_list("status", flat=True)) == sorted(
        [Status.MONITORED, Status.ELIMINATED, Status.IDENTIFYING, Status.IDENTIFYING, Status.MONITORED]
    )
    assert {h.last_step for h in households.filter(status=Status.IDENTIFYING)} == {"applied", "publicity"}
    assert MonitoredMember.objects.filter(household__registry_household__isnull=True).count() == 4
    medical = Lead.objects.filter(county=demo_monitoring, source="medical")
    assert medical.filter(registry_household__isnull=True).count() == 1 and medical.count() >= 4
    # Idempotent.
    seed_monitoring(demo_monitoring)
    assert households.count() == 5


def test_indicators_are_published_and_judged_at_the_period_end(demo_monitoring):
    names = set(all_indicators())
    assert {
        "monitoring.households",
        "monitoring.people",
        "monitoring.households.marginal",
        "monitoring.risk.illness",
        "monitoring.identified",
        "monitoring.eliminated",
        "monitoring.with_measures",
        "monitoring.without_helper",
        "monitoring.leads_unverified",
        "monitoring.visits_overdue",
    } <= names
    county = demo_monitoring
    # End of May: the sick household (entered 17 Feb), the one eliminated later (entered 20 Jan),
    # the 边缘户 entered 18 April.
    assert value("monitoring.households", county, date(2020, 5, 1), date(2020, 6, 1)) == 3
    assert value("monitoring.households", county, date(2020, 6, 1), date(2020, 7, 1)) == 2
    assert value("monitoring.eliminated", county, date(2020, 6, 1), date(2020, 7, 1)) == 1
    assert value("monitoring.identified", county, date(2020, 1, 1), date(2020, 7, 1)) == 3
    assert value("monitoring.households.marginal", county, date(2020, 6, 1), date(2020, 7, 1)) == 1
    assert value("monitoring.risk.illness", county, date(2020, 6, 1), date(2020, 7, 1)) == 1
    assert value("monitoring.without_helper", county, date(2020, 6, 1), date(2020, 7, 1)) == 1
    people = sum(
        MonitoredHousehold.objects.filter(status="monitored").values_list("household_size", flat=True)
    )
    assert value("monitoring.people", county, date(2020, 6, 1), date(2020, 7, 1)) == people


def test_attention_lists_what_is_late_for_whom(demo_monitoring, township):
    items = items_for_county(demo_monitoring, date(2020, 7, 15))
    kinds = {i.kind for i in items if i.kind.startswith("monitoring.")}
    # The disaster household waits for its village review since 12 May; the 边缘户 without helper.
    assert {"monitoring.steps_overdue", "monitoring.without_helper", "monitoring.visits_overdue"} <= kinds
    steps = next(i for i in items if i.kind == "monitoring.steps_overdue")
    assert "超期未推进" in str(steps.title) and steps.since == date(2020, 5, 27)
    mine = items_for_user(township, date(2020, 7, 15))
    assert all(i.area_code.startswith("513325100") for i in mine if i.kind.startswith("monitoring."))


def test_the_june_bulletin_and_the_dashboard_of_the_demo_show_the_monitoring_figures(
    settings, demo_monitoring, county_admin, client_for
):
    settings.BANGFU_TODAY = date(2020, 7, 15)
    seed_workplan(demo_monitoring)
    plan = Plan.objects.get(county=demo_monitoring, year=2020)
    text = "\n".join(p.text for p in Document(io.BytesIO(build_bulletin(plan, date(2020, 6, 1)))).paragraphs)
    assert "防返贫监测方面，截至6月底，全县防返贫监测对象2户" in text
    assert "1—6月新识别纳入3户、风险消除1户" in text
    assert "未确定帮扶责任人1户" in text
    page = client_for(county_admin).get("/workplan/dashboard/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "防返贫监测" in body and "风险消除户数" in body and "/monitoring/" in body
