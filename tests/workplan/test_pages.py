from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from bangfu.accounts.models import User
from bangfu.workplan.demo import seed_demo as seed_workplan
from bangfu.workplan.models import LedgerReport, Notification, ReportStatus, Task

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
    # Lead review in a realistic state: some reports wait for their lead unit, some (passed on)
    # for the office, and every accepted report that needed it was passed on by the lead first.
    from bangfu.workplan.selectors import with_lead_annotations

    annotated = with_lead_annotations(LedgerReport.objects.filter(month__lte=date(2020, 6, 1)))
    assert annotated.filter(with_lead=True).exists()
    assert annotated.filter(status=ReportStatus.GATHERED, lead_reviewed_at__isnull=False).exists()
    leads: dict[int, set[int]] = {}
    for task_id, org_id in Task.lead_units.through.objects.values_list("task_id", "organisation_id"):
        leads.setdefault(task_id, set()).add(org_id)
    accepted = LedgerReport.objects.filter(status=ReportStatus.ACCEPTED).values_list(
        "task_id", "organisation_id", "lead_reviewed_at"
    )
    needed = [reviewed for task, org, reviewed in accepted if leads.get(task) and org not in leads[task]]
    assert needed and all(reviewed is not None for reviewed in needed)
    lead = User.objects.get(username="lead")
    assert LedgerReport.objects.filter(lead_reviewed_by=lead).exists()
    assert _client("lead").get("/workplan/gather/?month=2020-06").status_code == 200
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
    from bangfu.workplan.selectors import lead_queue, office_queue

    ready = list(office_queue(LedgerReport.objects.all()).order_by("pk").values_list("pk", flat=True)[:3])
    waiting = lead_queue(LedgerReport.objects.all()).order_by("pk").first()
    # The list offers a checkbox exactly on what the office can accept now.
    page = _client("admin").get("/workplan/reports/?status=review&month=")
    assert page.status_code == 200
    # One still waiting for its lead unit spoils the lot: refused, nothing changed.
    response = _client("admin").post("/workplan/reports/bulk-accept/", {"report": [*ready, waiting.pk]})
    assert response.status_code == 302
    assert "accepted" not in set(LedgerReport.objects.filter(pk__in=ready).values_list("status", flat=True))
    response = _client("admin").post("/workplan/reports/bulk-accept/", {"report": ready})
    assert response.status_code == 302
    assert set(LedgerReport.objects.filter(pk__in=ready).values_list("status", flat=True)) == {"accepted"}


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


def test_the_plan_page_says_which_figures_are_computed_without_internal_keys(living):
    content = _client("admin").get("/workplan/").content.decode()
    assert "（系统计算）" in content and "（手工填报）" in content
    assert "partners.provincial_designated_villages" not in content


def test_a_report_shows_a_registered_computed_figure(living):
    report = LedgerReport.objects.filter(task__code="3.1.1", month=date(2020, 6, 1)).first()
    content = _client("admin").get(f"/workplan/reports/{report.pk}/").content.decode()
    from bangfu.lib.indicators import IndicatorQuery, get_indicator

    query = IndicatorQuery(county=living, start=date(2020, 6, 1), end=date(2020, 7, 1))
    villages = get_indicator("partners.provincial_designated_villages").value(query)
    assert f">{villages}</a> 个" in content  # linked to the pairings behind it
    assert "截至6月底" in content  # a stock, shown as at the month's end


def test_the_admin_edits_a_task_in_the_page(living):
    from bangfu.partners.models import Organisation
    from bangfu.workplan.models import Task

    task = Task.objects.get(code="3.2")
    finance = Organisation.objects.get(name="县财政局")
    lead = list(task.lead_units.values_list("pk", flat=True))
    resp = [*task.responsible_units.values_list("pk", flat=True), finance.pk]
    response = _client("admin").post(
        f"/workplan/tasks/{task.pk}/edit/",
        {
            "title": task.title,
            "description": task.description,
            "schedule_text": task.schedule_text,
            "lead_units": lead,
            "responsible_units": resp,
        },
    )
    assert response.status_code == 302
    assert task.responsible_units.filter(pk=finance.pk).exists()
    assert LedgerReport.objects.filter(task=task, organisation=finance).count() == 12
    assert _client("inspector").get(f"/workplan/tasks/{task.pk}/edit/").status_code == 403


def test_the_upload_page_shows_yaml_paths_and_changes_nothing(living):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bangfu.workplan.models import Task

    before = list(Task.objects.values_list("code", "title"))
    bad = SimpleUploadedFile("p.yaml", b"year: 2020\ntitle: x\nsections: []\n")
    response = _client("admin").post("/workplan/upload/", {"file": bad})
    assert response.status_code == 200
    assert "sections:" in response.content.decode()
    assert before == list(Task.objects.values_list("code", "title"))


def test_the_daily_task_and_command_send_reminders_once(settings, county):
    from django.core.management import call_command

    from bangfu.workplan.planfile import SHIPPED_2020
    from bangfu.workplan.services import load_plan
    from bangfu.workplan.tasks import send_daily_reminders

    settings.BANGFU_TODAY = date(2020, 7, 2)
    from bangfu.accounts.services import create_user
    from bangfu.areas.models import Area
    from bangfu.partners.models import Organisation
    from tests.conftest import PASSWORD

    create_user(
        actor=None,
        username="edu",
        password=PASSWORD,
        role="unit_reporter",
        area=Area.objects.get(code="513325000000"),
        organisation=Organisation.objects.get(name="县教育体育局"),
    )
    load_plan(actor=None, county=county, data=SHIPPED_2020.read_bytes())
    result = send_daily_reminders.enqueue()
    first = Notification.objects.count()
    assert first > 0 and result.return_value == first
    call_command("send_reminders")
    assert Notification.objects.count() == first


def test_a_unit_attaches_files_and_only_scoped_users_download_them(living, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bangfu.workplan.models import ReportAttachment

    settings.MEDIA_ROOT = tmp_path
    user = User.objects.get(username="township")
    report = LedgerReport.objects.filter(
        organisation=user.organisation, month=date(2020, 7, 1), status=ReportStatus.DRAFT
    ).first()
    client = _client("township")
    bad = SimpleUploadedFile("run.exe", b"MZ")
    client.post(f"/workplan/reports/{report.pk}/", {"progress": "进展", "attachments": [bad]})
    assert not ReportAttachment.objects.exists()
    good = SimpleUploadedFile("会议纪要.pdf", b"%PDF-1.4 demo")
    response = client.post(f"/workplan/reports/{report.pk}/", {"progress": "进展", "attachments": [good]})
    assert response.status_code == 302
    item = ReportAttachment.objects.get()
    assert item.name == "会议纪要.pdf" and item.report == report
    url = f"/workplan/reports/{report.pk}/attachments/{item.pk}/"
    assert b"".join(_client("admin").get(url).streaming_content) == b"%PDF-1.4 demo"
    assert _client("unit").get(url).status_code == 404
