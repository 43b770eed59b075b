from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.projects.models import Evaluation, EvaluationKind, ProjectStatus, RectificationItem
from bangfu.projects.scopes import evaluations_for_user
from bangfu.projects.selectors import evaluations_due, evaluations_overdue
from bangfu.projects.services import (
    change_project_status,
    close_rectification,
    record_evaluation,
    schedule_evaluations,
)

from .conftest import new_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def spring(settings) -> date:
    settings.BANGFU_TODAY = date(2020, 5, 10)
    return settings.BANGFU_TODAY


def _mid_year(project) -> Evaluation:
    return Evaluation.objects.get(project=project, kind=EvaluationKind.MID_YEAR, year=2020)


def test_approval_schedules_mid_year_and_annual_evaluations_due_end_of_q2_and_q4(spring, project) -> None:
    rows = {e.kind: e.due_on for e in Evaluation.objects.filter(project=project)}
    assert rows == {EvaluationKind.MID_YEAR: date(2020, 6, 30), EvaluationKind.ANNUAL: date(2020, 12, 31)}


def test_due_and_overdue_lists_follow_the_clock(spring, project, county_admin, settings) -> None:
    mine = evaluations_for_user(county_admin)
    assert {e.kind for e in evaluations_due(mine)} == {EvaluationKind.MID_YEAR, EvaluationKind.ANNUAL}
    assert not evaluations_overdue(mine).exists()
    settings.BANGFU_TODAY = date(2020, 7, 1)
    assert [e.kind for e in evaluations_overdue(mine)] == [EvaluationKind.MID_YEAR]
    assert [e.kind for e in evaluations_due(mine)] == [EvaluationKind.ANNUAL]


def test_recording_an_evaluation_takes_it_off_the_lists(spring, project, county_admin) -> None:
    evaluation = record_evaluation(
        actor=county_admin,
        evaluation=_mid_year(project),
        score=Decimal("86.5"),
        findings="进度滞后两周",
        rectifications=[("补齐验收资料", date(2020, 7, 31)), ("公示资金使用", None)],
    )
    assert (evaluation.score, evaluation.evaluated_on) == (Decimal("86.50"), date(2020, 5, 10))
    assert evaluation.rectifications.count() == 2
    mine = evaluations_for_user(county_admin)
    assert [e.kind for e in evaluations_due(mine)] == [EvaluationKind.ANNUAL]


def test_it_refuses_bad_scores_empty_findings_and_a_second_recording(spring, project, county_admin) -> None:
    evaluation = _mid_year(project)
    for score, findings, field in [
        (Decimal("101"), "x", "score"),
        (Decimal("-1"), "x", "score"),
        (Decimal("80"), " ", "findings"),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            record_evaluation(actor=county_admin, evaluation=evaluation, score=score, findings=findings)
        assert field in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        record_evaluation(
            actor=county_admin,
            evaluation=evaluation,
            score=Decimal(80),
            findings="x",
            rectifications=[("", None)],
        )
    assert "rectifications" in excinfo.value.message_dict
    assert _mid_year(project).evaluated_on is None and not RectificationItem.objects.exists()
    record_evaluation(actor=county_admin, evaluation=evaluation, score=Decimal(80), findings="良好")
    with pytest.raises(ValidationError, match="不能重复录入"):
        record_evaluation(actor=county_admin, evaluation=evaluation, score=Decimal(90), findings="again")
    assert _mid_year(project).score == Decimal("80.00")


def test_only_the_county_admin_records_evaluations(spring, project, funder_reporter) -> None:
    with pytest.raises(PermissionDenied):
        record_evaluation(
            actor=funder_reporter, evaluation=_mid_year(project), score=Decimal(80), findings="x"
        )
    assert _mid_year(project).evaluated_on is None


def test_rectification_items_are_closed_with_a_note(spring, project, county_admin) -> None:
    record_evaluation(
        actor=county_admin,
        evaluation=_mid_year(project),
        score=Decimal(70),
        findings="资料不全",
        rectifications=[("补齐资料", None)],
    )
    item = RectificationItem.objects.get()
    with pytest.raises(ValidationError) as excinfo:
        close_rectification(actor=county_admin, item=item, note="")
    assert "note" in excinfo.value.message_dict
    closed = close_rectification(actor=county_admin, item=item, note="已补齐并归档")
    assert closed.closed_on == date(2020, 5, 10)
    with pytest.raises(ValidationError, match="已销号"):
        close_rectification(actor=county_admin, item=item, note="again")
    assert RectificationItem.objects.get().closure_note == "已补齐并归档"


def test_schedule_evaluations_opens_next_years_rows_for_live_projects_once(
    spring, project, county, county_admin
) -> None:
    change_project_status(actor=county_admin, project=project, to=ProjectStatus.IN_PROGRESS)
    planned = new_project(county_admin, county, code="DX-2020-002")
    assert schedule_evaluations(actor=county_admin, county=county, year=2021) == 2
    assert schedule_evaluations(actor=county_admin, county=county, year=2021) == 0
    assert not Evaluation.objects.filter(project=planned).exists()
    assert Evaluation.objects.filter(project=project, year=2021).count() == 2


def test_a_cancelled_project_leaves_the_due_and_overdue_lists(
    spring, project, county_admin, settings
) -> None:
    change_project_status(actor=county_admin, project=project, to=ProjectStatus.CANCELLED, reason="资金调整")
    mine = evaluations_for_user(county_admin)
    assert not evaluations_due(mine).exists()
    settings.BANGFU_TODAY = date(2021, 1, 5)
    assert not evaluations_overdue(mine).exists()
