"""Less reporting, scored by owner: the report form asks only for figures no module records (the
computed ones are shown read-only); an indicator is scored for the units that own it (3.1.2's team
visits for the units holding a designated pairing, not for the county units that only assist); each
unit's assessment shows what each score came from."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from bangfu.accounts.models import Role, User
from bangfu.accounts.services import create_user
from bangfu.areas.models import Area
from bangfu.core.demo import COUNTY_CODE, PROVINCIAL_UNIT_VILLAGES
from bangfu.partners.models import Organisation, PairingKind, Visit
from bangfu.partners.services import create_pairing
from bangfu.workplan.models import Indicator, IndicatorValue, LedgerReport
from bangfu.workplan.planfile import SHIPPED_2020, PlanFileError, read_plan
from bangfu.workplan.selectors import COUNTY_TOTAL, RECORDS, TYPED, assessment
from bangfu.workplan.services import save_report, submit_report
from tests.conftest import PASSWORD

JUNE = date(2020, 6, 1)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _reporter(username: str, org_name: str) -> User:
    return create_user(
        actor=None,
        username=username,
        password=PASSWORD,
        role=Role.UNIT_REPORTER,
        area=Area.objects.get(code=COUNTY_CODE),
        organisation=Organisation.objects.get(name=org_name),
    )


@pytest.fixture
def today(settings):
    settings.BANGFU_TODAY = date(2020, 7, 15)
    return date(2020, 7, 15)


# --- typed vs computed in the report ----------------------------------------------------------------
def test_a_month_with_nothing_typed_asks_only_for_progress_text(plan, today):
    """3.1.2's figures (team visits, kinship visits) all come from records."""
    reporter = _reporter("jiwei", "县纪委")
    report = LedgerReport.objects.get(task__code="3.1.2", organisation=reporter.organisation, month=JUNE)
    page = _client(reporter).get(f"/workplan/reports/{report.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "无需填报数字" in html
    assert not [name for name in page.context["form"].fields if name.startswith("ind_")]
    assert "派出工作组次数" in html and "系统计算" in html  # shown read-only with its value
    # Confirming is enough: nothing to type, the progress text is optional.
    response = _client(reporter).post(f"/workplan/reports/{report.pk}/", {"progress": "", "submit": "1"})
    assert response.status_code == 302
    assert LedgerReport.objects.get(pk=report.pk).status == "submitted"


def test_the_form_asks_only_for_typed_figures(plan, today):
    """3.4 types 业务培训期数 (no module records it) and computes 村企结对数."""
    reporter = _reporter("jingxin", "县经信局")
    report = LedgerReport.objects.get(task__code="3.4", organisation=reporter.organisation, month=JUNE)
    page = _client(reporter).get(f"/workplan/reports/{report.pk}/")
    typed = [name for name in page.context["form"].fields if name.startswith("ind_")]
    manual = Indicator.objects.filter(task__code="3.4", source="manual")
    assert typed == [f"ind_{i.pk}" for i in manual]
    assert {f.indicator.key for f in page.context["computed"]} == set(
        Indicator.objects.filter(task__code="3.4", source="computed").values_list("key", flat=True)
    )
    assert "无需填报数字" not in page.content.decode()


def test_a_task_with_typed_figures_still_needs_its_progress(plan, today):
    reporter = _reporter("jingxin", "县经信局")
    report = LedgerReport.objects.get(task__code="3.4", organisation=reporter.organisation, month=JUNE)
    with pytest.raises(ValidationError):
        submit_report(actor=reporter, report=report)
    assert LedgerReport.objects.get(pk=report.pk).status == "draft"


def test_the_service_refuses_a_typed_value_for_a_computed_indicator(plan, today):
    reporter = _reporter("jingxin", "县经信局")
    report = LedgerReport.objects.get(task__code="3.4", organisation=reporter.organisation, month=JUNE)
    computed = Indicator.objects.get(task__code="3.4", key="enterprise_pairings")
    with pytest.raises(ValidationError):
        save_report(actor=reporter, report=report, progress="改动", values={computed.pk: Decimal("3")})
    report.refresh_from_db()
    assert report.progress == "" and not IndicatorValue.objects.filter(report=report).exists()


# --- scoring by owner --------------------------------------------------------------------------------
@pytest.fixture
def designated(plan, today):
    """Provincial designated pairings; 省总工会 sends two teams, 省机关事务管理局 one."""
    county = Area.objects.get(code=COUNTY_CODE)
    orgs = {}
    for code, village in list(PROVINCIAL_UNIT_VILLAGES.items())[:3]:
        org = Organisation.objects.get(code=code)
        create_pairing(
            actor=None,
            county=county,
            kind=PairingKind.DESIGNATED,
            start_date=date(2018, 1, 1),
            helper_organisation=org,
            target_area=Area.objects.get(code=village),
        )
        orgs[code] = org
    for code, day in (("P01", date(2020, 3, 10)), ("P01", date(2020, 5, 12)), ("P02", date(2020, 4, 2))):
        Visit.objects.create(
            county=county,
            organisation=orgs[code],
            village=Area.objects.get(code=PROVINCIAL_UNIT_VILLAGES[code]),
            date=day,
            team_size=3,
            purpose="指导精准扶贫工作",
        )
    return orgs


def test_team_visits_are_scored_for_the_designated_units_not_the_assisting_ones(plan, designated, today):
    scores = {s.organisation.code: s for s in assessment(plan, today=today)}
    visits = "派出工作组次数"

    def items(code: str) -> dict[str, object]:
        return {str(i.label): i for i in scores[code].indicator_items}

    # 省总工会: 2 of 4 visits from the records; 省机关事务管理局: 1 of 4; 旅游学院: none yet (0 of 4).
    assert items("P01")[visits].figure.value == 2 and items("P01")[visits].share == Decimal("0.5")
    assert items("P01")[visits].source == RECORDS
    assert f"organisation={designated['P01'].pk}" in items("P01")[visits].source_url
    assert items("P02")[visits].share == Decimal("0.25")
    assert items("P03")[visits].share == 0
    # The county units that only assist (县纪委, 县委老干局, …) are not ranked on it: no indicator
    # part at all, so their base score is their reporting and milestones alone.
    for name in ("县纪委", "县委老干局"):
        score = next(s for s in scores.values() if s.organisation.name == name)
        assert visits not in {str(i.label) for i in score.indicator_items}
        assert score.indicator_attainment is None
    # 3.1.1's county figures are scored for its lead unit (县脱贫攻坚领导小组办公室) on the county total.
    office = next(s for s in scores.values() if s.organisation.name == "县脱贫攻坚领导小组办公室")
    led = {str(i.label): i for i in office.indicator_items}
    assert led["定点帮扶贫困村数"].source == COUNTY_TOTAL and led["定点帮扶贫困村数"].figure.value == 3
    # The points add up to the base score (to the cent, per line).
    for score in scores.values():
        assert abs(sum(i.points for i in score.items) - score.base) <= Decimal("0.05")
        if score.items:
            assert abs(sum(i.weight for i in score.items) - 100) < Decimal("0.01")


def test_a_typed_figure_is_scored_for_the_units_that_type_it(plan, today):
    reporter = _reporter("jingxin", "县经信局")
    report = LedgerReport.objects.get(task__code="3.4", organisation=reporter.organisation, month=JUNE)
    trainings = Indicator.objects.get(task__code="3.4", key="trainings")
    save_report(actor=reporter, report=report, progress="开展业务培训", values={trainings.pk: Decimal("1")})
    score = assessment(plan, today=today, organisation_id=reporter.organisation_id)[0]
    item = next(i for i in score.indicator_items if i.figure.indicator.pk == trainings.pk)
    assert item.source == TYPED and item.figure.value == 1 and item.share == Decimal("0.5")
    assert f"organisation={reporter.organisation_id}" in item.source_url


def test_the_units_assessment_page_shows_what_each_score_came_from(plan, designated, today):
    reporter = User.objects.get(username="unit")  # 省总工会
    page = _client(reporter).get("/workplan/assessment/mine/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "得分构成" in html and "派出工作组次数" in html and "业务记录" in html
    score = page.context["score"]
    assert score is not None and score.organisation.code == "P01"
    item = score.items[0]
    assert item.source_url and item.source_url in html.replace("&amp;", "&")
    admin = _client(User.objects.get(username="admin")).get("/workplan/assessment/")
    assert admin.status_code == 200 and "省总工会" in admin.content.decode()
    # The Excel has the same lines, numbers as numbers.
    import io

    from openpyxl import load_workbook

    xlsx = _client(User.objects.get(username="admin")).get("/workplan/assessment/?format=xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.content))["得分构成"].iter_rows(values_only=True))
    assert rows[0] == ("单位", "考核项", "目标", "完成值", "来源", "权重", "得分")
    visit = next(r for r in rows if r[0] == "省总工会" and "派出工作组次数" in r[1])
    assert visit[2:5] == (4, 2, "业务记录")


# --- the plan file's owners: key ----------------------------------------------------------------------
def _read(text: str):
    county = Area.objects.get(code=COUNTY_CODE)
    return read_plan(
        text.encode(), organisations=list(Organisation.objects.filter(county=county)), county_prefix="513325"
    )


def test_the_shipped_plan_names_the_owners(demo):
    spec = _read(SHIPPED_2020.read_text(encoding="utf-8"))
    owners = {i.key: i.owners for s in spec.sections for t in s.tasks for i in t.indicators}
    assert owners["work_team_visits"] == "partners.designated_helpers"
    assert owners["poor_villages"] == "lead"
    assert owners["enterprise_pairings"] == "partners.enterprise_helpers"
    assert owners["trainings"] == ""


def test_an_unknown_owner_is_refused_with_its_line(demo):
    text = SHIPPED_2020.read_text(encoding="utf-8").replace(
        "owners: partners.designated_helpers}", "owners: partners.nobody}"
    )
    with pytest.raises(PlanFileError) as exc:
        _read(text)
    assert any("owners" in e and "partners.nobody" in e for e in exc.value.errors)
    assert all(line is not None for line in exc.value.lines)
