"""The completeness matrix is cached per process under a stamp of the plan's ledger
(selectors.ledger_stamp): every kind of write must show on the next request, on the page and the
API, and the cache must never show one county's ledger to another."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bangfu.accounts.models import Role, User
from bangfu.accounts.services import create_user
from bangfu.areas.models import Area
from bangfu.areas.services import load_areas_csv
from bangfu.partners.models import Organisation
from bangfu.partners.services import upsert_organisation
from bangfu.workplan.models import LedgerReport, Plan, ReportStatus, Section, Task
from bangfu.workplan.permissions import needs_lead_review
from bangfu.workplan.selectors import ledger_stamp
from bangfu.workplan.services import (
    accept_report,
    bulk_accept_reports,
    lead_pass_report,
    open_slots,
    return_report,
    save_report,
    submit_report,
    update_settings,
    update_task,
)
from tests.conftest import PASSWORD

JUNE = date(2020, 6, 1)
PAGE = "/workplan/completeness/"
API = "/api/v1/workplan/completeness?month=2020-06"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _matrix(client: Client, query: str = "") -> str:
    """The legend and the table of the page: what the cache holds."""
    response = client.get(PAGE + query)
    assert response.status_code == 200
    html = response.content.decode()
    legend = re.search(r'<p class="legend">.*?</p>', html, re.S)
    table = re.search(r'<table class="grid matrix">.*?</table>', html, re.S)
    assert legend and table
    return legend.group(0) + table.group(0)


def _cell(client: Client, org: Organisation, month: date, query: str = "") -> str:
    """'state done/total' of one unit's month, or '' for an empty cell."""
    html = _matrix(client, query)
    found = re.search(
        rf'<td class="cell cell-(\w*)"><a href="/workplan/reports/\?organisation={org.pk}'
        rf'&amp;month={month:%Y-%m}[^"]*">(\d+)/(\d+)</a></td>',
        html,
    )
    return f"{found.group(1)} {found.group(2)}/{found.group(3)}" if found else ""


def _api_row(client: Client, org: Organisation) -> dict[str, int]:
    response = client.get(API)
    assert response.status_code == 200
    rows = [r for r in response.json()["rows"] if r["organisation_code"] == org.code]
    return (
        {k: v for k, v in rows[0].items() if k not in ("organisation", "organisation_code")} if rows else {}
    )


def _fresh(client: Client, query: str = "") -> str:
    cache.clear()
    return _matrix(client, query)


@pytest.fixture
def finance(demo) -> Organisation:
    return Organisation.objects.get(name="县财政局")


@pytest.fixture
def report(plan, finance) -> LedgerReport:
    return LedgerReport.objects.get(task__code="3.5.5", organisation=finance, month=JUNE)


def _reload(report: LedgerReport) -> LedgerReport:
    return LedgerReport.objects.get(pk=report.pk)


def test_a_second_view_is_served_from_the_cache(settings, plan, county_admin):
    settings.BANGFU_TODAY = date(2020, 7, 3)
    client = _client(county_admin)
    first = _matrix(client)
    with CaptureQueriesContext(connection) as queries:
        assert _matrix(client) == first
        assert client.get(API).status_code == 200
    grouped = [q["sql"] for q in queries.captured_queries if "CASE WHEN" in q["sql"]]
    assert grouped == []  # neither the page nor the API (a column of the matrix) recounted


def test_every_kind_of_write_shows_on_the_next_view_of_page_and_api(
    settings, plan, county_admin, finance_reporter, finance, report, lead_reporter
):
    settings.BANGFU_TODAY = date(2020, 7, 3)  # June's reports are due on 5 July
    admin = _client(county_admin)
    one_task = f"?task={report.task_id}"

    def check(expected_cell: str, expected_api: dict[str, int]) -> None:
        """The cached views show the new state, and are what a cold cache computes."""
        assert _cell(admin, finance, JUNE, one_task) == expected_cell
        assert {k: v for k, v in _api_row(admin, finance).items() if v} == expected_api
        cached = (_matrix(admin), _matrix(admin, one_task))
        assert cached == (_fresh(admin), _fresh(admin, one_task))
        _matrix(admin), _matrix(admin, one_task)  # warm again for the next write

    june_reports = LedgerReport.objects.filter(organisation=finance, month=JUNE).count()
    check("pending 0/1", {"pending": june_reports})

    save_report(actor=finance_reporter, report=report, progress="资助资金已拨付")
    submit_report(actor=finance_reporter, report=_reload(report))
    check("on_time 1/1", {"on_time": 1, "pending": june_reports - 1})

    return_report(actor=county_admin, report=_reload(report), comment="请补充人数")
    check("returned 0/1", {"returned": 1, "pending": june_reports - 1})

    save_report(actor=finance_reporter, report=_reload(report), progress="资助资金已拨付,120 人")
    submit_report(actor=finance_reporter, report=_reload(report))
    check("on_time 1/1", {"on_time": 1, "pending": june_reports - 1})

    # 3.5.5's lead unit (县扶贫开发局) passes it on before the office accepts.
    lead_pass_report(actor=lead_reporter, report=_reload(report))
    check("on_time 1/1", {"on_time": 1, "pending": june_reports - 1})

    accept_report(actor=county_admin, report=_reload(report))
    assert _reload(report).status == ReportStatus.ACCEPTED
    check("on_time 1/1", {"on_time": 1, "pending": june_reports - 1})

    # A new day, nothing written: lateness is derived from today, past the due day now.
    settings.BANGFU_TODAY = date(2020, 7, 6)
    check("on_time 1/1", {"on_time": 1, "missing": june_reports - 1})

    # The county moves the due day before the first submission (3 July): late, not on time.
    update_settings(
        actor=county_admin,
        county=plan.county,
        due_day=1,
        weight_timeliness=40,
        weight_milestones=30,
        weight_indicators=30,
        email_reminders=False,
    )
    check("late 1/1", {"late": 1, "missing": june_reports - 1})

    # Bulk acceptance (one UPDATE) of another of the unit's June reports.
    other = LedgerReport.objects.filter(organisation=finance, month=JUNE).exclude(pk=report.pk).first()
    assert other is not None
    save_report(actor=finance_reporter, report=other, progress="按计划推进")
    submit_report(actor=finance_reporter, report=_reload(other))
    check("late 1/1", {"late": 2, "missing": june_reports - 2})
    if needs_lead_review(other):
        lead_pass_report(actor=lead_reporter, report=_reload(other))
    assert bulk_accept_reports(actor=county_admin, reports=[_reload(other)]) == 1
    check("late 1/1", {"late": 2, "missing": june_reports - 2})


def test_a_new_responsible_unit_and_a_renamed_unit_show_at_once(settings, plan, county_admin, report):
    settings.BANGFU_TODAY = date(2020, 7, 3)
    admin = _client(county_admin)
    task = report.task
    newcomer = (
        Organisation.objects.filter(county=plan.county, admin_level="county")
        .exclude(pk__in=LedgerReport.objects.values("organisation_id"))
        .first()
    )
    assert newcomer is not None
    assert f"<th>{newcomer.name}</th>" not in _matrix(admin)
    update_task(
        actor=county_admin,
        task=task,
        title=task.title,
        description=task.description,
        schedule_text=task.schedule_text,
        lead_units=list(task.lead_units.all()),
        responsible_units=[*task.responsible_units.all(), newcomer],
    )
    assert _cell(admin, newcomer, JUNE) == "pending 0/1"
    assert _cell(admin, newcomer, JUNE, f"?task={task.pk}") == "pending 0/1"
    assert _api_row(admin, newcomer) == {"on_time": 0, "late": 0, "missing": 0, "returned": 0, "pending": 1}
    # Names are read fresh, not cached with the counts.
    upsert_organisation(
        actor=county_admin,
        county=plan.county,
        code=newcomer.code,
        name="新名称单位",
        org_type=newcomer.org_type,
        admin_level=newcomer.admin_level,
        area=newcomer.area,
    )
    assert "新名称单位" in _matrix(admin)
    assert "新名称单位" in {r["organisation"] for r in admin.get(API).json()["rows"]}


# --- scope ----------------------------------------------------------------------------------------
@pytest.fixture
def other_county_admin(demo) -> User:
    """A neighbouring county with its own unit, plan and ledger, and its county admin."""
    load_areas_csv(
        actor=None,
        data=b"code,name,level,parent_code,registered_poor\n"
        b"513326000000,Other county,county,513300000000,0\n",
    )
    county = Area.objects.get(code="513326000000")
    unit = Organisation.objects.create(
        county=county, code="X1", name="外县单位", org_type="other", admin_level="county"
    )
    plan = Plan.objects.create(county=county, year=2020, title="外县方案")
    section = Section.objects.create(plan=plan, kind="key_work", code="1", title="重点工作")
    task = Task.objects.create(plan=plan, section=section, code="1.1", title="外县任务")
    task.responsible_units.set([unit])
    open_slots(plan=plan)
    return create_user(actor=None, username="admin-x", password=PASSWORD, role=Role.COUNTY_ADMIN, area=county)


def test_the_cache_never_shows_a_county_the_ledger_of_another(
    settings, plan, county_admin, other_county_admin, finance
):
    settings.BANGFU_TODAY = date(2020, 7, 3)
    foreign = Organisation.objects.get(code="X1")
    ours, theirs = _client(county_admin), _client(other_county_admin)
    before = {"ours": _fresh(ours), "theirs": _fresh(theirs)}
    assert "外县单位" not in before["ours"] and "县财政局" in before["ours"]
    assert "外县单位" in before["theirs"] and "县财政局" not in before["theirs"]
    # Both served warm, in either order, give what each county saw before caching.
    for _round in range(2):
        assert _matrix(theirs) == before["theirs"]
        assert _matrix(ours) == before["ours"]
    # Filtering on a unit of the other county shows nothing of it.
    assert "外县单位" not in _matrix(ours, f"?organisation={foreign.pk}")
    assert "县财政局" not in _matrix(theirs, f"?organisation={finance.pk}")
    assert {r["organisation_code"] for r in theirs.get(API).json()["rows"]} == {"X1"}
    assert "X1" not in {r["organisation_code"] for r in ours.get(API).json()["rows"]}


def test_oversight_roles_share_the_matrix_and_others_are_refused(settings, plan, county_admin):
    settings.BANGFU_TODAY = date(2020, 7, 3)
    admin_view = _fresh(_client(county_admin))
    inspector = _client(User.objects.get(username="inspector"))
    assert _matrix(inspector) == admin_view == _fresh(inspector)
    for username in ("township", "unit", "village", "supporter"):
        client = _client(User.objects.get(username=username))
        assert client.get(PAGE).status_code == 403, username
        assert client.get(API).status_code == 403, username


def test_the_stamp_moves_with_each_write_the_matrix_shows(
    settings, plan, county_admin, finance_reporter, report
):
    """The stamp itself: a cache key that did not move would serve the matrix stale."""
    settings.BANGFU_TODAY = date(2020, 7, 3)
    seen = [ledger_stamp(plan)]
    save_report(actor=finance_reporter, report=report, progress="进展")
    submit_report(actor=finance_reporter, report=_reload(report))
    seen.append(ledger_stamp(plan))
    return_report(actor=county_admin, report=_reload(report), comment="请补充")
    seen.append(ledger_stamp(plan))
    submit_report(actor=finance_reporter, report=_reload(report))
    seen.append(ledger_stamp(plan))
    assert len(set(seen)) == len(seen)
    assert {s[0] for s in seen} == {seen[0][0]}  # no slot added or lost
    assert [s[2] for s in seen] == [0, 0, 1, 0]  # returned
    assert [s[3] for s in seen] == [0, 1, 1, 1]  # first submitted


def test_a_bulk_acceptance_stamps_the_real_change_time(
    settings, plan, county_admin, finance_reporter, report, lead_reporter
):
    """`update()` skips auto_now: updated_at is set by hand, to the time of the write (what the
    stamp's newest change reads), while the review date follows the office's date."""
    settings.BANGFU_TODAY = date(2020, 7, 3)
    save_report(actor=finance_reporter, report=report, progress="进展")
    submit_report(actor=finance_reporter, report=_reload(report))
    lead_pass_report(actor=lead_reporter, report=_reload(report))
    before = timezone.now()
    assert bulk_accept_reports(actor=county_admin, reports=[_reload(report)]) == 1
    accepted = _reload(report)
    assert accepted.status == ReportStatus.ACCEPTED
    assert accepted.updated_at >= before
    assert ledger_stamp(plan)[1] == accepted.updated_at
    assert timezone.localdate(accepted.reviewed_at) == date(2020, 7, 3)
