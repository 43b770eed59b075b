"""Lead units (牵头单位) gather their responsible units' reports: a report of a responsible unit on a
task with a lead goes submitted → gathered (the lead passes it on) → accepted by the office; the
lead may return it with a reason. A lead unit's own report goes straight to the office."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from bangfu.accounts.models import User
from bangfu.audit.models import AuditRecord
from bangfu.lib.attention import items_for_user
from bangfu.workplan.models import LedgerReport, ReportComment, ReportStatus
from bangfu.workplan.permissions import can_accept_report as can_accept
from bangfu.workplan.permissions import can_lead_review
from bangfu.workplan.services import (
    accept_report,
    lead_pass_report,
    lead_pass_reports,
    lead_return_report,
    save_report,
    submit_report,
)

JUNE = date(2020, 6, 1)


@pytest.fixture
def today(settings):
    settings.BANGFU_TODAY = date(2020, 7, 3)
    return date(2020, 7, 3)


@pytest.fixture
def submitted(plan, finance_reporter, today) -> LedgerReport:
    """县财政局's June report on 3.5.5 (lead: 县扶贫开发局), submitted."""
    report = LedgerReport.objects.get(
        task__code="3.5.5", organisation=finance_reporter.organisation, month=JUNE
    )
    save_report(actor=finance_reporter, report=report, progress="春季学期资助资金已拨付")
    return submit_report(actor=finance_reporter, report=report)


def _reload(report: LedgerReport) -> LedgerReport:
    return LedgerReport.objects.get(pk=report.pk)


def _state(report: LedgerReport) -> tuple:
    r = _reload(report)
    return (r.status, r.lead_reviewed_at, r.lead_reviewed_by_id, r.reviewed_at, r.return_comment)


def test_the_office_cannot_accept_before_the_lead_has_passed_it_on(submitted, county_admin, lead_reporter):
    before = _state(submitted)
    assert not can_accept(county_admin, submitted)
    with pytest.raises(ValidationError, match="牵头单位"):
        accept_report(actor=county_admin, report=submitted)
    assert _state(submitted) == before
    lead_pass_report(actor=lead_reporter, report=submitted, note="数据已核对")
    report = _reload(submitted)
    assert report.status == ReportStatus.GATHERED
    assert report.lead_reviewed_by == lead_reporter and report.lead_note == "数据已核对"
    assert ReportComment.objects.filter(report=report, author=lead_reporter, text="数据已核对").exists()
    audit = AuditRecord.objects.filter(action="workplan.lead_pass_report").get()
    assert audit.county_code == "513325"
    assert can_accept(county_admin, report) and not can_lead_review(lead_reporter, report)
    accept_report(actor=county_admin, report=report)
    assert _reload(report).status == ReportStatus.ACCEPTED


def test_the_lead_returns_with_a_reason_and_the_resubmission_comes_back_to_it(
    submitted, finance_reporter, lead_reporter, county_admin
):
    before = _state(submitted)
    with pytest.raises(ValidationError):
        lead_return_report(actor=lead_reporter, report=submitted, comment="  ")
    assert _state(submitted) == before
    lead_return_report(actor=lead_reporter, report=submitted, comment="请补充拨付人数")
    report = _reload(submitted)
    assert report.status == ReportStatus.RETURNED and report.return_comment == "请补充拨付人数"
    assert ReportComment.objects.filter(report=report, author=lead_reporter).count() == 1
    save_report(actor=finance_reporter, report=report, progress="已拨付 120 人")
    submit_report(actor=finance_reporter, report=report)
    report = _reload(report)
    assert report.status == ReportStatus.RESUBMITTED
    assert can_lead_review(lead_reporter, report) and not can_accept(county_admin, report)


def test_only_a_lead_unit_of_the_task_reviews(submitted, finance_reporter, unit_reporter, county_admin):
    before = _state(submitted)
    for actor in (finance_reporter, unit_reporter):  # the unit itself; a unit leading nothing here
        assert not can_lead_review(actor, submitted)
        with pytest.raises(PermissionDenied):
            lead_pass_report(actor=actor, report=submitted)
        with pytest.raises(PermissionDenied):
            lead_return_report(actor=actor, report=submitted, comment="不行")
    with pytest.raises(PermissionDenied):
        lead_pass_report(actor=county_admin, report=submitted)
    assert _state(submitted) == before


def test_the_lead_cannot_pass_a_report_twice_or_one_not_submitted(
    plan, submitted, lead_reporter, finance_reporter
):
    lead_pass_report(actor=lead_reporter, report=submitted)
    before = _state(submitted)
    with pytest.raises(ValidationError):
        lead_pass_report(actor=lead_reporter, report=submitted)
    assert _state(submitted) == before
    may = LedgerReport.objects.get(
        task__code="3.5.5", organisation=finance_reporter.organisation, month=date(2020, 5, 1)
    )
    with pytest.raises(ValidationError):
        lead_pass_report(actor=lead_reporter, report=may)
    assert _reload(may).status == ReportStatus.DRAFT


def test_a_lead_units_own_report_goes_straight_to_the_office(plan, today, lead_reporter, county_admin):
    """3.5.3 is led by 县扶贫开发局, which is also one of its responsible units (全县各单位)."""
    own = LedgerReport.objects.get(task__code="3.5.3", organisation=lead_reporter.organisation, month=JUNE)
    save_report(actor=lead_reporter, report=own, progress="推广中国社会扶贫网")
    submit_report(actor=lead_reporter, report=own)
    assert not can_lead_review(lead_reporter, _reload(own))
    with pytest.raises(ValidationError):
        lead_pass_report(actor=lead_reporter, report=_reload(own))
    accept_report(actor=county_admin, report=_reload(own))
    assert _reload(own).status == ReportStatus.ACCEPTED


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_buttons_show_exactly_when_the_service_allows(
    submitted, lead_reporter, county_admin, finance_reporter
):
    url = f"/workplan/reports/{submitted.pk}/"
    pass_url = f"/workplan/reports/{submitted.pk}/pass/"
    accept_url = f"/workplan/reports/{submitted.pk}/accept/"
    lead_page = _client(lead_reporter).get(url)
    assert lead_page.status_code == 200
    assert pass_url in lead_page.content.decode()
    admin_page = _client(county_admin).get(url).content.decode()
    assert accept_url not in admin_page and "待牵头单位审核" in admin_page
    assert pass_url not in _client(finance_reporter).get(url).content.decode()
    # The office's accept through the page is refused too, and changes nothing.
    _client(county_admin).post(accept_url)
    assert _reload(submitted).status == ReportStatus.SUBMITTED
    # The lead passes it on through the page; now the office sees "accept", the lead no longer "pass".
    assert _client(lead_reporter).post(pass_url, {"note": ""}).status_code == 302
    assert _reload(submitted).status == ReportStatus.GATHERED
    assert pass_url not in _client(lead_reporter).get(url).content.decode()
    assert accept_url in _client(county_admin).get(url).content.decode()


def test_the_lead_page_lists_its_units_reports_and_the_attention_list_names_them(
    submitted, lead_reporter, county_admin, today
):
    page = _client(lead_reporter).get("/workplan/gather/?month=2020-06")
    assert page.status_code == 200
    rows = page.context["reports"]
    assert submitted.pk in {r.pk for r in rows}
    assert lead_reporter.organisation_id not in {r.organisation_id for r in rows}
    assert page.context["to_review"] == 1
    items = [i for i in items_for_user(lead_reporter, today) if i.kind == "workplan.reports_to_gather"]
    assert [i.count for i in items] == [1]
    assert "1份报告待牵头单位（县扶贫开发局）审核" in items[0].title
    assert _client(lead_reporter).get(items[0].url).status_code == 200
    # The office's review item does not count it until the lead has passed it on.
    office = [i for i in items_for_user(county_admin, today) if i.kind == "workplan.reports_to_review"]
    assert sum(i.count for i in office) == 0
    lead_pass_report(actor=lead_reporter, report=submitted)
    office = [i for i in items_for_user(county_admin, today) if i.kind == "workplan.reports_to_review"]
    assert sum(i.count for i in office) == 1
    assert not [i for i in items_for_user(lead_reporter, today) if i.kind == "workplan.reports_to_gather"]


def test_another_unit_is_refused_the_lead_page_rows(submitted, unit_reporter):
    page = _client(unit_reporter).get("/workplan/gather/?month=2020-06")
    assert page.status_code == 200 and list(page.context["reports"]) == []
    assert _client(unit_reporter).get(f"/workplan/reports/{submitted.pk}/").status_code == 404


def test_the_lead_passes_several_reports_at_once_all_or_nothing(
    plan, submitted, finance_reporter, lead_reporter, unit_reporter
):
    may = LedgerReport.objects.get(
        task__code="3.5.5", organisation=finance_reporter.organisation, month=date(2020, 5, 1)
    )
    april = LedgerReport.objects.get(
        task__code="3.5.5", organisation=finance_reporter.organisation, month=date(2020, 4, 1)
    )
    save_report(actor=finance_reporter, report=may, progress="五月进展")
    submit_report(actor=finance_reporter, report=may)
    lot = [_reload(submitted), _reload(may), april]  # April is still a draft: the lot is refused
    before = [_state(r) for r in lot]
    with pytest.raises(ValidationError):
        lead_pass_reports(actor=lead_reporter, reports=lot)
    with pytest.raises(PermissionDenied):
        lead_pass_reports(actor=unit_reporter, reports=lot[:2])
    assert [_state(r) for r in lot] == before
    # Through the gather page: tick both, one click.
    response = _client(lead_reporter).post("/workplan/gather/pass/", {"report": [submitted.pk, may.pk]})
    assert response.status_code == 302
    assert {_reload(r).status for r in (submitted, may)} == {ReportStatus.GATHERED}
    assert _reload(may).lead_reviewed_by == lead_reporter
    assert AuditRecord.objects.filter(action="workplan.lead_pass_reports").count() == 1
