"""A button is shown exactly when its POST would succeed (issue #17): for each demo role and each
state of a ledger report, the report page's 保存并提交 / 牵头单位审核通过 / 退回责任单位 / 通过 / 退回 /
发表意见 / 经验做法 buttons match what the POST does (workplan.permissions, asked by both the page
and the services)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.db import transaction
from django.test import Client

from bangfu.accounts.models import User
from bangfu.workplan.models import LedgerReport, ReportComment, ReportStatus
from bangfu.workplan.services import (
    accept_report,
    flag_good_practice,
    lead_pass_report,
    return_report,
    save_report,
    submit_report,
)

pytestmark = pytest.mark.django_db

TODAY = date(2020, 7, 15)
ROLES = ("admin", "township", "village", "unit", "inspector", "supporter", "finance", "fupin-lead")


def _state(report: LedgerReport) -> tuple[object, ...]:
    r = LedgerReport.objects.get(pk=report.pk)
    return (r.status, r.good_practice, ReportComment.objects.filter(report=r).count())


def _buttons(client: Client, report: LedgerReport) -> dict[str, bool]:
    response = client.get(f"/workplan/reports/{report.pk}/")
    html = response.content.decode() if response.status_code == 200 else ""
    base = f'action="/workplan/reports/{report.pk}/'
    return {
        "submit": 'name="submit"' in html,
        "pass": f'{base}pass/"' in html,
        "lead-return": f'{base}lead-return/"' in html,
        "accept": f'{base}accept/"' in html,
        "return": f'{base}return/"' in html,
        "comment": f'{base}comment/"' in html,
        "flag": f'{base}flag/"' in html,
    }


def _post(client: Client, report: LedgerReport, action: str) -> None:
    if action == "submit":
        client.post(f"/workplan/reports/{report.pk}/", {"progress": "已完成本月任务", "submit": "1"})
        return
    flag = "0" if LedgerReport.objects.get(pk=report.pk).good_practice else "1"
    body = {"comment": "请补充数据", "text": "请补充数据", "flag": flag}
    client.post(f"/workplan/reports/{report.pk}/{action}/", body)


def _works(client: Client, report: LedgerReport, action: str) -> bool:
    """POST the action in a savepoint rolled back afterwards: did it change the report?"""
    before = _state(report)
    with transaction.atomic():
        point = transaction.savepoint()
        _post(client, report, action)
        after = _state(report)
        transaction.savepoint_rollback(point)
    return after != before


def test_report_buttons_match_what_the_post_would_do_for_every_role(
    settings, plan, finance_reporter, lead_reporter, county_admin
) -> None:
    settings.BANGFU_TODAY = TODAY
    org = finance_reporter.organisation

    def slot(month: int, task: str = "3.5.5") -> LedgerReport:
        return LedgerReport.objects.get(task__code=task, organisation=org, month=date(2020, month, 1))

    def submitted(month: int) -> LedgerReport:
        r = slot(month)
        save_report(actor=finance_reporter, report=r, progress="已推进")
        return submit_report(actor=finance_reporter, report=r)

    def gathered(month: int) -> LedgerReport:  # passed on by the lead unit (县扶贫开发局)
        return lead_pass_report(actor=lead_reporter, report=submitted(month))

    draft, future = slot(6), slot(9)
    waiting = submitted(5)
    with_office = gathered(1)
    returned = return_report(actor=county_admin, report=submitted(4), comment="请补充")
    accepted = accept_report(actor=county_admin, report=gathered(3))
    flagged = flag_good_practice(
        actor=county_admin, report=accept_report(actor=county_admin, report=gathered(2)), flag=True
    )
    reports = {
        "draft": draft,
        "future": future,
        "waiting": waiting,
        "gathered": with_office,
        "returned": returned,
        "accepted": accepted,
        "flagged": flagged,
    }
    seen: set[tuple[str, bool]] = set()
    for username in ROLES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        for name, report in reports.items():
            shown = _buttons(client, report)
            for action, on_page in shown.items():
                works = _works(client, report, action)
                assert on_page == works, (username, name, action, on_page, works)
                seen.add((action, works))
    actions = ("submit", "pass", "lead-return", "accept", "return", "comment", "flag")
    assert seen == {(a, w) for a in actions for w in (True, False)}
    # what a user relies on, spelt out
    check: Callable[[str, LedgerReport], dict[str, bool]] = lambda u, r: _buttons(_client(u), r)  # noqa: E731
    assert check("finance", draft)["submit"] and check("finance", returned)["submit"]
    assert not check("finance", future)["submit"]  # a month not yet begun
    assert not check("unit", draft)["submit"]  # another unit's report
    assert check("inspector", waiting)["return"] and not check("inspector", waiting)["accept"]
    assert check("fupin-lead", waiting)["pass"] and not check("admin", waiting)["accept"]  # lead first
    assert check("admin", with_office)["accept"] and not check("fupin-lead", with_office)["pass"]
    assert not any(check("admin", accepted)[a] for a in ("accept", "return"))
    assert LedgerReport.objects.get(pk=waiting.pk).status == ReportStatus.SUBMITTED  # all rolled back


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client
