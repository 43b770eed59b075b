"""GET /api/v1/monitoring/households (scoped, masked), GET /leads, POST the procedure's steps."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bangfu.monitoring import services
from bangfu.monitoring.models import MonitoredHousehold, ProcedureStep
from bangfu.monitoring.screening import run_screening
from bangfu.monitoring.services import MemberInput

from .conftest import valid_id

pytestmark = pytest.mark.django_db
HEAD = valid_id("51332519700101001")


@pytest.fixture
def households(village_officer, ranbu, registry):
    from bangfu.registry.models import Household

    edge = services.create_monitored_household(
        actor=village_officer,
        kind="marginal",
        found_by="self",
        found_on=date(2020, 4, 1),
        risk_types=["illness"],
        village=ranbu,
        members=[MemberInput("扎西", "户主", HEAD)],
    )
    other = services.create_monitored_household(
        actor=None,
        kind="unstable",
        found_by="cadre",
        found_on=date(2020, 4, 1),
        risk_types=["disaster"],
        registry_household=Household.objects.filter(village__code="513325200201").first(),
    )
    return edge, other


def post(client, url: str, body: dict):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_households_are_scoped_and_masked(client_for, township, admin, households):
    edge, other = households
    body = client_for(township).get("/api/v1/monitoring/households").json()
    assert [h["number"] for h in body["items"]] == [edge.number]
    item = body["items"][0]
    assert item["members"][0]["id_number_masked"] == HEAD[:6] + "********" + HEAD[-4:]
    assert HEAD not in json.dumps(body) and item["risk_types"] == ["illness"]
    assert client_for(township).get(f"/api/v1/monitoring/households/{other.pk}").status_code == 404
    assert (
        client_for(township).get("/api/v1/monitoring/households", {"area": "513325200000"}).status_code == 404
    )
    assert len(client_for(admin).get("/api/v1/monitoring/households").json()["items"]) == 2


def test_steps_are_posted_in_order_or_refused_with_nothing_saved(client_for, village_officer, households):
    edge, _other = households
    client = client_for(village_officer)
    url = f"/api/v1/monitoring/households/{edge.pk}/steps"
    before = ProcedureStep.objects.count()
    refused = post(client, url, {"step": "publicity", "date": "2020-04-02"})
    assert refused.status_code == 422
    assert "当前应办理“村级民主评议”" in json.dumps(refused.json(), ensure_ascii=False)
    assert ProcedureStep.objects.count() == before
    accepted = post(client, url, {"step": "village_review", "date": "2020-04-02"})
    assert accepted.status_code == 201 and accepted.json()["step"] == "village_review"
    assert post(client, url, {"step": "publicity", "date": "2020-04-03", "days": 5}).status_code == 201
    # The county's step is not the village officer's to record.
    assert post(client, url, {"step": "township_review", "date": "2020-04-09"}).status_code == 403
    assert MonitoredHousehold.objects.get(pk=edge.pk).last_step == "publicity"


def test_leads_are_listed_in_scope(client_for, admin, township, county, households):
    run_screening(actor=admin, county=county)
    mine = client_for(township).get("/api/v1/monitoring/leads").json()["items"]
    assert mine and all(lead["village_code"].startswith("513325100") for lead in mine)
    everyone = client_for(admin).get("/api/v1/monitoring/leads", {"state": "open"}).json()
    assert everyone["count"] > len(mine)
