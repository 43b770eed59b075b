"""What a user does in a real browser, one journey per test, each ending on what the user sees and
on the database afterwards (issue #10, part 1). Fixtures and rules: `conftest.py`."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from bangfu.accounts.models import Role, User
from bangfu.accounts.services import create_user
from bangfu.areas.models import Area
from bangfu.audit.models import AuditRecord
from bangfu.core.demo import COUNTY_CODE, seed_demo
from bangfu.lib.crypto import decrypt_text
from bangfu.partners.models import Organisation
from bangfu.registry import demo as registry_demo
from bangfu.registry import services as registry_services
from bangfu.registry.models import Household, ImportJob, ImportStatus, Member
from bangfu.registry.writer import ID_CONTEXT
from bangfu.workplan.models import LedgerReport, ReportStatus
from bangfu.workplan.planfile import SHIPPED_2020
from bangfu.workplan.services import load_plan
from tests.browser.conftest import log_in

DEMO_TODAY = date(2020, 7, 15)


@pytest.fixture
def base(settings) -> Area:
    """The demo county's areas, organisations and one user per role, on the demo's today."""
    settings.BANGFU_TODAY = DEMO_TODAY
    seed_demo(full=False)
    return Area.objects.get(code=COUNTY_CODE)


@pytest.fixture
def registry(base) -> Area:
    registry_demo.seed_demo(base)
    return base


def test_a_county_admin_logs_in_through_the_form(base, page, finish) -> None:
    before = timezone.now()
    page.goto("/")
    assert "/accounts/login/" in page.url  # anonymous visitors are sent to the login form
    log_in(page, "admin")
    expect(page.get_by_role("heading", level=1)).to_contain_text("工作概况")
    expect(page.locator(".who")).to_contain_text("县扶贫开发局管理员")
    finish(page, "01-login")
    admin = User.objects.get(username="admin")
    assert admin.last_login is not None and admin.last_login >= before


def test_an_uploaded_registry_file_is_imported_by_the_worker_while_the_job_page_watches(
    base, page, finish, settings, monkeypatch, tmp_path: Path
) -> None:
    # The real deployment path for big files: the upload queues a django-tasks job in the
    # database and `bangfu db_worker` runs it; the job page refreshes itself until it is done.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(registry_services, "INLINE_IMPORT_BYTES", 0)
    sample = tmp_path / "人员信息.xlsx"
    call_command("make_sample_registry", households=12, output=sample, seed=7)

    log_in(page, "admin")
    page.goto("/registry/imports/")
    page.get_by_label("导出文件").set_input_files(sample)
    page.get_by_label("数据日期").fill("2020-06-01")
    page.get_by_role("button", name="上传并导入").click()
    status = page.locator("main section.panel b").first
    expect(status).to_have_text("排队中")
    assert Household.objects.count() == 0

    call_command("db_worker", "--batch", "--no-startup-delay")

    expect(status).to_have_text("已完成")  # after the page's own refresh
    expect(page.locator("main table.grid")).to_contain_text("households")
    finish(page, "02-registry-import")
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.SUCCEEDED
    assert job.summary["households"] == 12 == Household.objects.count()
    assert job.summary["accepted"] == job.summary["rows"] == Member.objects.count() > 12


def test_a_township_clerk_finds_a_household_by_id_number_and_reveals_it(registry, page, finish) -> None:
    member = Member.objects.filter(village__code="513325100202", active=True).order_by("id").first()
    assert member is not None
    id_number = decrypt_text(member.id_number_encrypted, context=ID_CONTEXT)

    log_in(page, "township")
    page.goto("/registry/households/")
    page.get_by_placeholder("姓名、户编号或完整证件号码").fill(id_number)
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("main table.grid tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(member.household.number)
    rows.first.get_by_role("link").click()
    expect(page.get_by_text(member.id_number_masked)).to_be_visible()
    assert id_number not in page.content()  # masked until asked for
    page.locator("tr", has_text=member.name).get_by_role("button", name="查看完整号码（留痕）").click()
    expect(page.locator("code.revealed")).to_have_text(id_number)
    finish(page, "03-household-search")
    audit = AuditRecord.objects.get(action="registry.member.reveal_id")
    assert audit.actor == User.objects.get(username="township")
    assert audit.target_id == str(member.pk)


@pytest.fixture
def ledger_reporter(base) -> User:
    """A unit reporter of 县总工会 (C07), a responsible unit of task 3.1.1 in the shipped plan."""
    load_plan(actor=None, county=base, data=SHIPPED_2020.read_bytes())
    return create_user(
        actor=None,
        username="reporter-c07",
        password="correct-horse-battery",
        role=Role.UNIT_REPORTER,
        area=base,
        organisation=Organisation.objects.get(code="C07"),
        full_name="县总工会联络员",
    )


def test_a_monthly_report_is_submitted_returned_resubmitted_and_accepted(
    ledger_reporter, new_page, finish
) -> None:
    report = LedgerReport.objects.get(
        task__code="3.1.1", organisation__code="C07", month=date(2020, 6, 1)
    )
    reporter = new_page()
    log_in(reporter, "reporter-c07", "correct-horse-battery")
    reporter.goto("/workplan/reports/?month=2020-06")
    reporter.locator("tr", has_text="3.1.1").get_by_role("link", name="2020-06").click()
    reporter.get_by_label("工作进展").fill("走访定点帮扶村3个，慰问困难职工12户。")
    reporter.get_by_label("定点帮扶脱贫户数").fill("12")
    reporter.get_by_role("button", name="保存并提交").click()
    expect(reporter.locator(".status")).to_have_text("已提交")

    admin = new_page()
    log_in(admin, "admin")
    admin.goto(f"/workplan/reports/{report.pk}/")
    admin.get_by_label("退回意见").fill("请补充慰问资金金额。")
    admin.get_by_role("button", name="退回").click()
    expect(admin.locator(".status")).to_have_text("已退回")

    reporter.reload()
    expect(reporter.locator("p.error")).to_contain_text("请补充慰问资金金额。")
    reporter.get_by_label("工作进展").fill("走访定点帮扶村3个，慰问困难职工12户，发放慰问金6000元。")
    reporter.get_by_role("button", name="保存并提交").click()
    expect(reporter.locator(".status")).to_have_text("已重新提交")

    admin.reload()
    admin.get_by_role("button", name="通过").click()
    expect(admin.locator(".status")).to_have_text("已通过")
    finish(admin, "04-ledger-report-accepted")

    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    assert report.progress.endswith("发放慰问金6000元。")
    assert report.first_submitted_on == DEMO_TODAY  # the return kept the first submission date
    assert report.reviewed_by == User.objects.get(username="admin")
    assert report.values.get().value == 12
    actions = list(
        AuditRecord.objects.filter(target_id=str(report.pk), action__startswith="workplan.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "workplan.save_report",
        "workplan.submit_report",
        "workplan.return_report",
        "workplan.save_report",
        "workplan.submit_report",
        "workplan.accept_report",
    ]
