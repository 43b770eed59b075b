"""What a user does in a real browser, one journey per test, each ending on what the user sees and
on the database afterwards (issue #10, part 1). Fixtures and rules: `conftest.py`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from bangfu.accounts.models import Role, User
from bangfu.accounts.services import create_user
from bangfu.areas.models import Area
from bangfu.audit.models import AuditRecord
from bangfu.charity import demo as charity_demo
from bangfu.charity import funds
from bangfu.charity.models import Campaign
from bangfu.core.demo import COUNTY_CODE, demo_password, seed_demo
from bangfu.ledger.models import Entry
from bangfu.lib.crypto import decrypt_text
from bangfu.network import demo as network_demo
from bangfu.network.models import Claim, ClaimStatus, Need, NeedStatus
from bangfu.partners import demo as partners_demo
from bangfu.partners.models import Cadre, Organisation, Visit
from bangfu.projects import demo as projects_demo
from bangfu.projects.models import Disbursement, DisbursementStatus, Project
from bangfu.registry import demo as registry_demo
from bangfu.registry import services as registry_services
from bangfu.registry.models import Household, ImportJob, ImportStatus, Member
from bangfu.registry.writer import ID_CONTEXT
from bangfu.subsidies import demo as subsidies_demo
from bangfu.subsidies.models import YuluPayment, YuluTerm
from bangfu.subsidies.selectors import reconcile_yulu
from bangfu.workplan.models import LedgerReport, ReportStatus
from bangfu.workplan.planfile import SHIPPED_2020
from bangfu.workplan.services import load_plan
from tests.browser.conftest import log_in
from tests.taskworker import run_db_worker

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

    run_db_worker()

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
    """A unit reporter of 县总工会 (C07), a responsible unit of task 3.1.1 in the shipped plan, and
    one of 县脱贫攻坚领导小组办公室 (C01), its lead unit, who gathers the report first."""
    load_plan(actor=None, county=base, data=SHIPPED_2020.read_bytes())
    create_user(
        actor=None,
        username="lead-c01",
        password="correct-horse-battery",
        role=Role.UNIT_REPORTER,
        area=base,
        organisation=Organisation.objects.get(code="C01"),
        full_name="县脱贫攻坚领导小组办公室联络员",
    )
    return create_user(
        actor=None,
        username="reporter-c07",
        password="correct-horse-battery",
        role=Role.UNIT_REPORTER,
        area=base,
        organisation=Organisation.objects.get(code="C07"),
        full_name="县总工会联络员",
    )


def test_a_monthly_report_is_submitted_returned_resubmitted_gathered_and_accepted(
    ledger_reporter, new_page, finish
) -> None:
    report = LedgerReport.objects.get(task__code="3.1.1", organisation__code="C07", month=date(2020, 6, 1))
    reporter = new_page()
    log_in(reporter, "reporter-c07", "correct-horse-battery")
    reporter.goto("/workplan/reports/?month=2020-06")
    reporter.locator("tr", has_text="3.1.1").get_by_role("link", name="2020-06").click()
    reporter.get_by_label("工作进展").fill("走访定点帮扶村3个，慰问困难职工12户。")
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

    # The office cannot accept it yet: the lead unit (牵头单位) gathers and passes it on first.
    admin.reload()
    expect(admin.get_by_role("button", name="通过", exact=True)).to_have_count(0)
    lead = new_page()
    log_in(lead, "lead-c01", "correct-horse-battery")
    lead.goto("/workplan/gather/?month=2020-06")
    lead.locator("tr", has_text="县总工会").get_by_role("button", name="审核通过").click()
    expect(lead.locator("tr", has_text="县总工会").locator(".status")).to_have_text("牵头单位已审核")

    admin.reload()
    admin.get_by_role("button", name="通过", exact=True).click()
    expect(admin.locator(".status")).to_have_text("已通过")
    finish(admin, "04-ledger-report-accepted")

    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    assert report.progress.endswith("发放慰问金6000元。")
    assert report.first_submitted_on == DEMO_TODAY  # the return kept the first submission date
    assert report.reviewed_by == User.objects.get(username="admin")
    assert not report.values.exists()  # 3.1.1's figures are derived from records, never typed
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
        "workplan.lead_pass_report",
        "workplan.accept_report",
    ]


def test_a_unit_reporter_records_a_work_team_visit(base, page, finish) -> None:
    partners_demo.seed_demo(base)
    cadres = list(Cadre.objects.filter(organisation__code="P01", is_active=True).order_by("id")[:2])
    visits_before = Visit.objects.count()

    log_in(page, "unit")
    page.goto("/partners/visits/new/")
    page.get_by_label("行政村").fill("然布村")  # picked by name (issue #17)
    page.get_by_label("走访日期").fill("2020-07-14")
    for cadre in cadres:
        page.get_by_label(cadre.name, exact=True).check()
    page.get_by_label("走访目的").fill("回头看：人饮工程与产业项目")
    page.get_by_label("开展工作").fill("查看人饮管网维修进度，召开村两委座谈会。")
    page.get_by_label("走访户数").fill("6")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("ul.messages")).to_contain_text("已登记工作组走访")
    expect(page.locator("main table").first).to_contain_text("回头看：人饮工程与产业项目")
    finish(page, "05-work-team-visit")

    assert Visit.objects.count() == visits_before + 1
    visit = Visit.objects.latest("id")
    assert (visit.organisation.code, visit.village.code, visit.date) == (
        "P01",
        "513325100202",
        date(2020, 7, 14),
    )
    assert visit.team_size == 2 and visit.households_visited == 6
    assert visit.created_by == User.objects.get(username="unit")


def request_row(page: Page) -> Locator:
    """The request's row in the project page's 拨付申请 table (the ledger table repeats the purpose)."""
    requests = page.locator("section.panel", has=page.get_by_role("heading", name="拨付申请"))
    return requests.locator("tbody tr", has_text="饲草料采购")


def test_a_disbursement_is_requested_then_approved_by_the_funding_and_the_recipient_side(
    base, new_page, finish
) -> None:
    projects_demo.seed_demo(base)
    project = Project.objects.get(code="DX-2020-001")  # east–west, funded by 顺德区 (E01), in 然布村
    balance_before = project.account.entries.aggregate(total=Sum("amount"))["total"]

    clerk = new_page()  # the recipient side asks: the township clerk of 雪岭镇
    log_in(clerk, "township")
    clerk.goto("/projects/DX-2020-001/disbursements/new/")
    clerk.get_by_label("金额（元）").fill("20000")
    clerk.get_by_label("收款单位/人").fill("然布村牦牛养殖合作社")
    clerk.get_by_label("用途").fill("饲草料采购")
    clerk.get_by_role("button", name="提交").click()
    expect(request_row(clerk)).to_contain_text("待审批")
    disbursement = Disbursement.objects.get(purpose="饲草料采购")

    funder = new_page()
    log_in(funder, "shunde")
    funder.goto("/projects/DX-2020-001/")
    request_row(funder).get_by_role("button", name="审批通过").click()
    expect(request_row(funder)).to_contain_text("资助方")
    disbursement.refresh_from_db()
    assert disbursement.status == DisbursementStatus.PENDING  # one side is not enough

    admin = new_page()
    log_in(admin, "admin")
    admin.goto("/projects/DX-2020-001/")
    request_row(admin).get_by_role("button", name="审批通过").click()
    expect(request_row(admin)).to_contain_text("已支付")
    finish(admin, "06-disbursement-paid")

    disbursement.refresh_from_db()
    assert disbursement.status == DisbursementStatus.PAID
    assert sorted(disbursement.approvals.values_list("side", "approver__username")) == [
        ("funder", "shunde"),
        ("recipient", "admin"),
    ]
    assert disbursement.entry is not None and disbursement.entry.amount == Decimal("-20000.00")
    balance_after = project.account.entries.aggregate(total=Sum("amount"))["total"]
    assert balance_after == balance_before - Decimal("20000.00")


def test_a_supporter_claims_a_household_need(registry, new_page, finish) -> None:
    network_demo.seed_demo(registry)
    visitor = new_page()
    visitor.goto("/network/needs/")  # public, no login
    first = visitor.locator("main table tbody tr", has_text="待认领").first
    title = first.get_by_role("link").inner_text()
    first.get_by_role("link").click()
    need = Need.objects.get(pk=int(visitor.url.rstrip("/").rsplit("/", 1)[-1]))
    assert need.title == title
    visitor.get_by_role("link", name="登录后认领").click()
    visitor.get_by_label("用户名").fill("supporter")
    visitor.get_by_label("密码").fill(demo_password())
    visitor.get_by_role("button", name="登录").click()
    visitor.get_by_role("button", name="认领此需求").click()
    expect(visitor.locator("ul.messages")).to_contain_text("认领成功")
    expect(visitor.locator("main")).to_contain_text(title)
    finish(visitor, "07-need-claimed")

    claim = Claim.objects.get(need=need)
    assert claim.supporter.user == User.objects.get(username="supporter")
    assert claim.status == ClaimStatus.ACTIVE
    need.refresh_from_db()
    assert need.status == NeedStatus.CLAIMED


def test_the_yulu_reconciliation_page_drops_a_missing_student_once_the_paid_list_is_recorded(
    registry, page, finish, tmp_path: Path
) -> None:
    subsidies_demo.seed_demo(registry)
    term = YuluTerm.objects.get(code="2020-spring")
    before = reconcile_yulu(term)
    assert before.missing
    student = Member.objects.filter(pk__in=before.missing).order_by("id").first()
    assert student is not None
    paid_list = tmp_path / "财政报账发放清单.csv"
    id_number = decrypt_text(student.id_number_encrypted, context=ID_CONTEXT)
    paid_list.write_text(f"证件号码,金额,发放日期\n{id_number},1500.00,2020-06-20\n", encoding="utf-8")

    log_in(page, "admin")
    page.goto("/subsidies/yulu/")
    page.locator("tr", has_text="2020-spring").get_by_role("link").click()
    missing = page.locator(".figure", has_text="漏发（应补未补）").locator("b")
    expect(missing).to_have_text(str(len(before.missing)))
    expect(page.locator("main")).to_contain_text(student.id_number_masked)
    page.locator("input[type=file][name=file]").set_input_files(paid_list)
    page.get_by_role("button", name="导入").click()
    expect(page.locator("ul.messages")).to_contain_text("已补录1条发放记录")
    expect(missing).to_have_text(str(len(before.missing) - 1))
    finish(page, "08-yulu-reconciliation")

    payment = YuluPayment.objects.get(term=term, member=student)
    assert payment.amount == Decimal("1500.00") and payment.paid_on == date(2020, 6, 20)
    after = reconcile_yulu(term)
    assert after.missing == before.missing - {student.pk}
    assert id_number not in page.content()


def test_the_public_disclosure_page_needs_no_login_and_matches_the_ledger(base, page, finish) -> None:
    projects_demo.seed_demo(base)
    charity_demo.seed_demo(base)
    campaign = Campaign.objects.get(code="513325-2019")
    page.goto("/disclosure/")
    assert "/accounts/login/" not in page.url
    page.get_by_role("link", name=campaign.name).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(campaign.name)
    figures = {
        label: page.locator(".figure", has_text=label).locator("b").inner_text()
        for label in ("资金捐赠（元）", "已使用（元）", "资金余额（元）")
    }
    expect(page.locator("main")).to_contain_text("已按期公示")
    finish(page, "09-public-disclosure")

    totals = funds.totals(campaign)
    entries = Entry.objects.filter(account__reference__startswith=funds.reference_prefix(campaign))
    ledger_balance = entries.aggregate(total=Sum("amount"))["total"]
    assert Decimal(figures["资金余额（元）"].replace(",", "")) == ledger_balance == totals["balance"]
    assert Decimal(figures["已使用（元）"].replace(",", "")) == totals["debit"]
    assert Decimal(figures["资金捐赠（元）"].replace(",", "")) == totals["credit"]
    # Goods apart from the money, with where they went; on a phone the page keeps to the screen
    # (its tables scroll in their own box).
    expect(page.locator("main")).to_contain_text("冬衣200套")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    page.goto("/disclosure/")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def test_switching_to_english_shows_english_text(base, page, finish) -> None:
    audit_before = AuditRecord.objects.count()
    log_in(page, "admin")
    expect(page.get_by_role("heading", level=1)).to_contain_text("工作概况")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Overview")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="中文")).to_be_visible()
    page.goto("/workplan/")  # the choice sticks across pages
    expect(page.locator("footer")).not_to_contain_text("扶贫日捐赠公示")
    finish(page, "10-english")
    # The choice lives in the browser's language cookie; nothing is written to the database.
    assert AuditRecord.objects.count() == audit_before
    assert User.objects.get(username="admin").last_login is not None


def test_the_top_bar_keeps_to_one_line_at_1280_px_in_chinese_and_english(base, page, finish) -> None:
    """The county admin has the most menu entries; at the journeys' 1280 px the brand, every menu
    entry, the language switch and the user's menu share one line, in both languages, and the
    menus still open."""
    audit_before = AuditRecord.objects.count()
    assert page.viewport_size is not None and page.viewport_size["width"] == 1280
    log_in(page, "admin")
    entries = page.locator(".topbar > .brand, .mainnav > a, .mainnav > .navgroup, .tools > *")
    for language, shot in (("zh-hans", "11-top-bar-zh"), ("en", "12-top-bar-en")):
        if language == "en":
            page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", language)
        boxes = entries.evaluate_all(
            "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.top, r.bottom]; })"
        )
        assert len(boxes) >= 12, boxes  # brand, home, areas, eight app menus, tools
        middles = [(top + bottom) / 2 for top, bottom in boxes]
        assert max(middles) - min(middles) <= 4, (language, boxes)
        bar = page.locator(".topbar").bounding_box()
        assert bar is not None and bar["height"] <= 60, (language, bar)
        organisations = page.locator("a[href='/partners/organisations/']")
        partners = page.locator(".mainnav .navgroup").filter(has=organisations)
        partners.hover()
        expect(partners.locator(".navmenu")).to_be_visible()
        page.locator(".usermenu").hover()
        role = "County administrator" if language == "en" else "县级管理员"
        expect(page.locator(".usermenu .navmenu")).to_contain_text(role)
        expect(page.locator(".usermenu form button")).to_be_visible()
        page.mouse.move(640, 600)  # menus closed for the screenshot
        expect(page.locator(".usermenu .navmenu")).to_be_hidden()
        finish(page, shot)
    assert AuditRecord.objects.count() == audit_before


def test_a_unit_reporter_submits_a_report_after_a_refusal_marked_at_its_field(
    ledger_reporter, page, finish
) -> None:
    """Issue #17: submitting with 工作进展 left empty keeps the page, marks the field and keeps what
    was typed elsewhere; filled in, the report is submitted. Task 3.4 asks for a typed figure (业务
    培训期数), so its report needs the progress text (where every figure is derived, it does not)."""
    create_user(
        actor=None,
        username="reporter-c20",
        password="correct-horse-battery",
        role=Role.UNIT_REPORTER,
        area=ledger_reporter.area,
        organisation=Organisation.objects.get(code="C20"),
        full_name="县经信局联络员",
    )
    report = LedgerReport.objects.get(task__code="3.4", organisation__code="C20", month=date(2020, 6, 1))
    log_in(page, "reporter-c20", "correct-horse-battery")
    page.goto(f"/workplan/reports/{report.pk}/")
    page.get_by_label("存在问题").fill("部分村组距离较远。")
    page.get_by_role("button", name="保存并提交").click()
    field = page.locator("label.invalid", has_text="工作进展")
    expect(field.locator(".field-error")).to_have_text("请填写工作进展后再提交。")
    expect(page.locator(".error-summary")).to_contain_text("工作进展")
    expect(page.get_by_label("存在问题")).to_have_value("部分村组距离较远。")
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.submitted_at is None
    page.get_by_label("工作进展").fill("组织民营企业参加万企帮万村业务培训1期。")
    page.get_by_role("button", name="保存并提交").click()
    expect(page.locator(".status")).to_have_text("已提交")
    finish(page, "17-report-fixed-and-submitted")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.problems == "部分村组距离较远。" and report.first_submitted_on == DEMO_TODAY


def test_an_admin_deciding_a_disbursement_is_told_at_the_field_what_is_missing(
    base, new_page, finish
) -> None:
    """Issue #17: the admin's 驳回 with a blank reason opens the request with 驳回原因 marked; with a
    reason it is rejected. A second request she approves (after the funder) is paid."""
    from bangfu.projects.services import approve_disbursement, request_disbursement

    projects_demo.seed_demo(base)
    project = Project.objects.get(code="DX-2020-001")
    clerk, shunde = User.objects.get(username="township"), User.objects.get(username="shunde")
    wrong = request_disbursement(
        actor=clerk, project=project, amount=Decimal("5000"), payee="然布村合作社", purpose="重复申请的饲料款"
    )
    right = request_disbursement(
        actor=clerk, project=project, amount=Decimal("20000"), payee="然布村合作社", purpose="饲草料采购"
    )
    approve_disbursement(actor=shunde, disbursement=right)
    admin = new_page()
    log_in(admin, "admin")
    admin.goto("/projects/disbursements/")
    row = admin.locator("tbody tr", has_text="重复申请的饲料款")
    row.get_by_label("驳回原因").fill("   ")  # only spaces: passes the browser, not the server
    row.get_by_role("button", name="驳回").click()
    expect(admin.get_by_role("heading", name="驳回拨付申请")).to_be_visible()
    field = admin.locator("label.invalid", has_text="驳回原因")
    expect(field.locator(".field-error")).to_have_text("驳回必须填写原因。")
    wrong.refresh_from_db()
    assert wrong.status == DisbursementStatus.PENDING
    field.get_by_role("textbox").fill("与5月申请重复")
    admin.get_by_role("button", name="驳回").click()
    admin.wait_for_url(lambda url: "/reject/" not in url)
    wrong.refresh_from_db()
    assert wrong.status == DisbursementStatus.REJECTED and wrong.reject_reason == "与5月申请重复"
    admin.goto("/projects/disbursements/")
    admin.locator("tbody tr", has_text="饲草料采购").get_by_role("button", name="审批通过").click()
    expect(admin.locator("tbody tr", has_text="饲草料采购")).to_have_count(0)  # paid: no longer pending
    finish(admin, "17-disbursement-decided")
    right.refresh_from_db()
    assert right.status == DisbursementStatus.PAID


def test_the_reporting_matrix_fits_a_phone_and_scrolls_in_its_own_box(ledger_reporter, page, finish) -> None:
    """Issue #17: at 390 px the page is no wider than the screen; the matrix scrolls inside its box
    with the unit column sticky; months after July are blank."""
    log_in(page, "admin")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/workplan/completeness/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = page.locator(".table-scroll", has=page.locator("table.matrix"))
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # the table scrolls inside its box
    first = page.locator("table.matrix tbody tr").first.locator("th")
    assert first.evaluate("c => getComputedStyle(c).position") == "sticky"
    expect(page.locator("table.matrix tbody tr").first.locator("td.future")).to_have_count(5)
    expect(page.locator(".legend-help")).to_contain_text("格内“4/5”")
    finish(page, "17-matrix-phone")
