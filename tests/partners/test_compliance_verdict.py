"""Visit compliance is judged against the rule for the period shown (issue #17): a unit with 2
visits by mid-year is 进行中 under "全年至少4次", never 达标; a finished year needs every quarter
and the yearly total; one quarter is judged by the quarterly rule alone."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from bangfu.accounts.models import User
from bangfu.lib.sheets import open_sheet
from bangfu.partners.selectors import compliance_matrix
from bangfu.partners.services import set_visit_rule

from .conftest import ELUO, RANBU
from .test_visits_compliance import paired, visit  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
PAGE = "/partners/compliance/"


def _verdicts(html: str) -> dict[str, str]:
    """Unit name → the 是否达标 badge of its row."""
    badge = r"<td><span class=\"q-\w+\">([^<]+)</span></td></tr>"
    rows = re.findall(r"<tr><td>([^<]+?) <small[^>]*>[^<]*</small></td>.*?" + badge, html)
    return {name: badge for name, badge in rows}


def _admin() -> Client:
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    return client


def test_two_visits_by_mid_year_are_in_progress_not_compliant(paired, county, org, area) -> None:  # noqa: F811
    p01, p02 = org("P01"), org("P02")
    visit(p01, area, date(2020, 2, 10))
    visit(p01, area, date(2020, 5, 10))  # 2 visits, rule: 1 a quarter, 4 a year; today 2020-07-15
    rows = {r.organisation.code: r for r in compliance_matrix(county, 2020)}
    assert rows["P01"].verdict == "open" and rows["P02"].verdict == "missed"
    html = _admin().get(PAGE, {"year": 2020}).content.decode()
    verdicts = _verdicts(html)
    assert verdicts[p01.name] == "进行中" and verdicts[p02.name] == "未达标"
    assert "达标 " not in re.sub(r"未达标", "", html.split("<table", 1)[0].split("</form>", 1)[1])
    assert "全年至少4次" in html and "进行中" in html
    # one quarter shown: judged by the quarterly rule only
    assert _verdicts(_admin().get(PAGE, {"year": 2020, "quarter": 1}).content.decode())[p01.name] == "达标"
    assert _verdicts(_admin().get(PAGE, {"year": 2020, "quarter": 3}).content.decode())[p01.name] == "进行中"
    assert _verdicts(_admin().get(PAGE, {"year": 2020, "quarter": 4}).content.decode())[p01.name] == "未开始"
    q2 = _admin().get(PAGE, {"year": 2020, "quarter": 2}).content.decode()
    assert _verdicts(q2)[p02.name] == "未达标" and "按二季度至少1次判定" in q2
    # the download says the same
    sheet = open_sheet(name="c.xlsx", data=_admin().get(PAGE, {"year": 2020, "format": "xlsx"}).content)
    by_code = {row[0]: row for row in sheet.table()[1:]}
    assert by_code["P01"][-1] == "进行中" and by_code["P02"][-1] == "未达标"


def test_a_finished_year_needs_every_quarter_and_the_yearly_total(
    paired,  # noqa: F811
    county,
    org,
    area,
    settings,
) -> None:
    p01, p02 = org("P01"), org("P02")
    settings.BANGFU_TODAY = date(2021, 1, 10)
    for day in (date(2020, 1, 5), date(2020, 4, 5), date(2020, 7, 5), date(2020, 10, 5)):
        visit(p01, area, day)
    visit(p02, area, date(2020, 1, 5), village=ELUO)
    visit(p02, area, date(2020, 2, 5), village=ELUO)
    settings.BANGFU_TODAY = date(2021, 1, 10)
    verdicts = _verdicts(_admin().get(PAGE, {"year": 2020}).content.decode())
    assert verdicts[p01.name] == "达标"  # 4 visits, one every quarter
    assert verdicts[p02.name] == "未达标"  # 2 visits in the year
    set_visit_rule(actor=None, county=county, team_min=2, team_max=5, per_quarter=1, per_year=5)
    assert _verdicts(_admin().get(PAGE, {"year": 2020}).content.decode())[p01.name] == "未达标"
    assert RANBU  # the villages visited are the pairings' own
