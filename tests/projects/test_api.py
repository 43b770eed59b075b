from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from bangfu.accounts.models import User
from bangfu.accounts.services import create_api_token
from bangfu.ledger.models import Entry
from bangfu.projects.models import Disbursement, DisbursementStatus, Project

pytestmark = pytest.mark.django_db


def api(user: User) -> Client:
    _token, raw = create_api_token(actor=None, user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


PROJECT = {
    "code": "DK-2020-007",
    "title": "锦江区援建卓嘎村卫生室",
    "kind": "counterpart",
    "category": "health",
    "year": 2020,
    "area_code": "513325200201",
    "funder_codes": ["K01"],
    "budget_partner": "300000.00",
    "beneficiary_households": 80,
}


def test_it_creates_and_reads_a_project_with_its_balance(county_admin) -> None:
    client = api(county_admin)
    response = client.post("/api/v1/projects/", PROJECT, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "planned"
    assert body["funder_codes"] == ["K01"]
    assert Decimal(body["balance"]) == Decimal("0")
    got = client.get("/api/v1/projects/DK-2020-007")
    assert got.status_code == 200
    assert Decimal(got.json()["budget_total"]) == Decimal("300000.00")


def test_it_refuses_a_project_with_unknown_funders_and_writes_nothing(county_admin) -> None:
    response = api(county_admin).post(
        "/api/v1/projects/", {**PROJECT, "funder_codes": ["XX9"]}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "XX9" in str(response.json()["detail"])
    assert not Project.objects.exists()


def test_the_whole_flow_over_the_api(project, county_admin, township_clerk, funder_reporter) -> None:
    admin, clerk, funder = api(county_admin), api(township_clerk), api(funder_reporter)
    response = funder.post(
        f"/api/v1/projects/{project.code}/allocations",
        {"amount": "500.00", "source": "partner", "funder_code": "E01"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert Decimal(response.json()["balance"]) == Decimal("1500.00")

    response = clerk.post(
        f"/api/v1/projects/{project.code}/disbursements",
        {"amount": "1200.00", "payee": "雪岭建筑队", "purpose": "圈舍建设"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]

    # The requester cannot approve: 422 with the reason.
    response = clerk.post(f"/api/v1/projects/disbursements/{pk}/approve")
    assert response.status_code == 422
    assert "自己" in str(response.json()["detail"])

    assert funder.post(f"/api/v1/projects/disbursements/{pk}/approve").json()["status"] == "pending"
    # A second funder-side approval is the wrong side.
    response = funder.post(f"/api/v1/projects/disbursements/{pk}/approve")
    assert response.status_code == 422

    response = admin.post(f"/api/v1/projects/disbursements/{pk}/approve")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "paid"
    assert Decimal(body["project_balance"]) == Decimal("300.00")
    assert {a["side"] for a in body["approvals"]} == {"funder", "recipient"}
    assert Decimal(admin.get(f"/api/v1/projects/{project.code}").json()["balance"]) == Decimal("300.00")


def test_it_refuses_a_payment_beyond_the_balance_over_the_api(
    project, county_admin, township_clerk, funder_reporter
) -> None:
    clerk = api(township_clerk)
    ids = [
        clerk.post(
            f"/api/v1/projects/{project.code}/disbursements",
            {"amount": "600.00", "payee": "甲", "purpose": "乙"},
            content_type="application/json",
        ).json()["id"]
        for _ in range(2)
    ]
    funder, admin = api(funder_reporter), api(county_admin)
    for pk in ids:
        funder.post(f"/api/v1/projects/disbursements/{pk}/approve")
    assert admin.post(f"/api/v1/projects/disbursements/{ids[0]}/approve").json()["status"] == "paid"
    entries = Entry.objects.count()
    response = admin.post(f"/api/v1/projects/disbursements/{ids[1]}/approve")
    assert response.status_code == 422
    assert "余额不足" in str(response.json()["detail"])
    assert Entry.objects.count() == entries
    assert Disbursement.objects.get(pk=ids[1]).status == DisbursementStatus.PENDING


def test_it_rejects_with_a_reason_over_the_api(project, township_clerk, funder_reporter) -> None:
    pk = (
        api(township_clerk)
        .post(
            f"/api/v1/projects/{project.code}/disbursements",
            {"amount": "10.00", "payee": "甲", "purpose": "乙"},
            content_type="application/json",
        )
        .json()["id"]
    )
    funder = api(funder_reporter)
    response = funder.post(
        f"/api/v1/projects/disbursements/{pk}/reject", {"reason": ""}, content_type="application/json"
    )
    assert response.status_code == 422
    response = funder.post(
        f"/api/v1/projects/disbursements/{pk}/reject", {"reason": "无合同"}, content_type="application/json"
    )
    assert response.json()["status"] == "rejected"


def test_outsiders_get_404_or_403_with_a_reason(project, other_township_clerk, counterpart_reporter) -> None:
    assert api(other_township_clerk).get(f"/api/v1/projects/{project.code}").status_code == 404
    assert api(counterpart_reporter).get(f"/api/v1/projects/{project.code}").status_code == 404
    response = api(other_township_clerk).post(
        f"/api/v1/projects/{project.code}/allocations",
        {"amount": "1", "source": "county"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_a_village_officer_sees_the_project_but_may_not_move_money(project) -> None:
    officer = User.objects.get(username="village")  # 然布村, where the project is
    client = api(officer)
    assert client.get(f"/api/v1/projects/{project.code}").status_code == 200
    response = client.post(
        f"/api/v1/projects/{project.code}/allocations",
        {"amount": "1", "source": "county"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "资助方或受援方" in response.json()["detail"]


def test_the_project_list_is_scoped(project, county_admin, funder_reporter, counterpart_reporter) -> None:
    assert [p["code"] for p in api(county_admin).get("/api/v1/projects/").json()] == [project.code]
    assert [p["code"] for p in api(funder_reporter).get("/api/v1/projects/").json()] == [project.code]
    assert api(counterpart_reporter).get("/api/v1/projects/").json() == []


def test_an_allocation_is_reversed_over_the_api(project, county_admin, funder_reporter) -> None:
    from bangfu.projects.models import Allocation

    allocation = Allocation.objects.get()
    url = f"/api/v1/projects/{project.code}/allocations/{allocation.pk}/reverse"
    response = api(funder_reporter).post(url, {"reason": "错"}, content_type="application/json")
    assert response.status_code == 403
    response = api(county_admin).post(url, {"reason": "重复录入"}, content_type="application/json")
    assert response.status_code == 200
    assert Decimal(response.json()["balance"]) == Decimal("0")


def test_a_project_is_corrected_over_the_api(project, county_admin, township_clerk) -> None:
    url = f"/api/v1/projects/{project.code}"
    response = api(county_admin).patch(url, {"beneficiary_people": 200}, content_type="application/json")
    assert response.status_code == 200
    assert Project.objects.get(pk=project.pk).beneficiary_people == 200
    response = api(township_clerk).patch(url, {"title": "x"}, content_type="application/json")
    assert response.status_code == 403


def test_evaluations_over_the_api(project, county_admin, funder_reporter, settings) -> None:
    from datetime import date

    settings.BANGFU_TODAY = date(2020, 7, 2)
    rows = api(funder_reporter).get("/api/v1/projects/evaluations").json()
    assert [(r["kind"], r["overdue"]) for r in rows] == [("mid_year", True), ("annual", False)]
    url = f"/api/v1/projects/evaluations/{rows[0]['id']}"
    payload = {"score": "91", "findings": "良好", "rectifications": [{"description": "补公示"}]}
    assert api(funder_reporter).post(url, payload, content_type="application/json").status_code == 403
    response = api(county_admin).post(url, payload, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["open_rectifications"] == 1
    assert [r["kind"] for r in api(county_admin).get("/api/v1/projects/evaluations?state=done").json()] == [
        "mid_year"
    ]
    response = api(county_admin).post(url, payload, content_type="application/json")
    assert response.status_code == 422


def test_investment_plans_over_the_api(county_admin, funder_reporter, counterpart_reporter, settings) -> None:
    from datetime import date

    settings.BANGFU_TODAY = date(2020, 3, 10)
    payload = {"partner_code": "E01", "year": 2020, "title": "顺德区计划", "planned_amount": "1000000",
               "issued_on": "2020-03-01"}  # fmt: skip
    assert (
        api(counterpart_reporter)
        .post("/api/v1/projects/plans", payload, content_type="application/json")
        .status_code
        == 403
    )
    response = api(funder_reporter).post("/api/v1/projects/plans", payload, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["issued_in_q1"] is True
    assert [p["title"] for p in api(county_admin).get("/api/v1/projects/plans?year=2020").json()] == [
        "顺德区计划"
    ]
    assert api(counterpart_reporter).get("/api/v1/projects/plans").json() == []


def _request(clerk: Client, project: Project, amount: str = "100.00") -> int:
    response = clerk.post(
        f"/api/v1/projects/{project.code}/disbursements",
        {"amount": amount, "payee": "甲", "purpose": "乙"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def test_it_approves_at_the_issue_path_and_the_app_path(
    project, county_admin, township_clerk, funder_reporter
) -> None:
    clerk, funder, admin = api(township_clerk), api(funder_reporter), api(county_admin)
    first, second = _request(clerk, project), _request(clerk, project)
    # The issue's path /api/v1/disbursements/{id}/approve ...
    assert funder.post(f"/api/v1/disbursements/{first}/approve").json()["status"] == "pending"
    response = admin.post(f"/api/v1/disbursements/{first}/approve")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "paid"
    assert funder.get(f"/api/v1/disbursements/{first}").json()["status"] == "paid"
    # ... and the app's own path keep working side by side.
    assert funder.post(f"/api/v1/projects/disbursements/{second}/approve").json()["status"] == "pending"
    assert admin.post(f"/api/v1/projects/disbursements/{second}/approve").json()["status"] == "paid"
    assert Disbursement.objects.filter(status=DisbursementStatus.PAID).count() == 2
    # The issue's path refuses like the app's: the requester cannot approve, out of scope is 404.
    third = _request(clerk, project)
    response = clerk.post(f"/api/v1/disbursements/{third}/approve")
    assert response.status_code == 422
    assert "自己" in str(response.json()["detail"])
    assert api(township_clerk).post("/api/v1/disbursements/999999/approve").status_code == 404
    assert Disbursement.objects.get(pk=third).status == DisbursementStatus.PENDING


def test_it_rejects_at_the_issue_path_and_the_app_path(project, township_clerk, funder_reporter) -> None:
    clerk, funder = api(township_clerk), api(funder_reporter)
    first, second = _request(clerk, project), _request(clerk, project)
    response = funder.post(
        f"/api/v1/disbursements/{first}/reject", {"reason": ""}, content_type="application/json"
    )
    assert response.status_code == 422
    assert Disbursement.objects.get(pk=first).status == DisbursementStatus.PENDING
    for path in (f"/api/v1/disbursements/{first}/reject", f"/api/v1/projects/disbursements/{second}/reject"):
        response = funder.post(path, {"reason": "发票不全"}, content_type="application/json")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "rejected"
    assert Disbursement.objects.filter(status=DisbursementStatus.REJECTED).count() == 2
