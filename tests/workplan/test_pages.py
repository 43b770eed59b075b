from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from bangfu.accounts.models import User
from bangfu.workplan.demo import seed_demo as seed_workplan
from bangfu.workplan.models import LedgerReport, Notification, ReportStatus

PAGES = [
    "/workplan/",
    "/workplan/reports/",
    "/workplan/reports/?status=review&month=2020-06",
    "/workplan/completeness/",
    "/workplan/oversight/",
    "/workplan/assessment/",
    "/workplan/dashboard/",
    "/workplan/notifications/",
]


@pytest.fixture
def living(settings, county):
    settings.BANGFU_TODAY = date(2020, 7, 15)
    seed_workplan(county)
    return county


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_demo_is_a_living_mid_year_ledger(living):
    june = LedgerReport.objects.filter(month=date(2020, 6, 1))
    statuses = set(june.values_list("status", flat=True))
    assert {
        ReportStatus.ACCEPTED,
        ReportStatus.SUBMITTED,
        ReportStatus.RETURNED,
        ReportStatus.DRAFT,
    } <= statuses
    assert (
        not LedgerReport.objects.filter(month__gte=date(2020, 8, 1))
        .exclude(status=ReportStatus.DRAFT)
        .exists()
    )
    assert Notification.objects.exists()
    before = list(LedgerReport.objects.order_by("pk").values_list("status", flat=True))
    seed_workplan(living)
    assert before == list(LedgerReport.objects.order_by("pk").values_list("status", flat=True))


@pytest.mark.parametrize("url", PAGES)
def test_oversight_pages_render_for_admin_and_inspector(living, url):
    for username in ("admin", "inspector"):
        assert _client(username).get(url).status_code == 200, (username, url)


def test_a_unit_sees_only_its_own_reports(living):
    client = _client("unit")  # 省总工会 is not a responsible unit of the plan
    response = client.get("/workplan/reports/")
    assert response.status_code == 200
    assert not response.context["page"].object_list
    other = LedgerReport.objects.first()
    assert client.get(f"/workplan/reports/{other.pk}/").status_code == 404
    assert client.get("/workplan/completeness/").status_code == 403


def test_a_township_clerk_reports_for_its_township(living):
    user = User.objects.get(username="township")
    client = _client("township")
    report = LedgerReport.objects.filter(
        organisation=user.organisation, month=date(2020, 7, 1), status=ReportStatus.DRAFT
    ).first()
    response = client.post(f"/workplan/reports/{report.pk}/", {"progress": "完成三支一扶招募", "submit": "1"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.progress == "完成三支一扶招募"


def test_the_inspector_cannot_accept_through_the_page(living):
    report = LedgerReport.objects.filter(status=ReportStatus.SUBMITTED).first()
    response = _client("inspector").post(f"/workplan/reports/{report.pk}/accept/")
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_the_admin_bulk_accepts_from_the_list(living):
    ids = list(LedgerReport.objects.filter(status=ReportStatus.SUBMITTED).values_list("pk", flat=True)[:3])
    response = _client("admin").post("/workplan/reports/bulk-accept/", {"report": ids})
    assert response.status_code == 302
    assert set(LedgerReport.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"accepted"}


def test_the_admin_downloads_bulletin_and_assessment(living):
    client = _client("admin")
    response = client.get("/workplan/bulletin/?month=2020-06")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    response = client.get("/workplan/assessment/?format=xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_the_api_lists_tasks_and_completeness(living):
    client = _client("admin")
    tasks = client.get("/api/v1/workplan/tasks?year=2020").json()
    assert [t["code"] for t in tasks][:2] == ["3.1.1", "3.1.2"]
    assert "县委组织部" in tasks[1]["lead_units"]
    assert len(tasks[1]["milestones"]) == 4
    data = client.get("/api/v1/workplan/completeness?month=2020-06").json()
    total = sum(r["on_time"] + r["late"] + r["missing"] + r["returned"] + r["pending"] for r in data["rows"])
    assert total == LedgerReport.objects.filter(month=date(2020, 6, 1)).count()
    assert data["due_date"] == "2020-07-05"


def test_the_api_submits_only_own_reports(living):
    user = User.objects.get(username="township")
    report = LedgerReport.objects.filter(organisation=user.organisation, month=date(2020, 7, 1)).first()
    LedgerReport.objects.filter(pk=report.pk).update(progress="进展")
    response = _client("township").post(f"/api/v1/workplan/reports/{report.pk}/submit")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    other = LedgerReport.objects.exclude(organisation=user.organisation).first()
    assert _client("township").post(f"/api/v1/workplan/reports/{other.pk}/submit").status_code == 404
    other.refresh_from_db()
    assert other.status != "submitted" or other.first_submitted_on is not None
