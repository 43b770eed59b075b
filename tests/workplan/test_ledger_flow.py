from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.accounts.models import User
from bangfu.workplan.models import LedgerReport, Notification, ReportComment, ReportStatus
from bangfu.workplan.selectors import (
    LATE,
    MISSING,
    ON_TIME,
    PENDING,
    RETURNED,
    cell_state,
    completeness,
    due_date,
)
from bangfu.workplan.services import (
    accept_report,
    bulk_accept_reports,
    comment_report,
    lead_pass_report,
    return_report,
    save_report,
    send_reminders,
    submit_report,
    update_settings,
)


@pytest.fixture
def inspector(demo) -> User:
    return User.objects.get(username="inspector")


@pytest.fixture
def report(plan, finance_reporter) -> LedgerReport:
    return LedgerReport.objects.get(
        task__code="3.5.5", organisation=finance_reporter.organisation, month=date(2020, 6, 1)
    )


def _reload(report: LedgerReport) -> LedgerReport:
    return LedgerReport.objects.get(pk=report.pk)


def test_it_walks_draft_submitted_returned_resubmitted_gathered_accepted(
    settings, report, finance_reporter, county_admin, inspector, lead_reporter
):
    settings.BANGFU_TODAY = date(2020, 7, 3)
    save_report(actor=finance_reporter, report=report, progress="春季学期资助已拨付")
    submit_report(actor=finance_reporter, report=report)
    assert _reload(report).status == ReportStatus.SUBMITTED
    assert _reload(report).first_submitted_on == date(2020, 7, 3)
    return_report(actor=inspector, report=report, comment="请补充资助人数")
    assert _reload(report).status == ReportStatus.RETURNED
    settings.BANGFU_TODAY = date(2020, 7, 9)
    save_report(actor=finance_reporter, report=report, progress="春季学期资助已拨付 120 人")
    submit_report(actor=finance_reporter, report=report)
    report = _reload(report)
    assert report.status == ReportStatus.RESUBMITTED
    # Lateness follows the first submission: a return does not make an on-time report late.
    assert report.first_submitted_on == date(2020, 7, 3)
    # 3.5.5 has a lead unit (县扶贫开发局): it gathers and passes the report on before the office.
    lead_pass_report(actor=lead_reporter, report=report)
    assert _reload(report).status == ReportStatus.GATHERED
    accept_report(actor=county_admin, report=report)
    assert _reload(report).status == ReportStatus.ACCEPTED


def test_a_reporter_cannot_accept(settings, report, finance_reporter):
    settings.BANGFU_TODAY = date(2020, 7, 3)
    save_report(actor=finance_reporter, report=report, progress="进展")
    submit_report(actor=finance_reporter, report=report)
    with pytest.raises(PermissionDenied):
        accept_report(actor=finance_reporter, report=report)
    assert _reload(report).status == ReportStatus.SUBMITTED


def test_nobody_edits_after_acceptance(settings, report, finance_reporter, county_admin, lead_reporter):
    settings.BANGFU_TODAY = date(2020, 7, 3)
    save_report(actor=finance_reporter, report=report, progress="进展")
    submit_report(actor=finance_reporter, report=report)
    lead_pass_report(actor=lead_reporter, report=report)
    accept_report(actor=county_admin, report=report)
    with pytest.raises(ValidationError):
        save_report(actor=finance_reporter, report=_reload(report), progress="改动")
    with pytest.raises(ValidationError):
        submit_report(actor=finance_reporter, report=_reload(report))
    assert _reload(report).progress == "进展"


def test_a_return_needs_a_comment(settings, report, finance_reporter, county_admin):
    settings.BANGFU_TODAY = date(2020, 7, 3)
    save_report(actor=finance_reporter, report=report, progress="进展")
    submit_report(actor=finance_reporter, report=report)
    with pytest.raises(ValidationError):
        return_report(actor=county_admin, report=report, comment="  ")
    assert _reload(report).status == ReportStatus.SUBMITTED
    assert not ReportComment.objects.exists()


def test_the_inspector_comments_and_returns_but_cannot_accept_or_fill(
    settings, report, finance_reporter, inspector
):
    settings.BANGFU_TODAY = date(2020, 7, 3)
    save_report(actor=finance_reporter, report=report, progress="进展")
    submit_report(actor=finance_reporter, report=report)
    comment_report(actor=inspector, report=report, text="已阅")
    with pytest.raises(PermissionDenied):
        accept_report(actor=inspector, report=report)
    with pytest.raises(PermissionDenied):
        save_report(actor=inspector, report=report, progress="督导改写")
    assert _reload(report).status == ReportStatus.SUBMITTED
    assert _reload(report).progress == "进展"


def test_another_unit_cannot_submit(settings, report, unit_reporter):
    settings.BANGFU_TODAY = date(2020, 7, 3)
    with pytest.raises(PermissionDenied):
        submit_report(actor=unit_reporter, report=report)
    assert _reload(report).status == ReportStatus.DRAFT


def test_where_every_figure_is_derived_the_unit_only_confirms(settings, report, finance_reporter):
    """3.5.5's figures all come from the records: submitting needs no text (tests/workplan/
    test_owners_and_typed.py: a task with typed figures still needs its progress)."""
    settings.BANGFU_TODAY = date(2020, 7, 3)
    submit_report(actor=finance_reporter, report=report)
    assert _reload(report).status == ReportStatus.SUBMITTED


def test_bulk_accept_is_all_or_nothing(settings, plan, report, finance_reporter, county_admin, lead_reporter):
    settings.BANGFU_TODAY = date(2020, 7, 3)
    may = LedgerReport.objects.get(
        task__code="3.5.5", organisation=finance_reporter.organisation, month=date(2020, 5, 1)
    )
    for r in (report, may):
        save_report(actor=finance_reporter, report=r, progress="进展")
        submit_report(actor=finance_reporter, report=r)
    april = LedgerReport.objects.get(
        task__code="3.5.5", organisation=finance_reporter.organisation, month=date(2020, 4, 1)
    )
    # Not yet passed on by the lead unit: refused, nothing changed.
    with pytest.raises(ValidationError, match="牵头单位"):
        bulk_accept_reports(actor=county_admin, reports=[_reload(report), _reload(may)])
    assert set(LedgerReport.objects.filter(pk__in=[report.pk, may.pk]).values_list("status", flat=True)) == {
        "submitted"
    }
    for r in (report, may):
        lead_pass_report(actor=lead_reporter, report=_reload(r))
    with pytest.raises(ValidationError):
        bulk_accept_reports(actor=county_admin, reports=[_reload(report), _reload(may), april])
    assert set(LedgerReport.objects.filter(pk__in=[report.pk, may.pk]).values_list("status", flat=True)) == {
        "gathered"
    }
    assert bulk_accept_reports(actor=county_admin, reports=[_reload(report), _reload(may)]) == 2
    assert set(LedgerReport.objects.filter(pk__in=[report.pk, may.pk]).values_list("status", flat=True)) == {
        "accepted"
    }


@pytest.mark.parametrize(
    ("submitted", "today", "expected"),
    [
        (date(2020, 7, 5), date(2020, 7, 20), ON_TIME),  # on the due day itself
        (date(2020, 7, 6), date(2020, 7, 20), LATE),  # one day after
        (None, date(2020, 7, 5), PENDING),  # not due yet
        (None, date(2020, 7, 6), MISSING),  # the day after the due day
    ],
)
def test_it_derives_lateness_at_the_month_end(submitted, today, expected):
    due = due_date(date(2020, 6, 1), 5)
    assert due == date(2020, 7, 5)
    status = ReportStatus.SUBMITTED if submitted else ReportStatus.DRAFT
    assert cell_state(status, submitted, due, today) == expected


def test_december_is_due_in_january_and_returned_shows_as_returned():
    assert due_date(date(2020, 12, 1), 5) == date(2021, 1, 5)
    assert cell_state(ReportStatus.RETURNED, date(2020, 7, 1), date(2020, 7, 5), date(2020, 7, 9)) == RETURNED


def test_the_due_day_is_a_county_setting(settings, plan, report, finance_reporter, county_admin, county):
    settings.BANGFU_TODAY = date(2020, 7, 8)
    save_report(actor=finance_reporter, report=report, progress="进展")
    submit_report(actor=finance_reporter, report=report)
    matrix = completeness(plan, task_id=report.task_id, organisation_id=finance_reporter.organisation_id)
    assert matrix.rows[0][1][5].state == LATE
    update_settings(
        actor=county_admin,
        county=county,
        due_day=10,
        weight_timeliness=40,
        weight_milestones=30,
        weight_indicators=30,
        email_reminders=False,
    )
    matrix = completeness(plan, task_id=report.task_id, organisation_id=finance_reporter.organisation_id)
    assert matrix.rows[0][1][5].state == ON_TIME


def test_reminders_are_sent_once(settings, plan, county, report, finance_reporter):
    settings.BANGFU_TODAY = date(2020, 7, 2)
    first = send_reminders(actor=None, county=county)
    # The finance bureau has one slot in June (3.5.5) and also 3.5.3/3.5.4 as a county unit.
    june_slots = LedgerReport.objects.filter(
        organisation=finance_reporter.organisation, month=date(2020, 6, 1)
    ).count()
    # Per report (key "reminder:…"); the attention list's other items come as "attention:…".
    reminders = Notification.objects.filter(user=finance_reporter, key__startswith="reminder:")
    assert reminders.count() == june_slots
    assert first >= june_slots
    assert send_reminders(actor=None, county=county) == 0
    settings.BANGFU_TODAY = date(2020, 7, 3)
    assert send_reminders(actor=None, county=county) == 0
    assert reminders.count() == june_slots


def test_a_submitted_report_gets_no_reminder(settings, plan, county, report, finance_reporter):
    settings.BANGFU_TODAY = date(2020, 7, 2)
    save_report(actor=finance_reporter, report=report, progress="进展")
    submit_report(actor=finance_reporter, report=report)
    send_reminders(actor=None, county=county)
    assert Notification.objects.filter(user=finance_reporter).exists()
    assert not Notification.objects.filter(url=f"/workplan/reports/{report.pk}/").exists()


def test_reminders_go_by_email_only_when_the_county_says_so(
    settings, plan, county, finance_reporter, county_admin, mailoutbox, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=finance_reporter.pk).update(email="finance@example.invalid")
    settings.BANGFU_TODAY = date(2020, 7, 2)
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(actor=None, county=county)
    assert mailoutbox == []
    update_settings(
        actor=county_admin,
        county=county,
        due_day=5,
        weight_timeliness=40,
        weight_milestones=30,
        weight_indicators=30,
        email_reminders=True,
    )
    settings.BANGFU_TODAY = date(2020, 8, 2)
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_reminders(actor=None, county=county)
    assert sent > 0
    assert {m.to[0] for m in mailoutbox} == {"finance@example.invalid"}


def test_reminders_read_the_attention_list_once_per_user_and_problem(settings, plan, county, county_admin):
    """An overdue milestone is on the attention list: the county admin hears of it once."""
    settings.BANGFU_TODAY = date(2020, 7, 2)
    send_reminders(actor=None, county=county)
    notes = Notification.objects.filter(user=county_admin, key__startswith="attention:")
    overdue = [n for n in notes if "已过完成时限" in n.text]
    assert overdue and all(n.url.startswith("/workplan/#task-") for n in overdue)
    count = notes.count()
    assert send_reminders(actor=None, county=county) == 0
    assert notes.count() == count
