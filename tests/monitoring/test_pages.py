"""Monitoring pages, the registry search hook and the household page section."""

from __future__ import annotations

from datetime import date

import pytest

from bangfu.monitoring import services
from bangfu.monitoring.models import MonitoredHousehold, ProcedureStep, Status
from bangfu.monitoring.services import MemberInput

from .conftest import valid_id

pytestmark = pytest.mark.django_db
HEAD = valid_id("51332519700101001")


@pytest.fixture
def marginal(village_officer, ranbu, registry) -> MonitoredHousehold:
    return services.create_monitored_household(
        actor=village_officer,
        kind="marginal",
        found_by="self",
        found_on=date(2020, 4, 1),
        risk_types=["illness"],
        village=ranbu,
        members=[MemberInput("扎西", "户主", HEAD)],
    )


def test_a_marginal_household_is_found_by_id_from_the_registry_search(client_for, township, marginal):
    response = client_for(township).get("/registry/households/", {"q": HEAD})
    assert response.status_code == 200
    body = response.content.decode()
    assert f"/monitoring/households/{marginal.pk}/" in body and "JC202000001" in body
    section = body[body.index("建档立卡以外的监测对象") :]
    assert HEAD not in section[: section.index("</section>")]
    # Only a full ID number finds the person; a name does not reach this block.
    assert (
        "JC202000001" not in client_for(township).get("/registry/households/", {"q": "扎西"}).content.decode()
    )


def test_the_registry_search_does_not_find_a_marginal_household_out_of_scope(
    client_for, other_township_clerk, marginal
):
    body = client_for(other_township_clerk).get("/registry/households/", {"q": HEAD}).content.decode()
    assert "JC202000001" not in body


def test_the_household_page_shows_the_monitoring_section(client_for, admin, village_officer, ranbu_household):
    hh = services.create_monitored_household(
        actor=village_officer,
        kind="unstable",
        found_by="cadre",
        found_on=date(2020, 5, 1),
        risk_types=["illness"],
        registry_household=ranbu_household,
    )
    body = client_for(admin).get(f"/registry/households/{ranbu_household.number}/").content.decode()
    assert "防返贫监测" in body and f"/monitoring/households/{hh.pk}/" in body


def test_the_monitoring_page_lists_procedure_state_and_overdue_steps(client_for, township, marginal):
    response = client_for(township).get("/monitoring/", {"area": "513325100000"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "JC202000001" in body and "村级民主评议" in body
    # Found on 1 April, nothing since: the village review has waited 105 days (over 15).
    assert "“村级民主评议”已等待105天" in body
    assert client_for(township).get("/monitoring/", {"area": "513325200000"}).status_code == 404


def test_an_out_of_order_step_from_the_page_is_refused_and_changes_nothing(client_for, admin, marginal):
    before = list(ProcedureStep.objects.values_list("pk", flat=True))
    response = client_for(admin).post(
        f"/monitoring/households/{marginal.pk}/step/",
        {"step": "county_approval", "on": "2020-04-02", "passed": "1"},
    )
    assert response.status_code == 400
    assert "程序顺序错误：识别纳入当前应办理“村级民主评议”，不能办理“县级审定”。" in response.content.decode()
    assert list(ProcedureStep.objects.values_list("pk", flat=True)) == before
    marginal.refresh_from_db()
    assert marginal.status == Status.IDENTIFYING


def test_a_step_from_the_page_is_recorded(client_for, village_officer, marginal):
    response = client_for(village_officer).post(
        f"/monitoring/households/{marginal.pk}/step/",
        {"step": "village_review", "on": "2020-04-03", "passed": "1", "note": "评议通过"},
    )
    assert response.status_code == 302
    assert marginal.steps.order_by("-id").first().step == "village_review"
    page = client_for(village_officer).get(f"/monitoring/households/{marginal.pk}/").content.decode()
    assert "评议通过" in page and HEAD not in page


def test_creating_a_marginal_household_from_the_page(client_for, village_officer, registry):
    response = client_for(village_officer).post(
        "/monitoring/new/",
        {
            "kind": "marginal",
            "found_by": "self",
            "found_on": "2020-06-01",
            "risk_types": ["disaster"],
            "village": "513325100202",
            "members": f"次仁，户主，{HEAD}，健康，普通劳动力",
        },
    )
    assert response.status_code == 302
    assert MonitoredHousehold.objects.get().head_name == "次仁"
    bad = client_for(village_officer).post(
        "/monitoring/new/",
        {
            "kind": "marginal",
            "found_by": "self",
            "found_on": "2020-06-01",
            "risk_types": ["disaster"],
            "village": "513325100202",
            "members": "拉姆，户主，123",
        },
    )
    assert bad.status_code == 400 and "第1名成员：证件号码“123”长度为3位" in bad.content.decode()
    assert MonitoredHousehold.objects.count() == 1


def test_the_helper_and_an_income_check_are_recorded_from_the_page(client_for, township, cadre, marginal):
    client = client_for(township)
    assert "王帮扶" in client.get(f"/monitoring/households/{marginal.pk}/").content.decode()
    assert (
        client.post(f"/monitoring/households/{marginal.pk}/helper/", {"cadre": cadre.pk}).status_code == 302
    )
    bad = client.post(
        f"/monitoring/households/{marginal.pk}/income/", {"on": "2020-13-01", "per_capita_income": "7000"}
    )
    assert bad.status_code == 400 and "日期格式应为YYYY-MM-DD" in bad.content.decode()
    ok = client.post(
        f"/monitoring/households/{marginal.pk}/income/", {"on": "2020-05-01", "per_capita_income": "7000"}
    )
    assert ok.status_code == 302
    marginal.refresh_from_db()
    assert marginal.helper == cadre and str(marginal.per_capita_income) == "7000.00"
    assert client.post(f"/monitoring/households/{marginal.pk}/helper/", {"cadre": "x"}).status_code == 400
