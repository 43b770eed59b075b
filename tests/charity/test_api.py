from __future__ import annotations

import json

import pytest

from bangfu.charity.models import Donation
from tests.charity.conftest import give

pytestmark = pytest.mark.django_db


def test_the_api_lists_campaigns_with_ledger_totals(county_admin, client_for, campaign) -> None:
    give(county_admin, campaign, amount="250.00")
    data = client_for(county_admin).get("/api/v1/charity/campaigns").json()
    assert [(c["code"], c["money_raised"], c["balance"]) for c in data] == [
        (campaign.code, "250.00", "250.00")
    ]


def test_the_api_records_a_donation_or_names_the_errors(county_admin, client_for, campaign) -> None:
    client = client_for(county_admin)
    url = f"/api/v1/charity/campaigns/{campaign.code}/donations"
    body = {
        "receipt_number": "API-1",
        "donor_kind": "organisation",
        "donor_name": "某公司",
        "donor_uscc": "bad",
        "amount": "100.00",
        "donated_on": "2020-07-01",
        "channel": "platform",
    }
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert "统一社会信用代码" in response.json()["detail"][0]
    assert Donation.objects.count() == 0
    body.update(donor_kind="person", donor_uscc="")
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 201
    assert response.json()["receipt_number"] == "API-1"


def test_the_api_hides_campaigns_from_other_roles(township_clerk, client_for, campaign) -> None:
    client = client_for(township_clerk)
    assert client.get("/api/v1/charity/campaigns").json() == []
    assert client.get(f"/api/v1/charity/campaigns/{campaign.code}").status_code == 404
