"""Each role lands where its work is (issue #17): under "我的待办" a reporting unit finds its
ledger reports of this year — or one plain sentence saying why it has none — and a village
officer its village's households, recent visits and needs."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from bangfu.accounts.models import Role, User
from bangfu.network.models import Need
from bangfu.partners.models import Organisation
from bangfu.registry.models import Household
from bangfu.workplan.models import LedgerReport, Plan, SelfInspection
from bangfu.workplan.selectors import assessment
from tests.conftest import _persona

TODAY = date(2020, 7, 15)


@pytest.fixture
def today(full_demo_today):
    return full_demo_today


def _client(username: str) -> tuple[User, Client]:
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    return user, client


def _section(page: str, anchor: str) -> str:
    match = re.search(rf'<section class="panel" id="{anchor}">(.*?)</section>', page, re.S)
    assert match, anchor
    return match.group(1)


def test_a_unit_without_tasks_reads_why_instead_of_an_empty_filter_form(today):
    user, client = _client("unit")  # 省总工会: helps a village, names no task of the county's plan
    plan = Plan.objects.get(year=2020)
    assert not plan.tasks.filter(responsible_units=user.organisation).exists()
    home = _section(client.get("/").content.decode(), "my-reports")
    assert "本单位不是2020年度工作方案中任何任务的责任单位，所以今年没有需要报送的工作台账。" in home
    assert "/partners/pairings/" in home  # where its own work is recorded
    reports = client.get("/workplan/reports/").content.decode()
    assert "本单位不是2020年度工作方案中任何任务的责任单位" in reports
    assert "没有符合条件的报告" not in reports and 'class="filters"' not in reports


def test_a_unit_that_is_not_responsible_gets_no_self_inspection_form(today):
    """A unit neither responsible for a task nor owning a scored figure (the demo's 省总工会 holds
    designated pairings, so it is scored on its team visits) is not assessed this year."""
    plan = Plan.objects.get(year=2020)
    assessed = {score.organisation.pk for score in assessment(plan)}
    other = Organisation.objects.exclude(pk__in=assessed).order_by("code").first()
    assert other is not None
    unit = User.objects.get(username="unit")
    user = _persona("not-assessed", Role.UNIT_REPORTER, unit.area.code, other.code)
    client = Client()
    client.force_login(user)
    page = client.get("/workplan/assessment/mine/").content.decode()
    assert "不参加本年度考核" in page and 'method="post"' not in page.split("<main", 1)[1]
    client.post("/workplan/assessment/mine/", {"note": "自查"})
    assert not SelfInspection.objects.filter(organisation=user.organisation).exists()


def test_a_responsible_unit_sees_its_reports_of_this_year(today):
    user, client = _client("township")  # 雪岭镇人民政府: a responsible unit of the plan's tasks
    mine = LedgerReport.objects.filter(organisation=user.organisation, month__year=2020, month__lte=TODAY)
    assert mine.exists()
    home = _section(client.get("/").content.decode(), "my-reports")
    newest = mine.order_by("-month").first()
    assert f"/workplan/reports/{newest.pk}/" in home and newest.task.title in home
    for pk in re.findall(r'href="/workplan/reports/(\d+)/"', home):
        report = LedgerReport.objects.get(pk=pk)
        assert report.organisation_id == user.organisation_id and report.month <= TODAY
        assert client.get(f"/workplan/reports/{pk}/").status_code == 200
    assert "不是2020年度工作方案" not in home


def test_a_village_officer_sees_the_village_s_households_visits_and_needs(today):
    user, client = _client("village")
    page = client.get("/").content.decode()
    households = _section(page, "my-village-households")
    own = Household.objects.filter(village=user.area, active=True)
    assert own.exists()
    for household in own[:30]:
        assert f"/registry/households/{household.number}/" in households
        head = household.members.get(relation="户主")
        assert f"{head.name}户" in households
    elsewhere = Household.objects.exclude(village=user.area).first()
    assert f"/registry/households/{elsewhere.number}/" not in page
    for number in re.findall(r'href="/registry/households/([^/"]+)/"', page):
        assert client.get(f"/registry/households/{number}/").status_code == 200
    visits = _section(page, "my-village-visits")
    assert "本村还没有走访记录" not in visits and "/partners/visits/" in visits
    needs = _section(page, "my-village-needs")
    own_need = Need.objects.filter(village=user.area).order_by("-posted_on", "-id").first()
    assert own_need is not None and own_need.title in needs
    other_need = Need.objects.exclude(village=user.area).first()
    if other_need is not None and other_need.title != own_need.title:
        assert other_need.title not in page


@pytest.mark.parametrize("username", ["admin", "inspector", "supporter"])
def test_other_roles_get_no_unit_or_village_section(today, username):
    _user, client = _client(username)
    page = client.get("/").content.decode()
    assert 'id="my-reports"' not in page and 'id="my-village-households"' not in page
