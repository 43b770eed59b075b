from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from docx import Document

from bangfu.accounts.models import Role, User
from bangfu.accounts.services import create_user
from bangfu.areas.models import Area
from bangfu.partners.models import Organisation, Pairing
from bangfu.workplan.bulletin import build_bulletin
from bangfu.workplan.demo import seed_demo as seed_workplan
from bangfu.workplan.models import LedgerReport, Milestone, Plan, ReportStatus, SelfInspection
from bangfu.workplan.selectors import assessment
from bangfu.workplan.services import (
    accept_report,
    add_adjustment,
    lead_pass_report,
    load_plan,
    save_report,
    save_self_inspection,
    set_milestone_completed,
    submit_report,
    update_settings,
)
from tests.conftest import PASSWORD

SMALL = """
year: 2020
title: 考核测试
sections:
  - code: "3.1"
    title: 定点帮扶
    tasks:
      - code: "3.1.1"
        title: 省级定点扶贫
        lead_units: [县脱贫攻坚领导小组办公室]
        responsible_units: [县委办]
        milestones:
          - {quarters: [1], title: 启动}
          - {quarters: [2], title: 评估}
        indicators:
          - {key: visits, label: 走访次数, unit: 次, target: 12}
"""


def _reporter(username: str, organisation: str) -> User:
    """A county-level unit reporter of the named organisation (made once)."""
    return User.objects.filter(username=username).first() or create_user(
        actor=None,
        username=username,
        password=PASSWORD,
        role=Role.UNIT_REPORTER,
        area=Area.objects.get(code="513325000000"),
        organisation=Organisation.objects.get(name=organisation),
    )


@pytest.fixture
def office(demo) -> User:
    return _reporter("office", "县委办")  # SMALL's responsible unit


def _lead() -> User:
    return _reporter("lead-c01", "县脱贫攻坚领导小组办公室")  # SMALL's lead unit


def _submit(settings, user, report, on: date, value: int | None = None, accept_by=None):
    settings.BANGFU_TODAY = on
    values = {report.task.indicators.get().pk: Decimal(value)} if value is not None else None
    save_report(actor=user, report=report, progress="进展", values=values)
    submit_report(actor=user, report=report)
    if accept_by is not None:
        # The task's lead unit (县脱贫攻坚领导小组办公室) passes it on before the office accepts.
        lead_pass_report(actor=_lead(), report=report)
        accept_report(actor=accept_by, report=report)


def test_the_assessment_arithmetic(settings, county, office, county_admin):
    settings.BANGFU_TODAY = date(2020, 1, 2)
    plan = load_plan(actor=None, county=county, data=SMALL.encode()).plan
    slot = {r.month.month: r for r in LedgerReport.objects.filter(task__plan=plan)}
    _submit(settings, office, slot[1], date(2020, 2, 3), 3, county_admin)
    _submit(settings, office, slot[2], date(2020, 3, 5), 6, county_admin)  # the due day itself
    _submit(settings, office, slot[3], date(2020, 4, 1), None, county_admin)
    _submit(settings, office, slot[4], date(2020, 5, 10), None, county_admin)  # late
    _submit(settings, office, slot[5], date(2020, 6, 2))  # on time, not accepted yet
    # June is missing.
    settings.BANGFU_TODAY = date(2020, 7, 15)
    q1, q2 = Milestone.objects.filter(task__plan=plan).order_by("quarter")
    set_milestone_completed(actor=county_admin, milestone=q1, completed_on=date(2020, 3, 20))
    set_milestone_completed(actor=county_admin, milestone=q2, completed_on=date(2020, 7, 1))  # late
    [score] = assessment(plan)
    assert (score.due_reports, score.on_time_accepted) == (6, 3)
    assert (score.milestones_due, score.milestones_met) == (2, 1)
    assert score.indicator_attainment == Decimal("0.75")
    # 40 × 0.5 + 30 × 0.5 + 30 × 0.75 = 57.5
    assert score.base == Decimal("57.50")
    # What the score came from, line by line: weight (of 100) and points.
    assert [(i.kind, i.weight, i.points) for i in score.items] == [
        ("timeliness", 40, Decimal("20.00")),
        ("milestones", 30, Decimal("15.00")),
        ("indicator", 30, Decimal("22.50")),
    ]
    assert score.items[2].source == "typed" and score.items[2].figure.value == 9
    add_adjustment(
        actor=county_admin,
        county=county,
        year=2020,
        organisation=office.organisation,
        points=Decimal("2.5"),
        reason="自查整改到位",
    )
    [score] = assessment(plan)
    assert score.total == Decimal("60.00")
    update_settings(
        actor=county_admin,
        county=county,
        due_day=5,
        weight_timeliness=50,
        weight_milestones=50,
        weight_indicators=0,
        email_reminders=False,
    )
    [score] = assessment(plan)
    assert score.base == Decimal("50.00") and score.total == Decimal("52.50")


def test_it_saves_the_self_inspection_of_an_assessed_unit(settings, county, office):
    settings.BANGFU_TODAY = date(2020, 7, 15)
    load_plan(actor=None, county=county, data=SMALL.encode())
    item = save_self_inspection(actor=office, year=2020, note=" 已自查 ")
    assert (item.organisation, item.year, item.note) == (office.organisation, 2020, "已自查")


def test_it_refuses_the_self_inspection_of_a_unit_not_assessed(settings, county, office):
    """The service itself refuses (not only the page): the lead unit of SMALL's only task is
    neither responsible for it nor owns its figure, so it is not assessed in 2020."""
    from django.core.exceptions import PermissionDenied

    from bangfu.audit.models import AuditRecord

    settings.BANGFU_TODAY = date(2020, 7, 15)
    plan = load_plan(actor=None, county=county, data=SMALL.encode()).plan
    lead = _lead()
    assert not assessment(plan, organisation_id=lead.organisation_id)
    audits = AuditRecord.objects.count()
    with pytest.raises(PermissionDenied):
        save_self_inspection(actor=lead, year=2020, note="自查")
    assert not SelfInspection.objects.exists()
    assert AuditRecord.objects.count() == audits
    with pytest.raises(PermissionDenied):  # a year without a plan: nobody is assessed
        save_self_inspection(actor=office, year=2019, note="自查")
    assert not SelfInspection.objects.exists()


def test_an_adjustment_needs_a_reason(settings, county, office, county_admin):
    load_plan(actor=None, county=county, data=SMALL.encode())
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        add_adjustment(
            actor=county_admin,
            county=county,
            year=2020,
            organisation=office.organisation,
            points=Decimal("5"),
            reason=" ",
        )


def _text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append("|".join(c.text for c in row.cells))
    return "\n".join(parts)


def test_bulletin_figures_equal_the_database(settings, county):
    settings.BANGFU_TODAY = date(2020, 7, 15)
    seed_workplan(county)
    plan = Plan.objects.get(county=county, year=2020)
    text = _text(build_bulletin(plan, date(2020, 6, 1)))
    june = LedgerReport.objects.filter(task__plan=plan, month=date(2020, 6, 1))
    due = date(2020, 7, 5)
    submitted = june.exclude(status=ReportStatus.RETURNED).filter(first_submitted_on__isnull=False)
    expected = (
        f"6月，{june.values('organisation').distinct().count()}个责任单位应报送工作台账{june.count()}份，"
        f"其中按时报送{submitted.filter(first_submitted_on__lte=due).count()}份、"
        f"逾期报送{submitted.filter(first_submitted_on__gt=due).count()}份、"
        f"未报送{june.filter(first_submitted_on__isnull=True).count()}份、"
        f"被退回待修改{june.filter(status=ReportStatus.RETURNED).count()}份"
    )
    assert expected in text
    milestones = Milestone.objects.filter(task__plan=plan, due_date__lt=date(2020, 7, 1))
    done = milestones.filter(completed_on__lt=date(2020, 7, 1)).count()
    assert f"截至6月底应完成进度节点{milestones.count()}个，已完成{done}个" in text
    # 定点帮扶贫困村数 counts the villages the provincial units are paired with (none in this
    # fixture, which seeds no pairings), never all the county's poor villages.
    poor = Area.objects.filter(level="village", registered_poor=True, code__startswith="513325").count()
    designated = (
        Pairing.objects.filter(kind="designated", helper_organisation__admin_level="provincial")
        .values("target_area")
        .distinct()
        .count()
    )
    assert f"截至6月底定点帮扶贫困村数{poor}个" not in text
    if designated:
        assert f"截至6月底定点帮扶贫困村数{designated}个" in text
    missing_units = set(
        june.filter(first_submitted_on__isnull=True).values_list("organisation__name", flat=True)
    )
    problem_line = next(line for line in text.splitlines() if "未报送6月工作台账" in line)
    assert f"{len(missing_units)}个单位未报送6月工作台账" in problem_line
    assert all(name in problem_line for name in missing_units)
    for task in plan.tasks.all():
        assert task.title.replace("--", "——") in text
    # The annex has a row per unit whose counts add up to the month's slots (and a totals row).
    rows = [line.split("|") for line in text.splitlines() if line.count("|") == 6]
    units = [r for r in rows if r[0].isdigit()]
    assert sum(int(r[2]) for r in units) == june.count()
    assert next(r for r in rows if r[0] == "合计")[2] == str(june.count())


def test_the_bulletin_and_ledger_commands_write_files(settings, county, tmp_path):
    settings.BANGFU_TODAY = date(2020, 7, 15)
    seed_workplan(county)
    out = tmp_path / "b.docx"
    call_command("bulletin", "--month", "2020-06", "-o", str(out))
    assert "关于2020年6月全县社会扶贫工作进展情况的通报" in _text(out.read_bytes())
    xlsx = tmp_path / "ledger.xlsx"
    call_command("export_ledger", "--year", "2020", "--month", "2020-06", "-o", str(xlsx))
    from openpyxl import load_workbook

    book = load_workbook(xlsx)
    plan = Plan.objects.get(county=county)
    tasks = [t.code.replace(".", "_") for t in plan.tasks.order_by("position")]
    assert book.sheetnames == ["汇总", "报送情况", *tasks]
    sheet = book["3_5_5"]
    assert sheet.freeze_panes == "C3"
    assert sheet.cell(2, 2).value == "单位名称"
    rows = [r for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert len(rows) == LedgerReport.objects.filter(task__code="3.5.5", month=date(2020, 6, 1)).count()
