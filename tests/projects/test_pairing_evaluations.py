"""Mid-year and annual evaluations per pairing (east–west, counterpart, enterprise, designated)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404

from bangfu.areas.models import Area
from bangfu.audit.models import AuditRecord
from bangfu.partners.demo import seed_demo as seed_partners
from bangfu.partners.models import Pairing, PairingKind
from bangfu.projects.models import EVALUATED_PAIRING_KINDS, Evaluation, EvaluationKind
from bangfu.projects.scopes import evaluations_for_user, get_evaluation_for_user
from bangfu.projects.selectors import evaluations_due, evaluations_overdue
from bangfu.projects.services import record_evaluation, schedule_pairing_evaluations
from bangfu.registry.demo import seed_demo as seed_registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def pairings(county: Area, settings) -> Area:
    """The demo county with the partners demo's pairings (kinship ones included)."""
    settings.BANGFU_TODAY = date(2020, 7, 15)  # the demo's "today"
    seed_registry(county)  # households, for the kinship pairings
    seed_partners(county)
    settings.BANGFU_TODAY = date(2020, 5, 10)
    assert Pairing.objects.filter(kind=PairingKind.KINSHIP).exists()
    return county


@pytest.fixture
def scheduled(pairings: Area, county_admin) -> Area:
    schedule_pairing_evaluations(actor=county_admin, county=pairings, year=2020)
    return pairings


def _of(org_code: str, kind: str = EvaluationKind.MID_YEAR) -> Evaluation:
    return Evaluation.objects.get(
        pairing__kind=PairingKind.DESIGNATED,
        pairing__helper_organisation__code=org_code,
        kind=kind,
        year=2020,
    )


def test_it_schedules_both_evaluations_for_evaluated_pairings_only_and_idempotently(
    pairings, county_admin
) -> None:
    created = schedule_pairing_evaluations(actor=county_admin, county=pairings, year=2020)
    evaluated = Pairing.objects.filter(kind__in=EVALUATED_PAIRING_KINDS, end_date__isnull=True)
    assert created == 2 * evaluated.count() > 0
    rows = Evaluation.objects.filter(pairing__isnull=False)
    assert rows.count() == created
    assert not rows.filter(pairing__kind=PairingKind.KINSHIP).exists()
    assert {(e.kind, e.due_on) for e in rows} == {
        (EvaluationKind.MID_YEAR, date(2020, 6, 30)),
        (EvaluationKind.ANNUAL, date(2020, 12, 31)),
    }
    assert set(rows.values_list("pairing__kind", flat=True)) == set(EVALUATED_PAIRING_KINDS)
    assert AuditRecord.objects.filter(action="projects.schedule_pairing_evaluations").count() == 1
    # A second run creates nothing.
    assert schedule_pairing_evaluations(actor=county_admin, county=pairings, year=2020) == 0
    assert rows.count() == created


def test_only_the_county_admin_schedules(pairings, township_clerk, unit_reporter) -> None:
    for user in (township_clerk, unit_reporter):
        with pytest.raises(PermissionDenied):
            schedule_pairing_evaluations(actor=user, county=pairings, year=2020)
    assert not Evaluation.objects.exists()


def test_an_evaluation_belongs_to_exactly_one_project_or_pairing(project, pairings) -> None:
    pairing = Pairing.objects.filter(kind=PairingKind.DESIGNATED).first()
    common = {"county": pairings, "year": 2021, "kind": EvaluationKind.MID_YEAR, "due_on": date(2021, 6, 30)}
    before = Evaluation.objects.count()
    for targets in ({"project": project, "pairing": pairing}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Evaluation.objects.create(**common, **targets)
    assert Evaluation.objects.count() == before
    Evaluation.objects.create(**common, pairing=pairing)
    # One evaluation per pairing, year and kind.
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(**common, pairing=pairing)
    assert Evaluation.objects.count() == before + 1


def test_a_unit_reporter_sees_only_its_own_pairings_evaluations(
    scheduled, county_admin, unit_reporter, client_for
) -> None:
    own = _of("P02")
    other = _of("P01")
    mine = evaluations_for_user(unit_reporter)
    assert {e.pairing.helper_organisation.code for e in mine.filter(pairing__isnull=False)} == {"P02"}
    assert get_evaluation_for_user(unit_reporter, own.pk) == own
    with pytest.raises(Http404):
        get_evaluation_for_user(unit_reporter, other.pk)
    client = client_for(unit_reporter)
    assert client.get(f"/projects/evaluations/{own.pk}/").status_code == 200
    assert client.get(f"/projects/evaluations/{other.pk}/").status_code == 404
    body = client.get("/projects/evaluations/").content.decode()
    assert "省机关事务管理局 →" in body
    assert "省总工会 →" not in body
    # The county admin sees every pairing's evaluations.
    assert evaluations_for_user(county_admin).filter(pairing__isnull=False).count() == (
        Evaluation.objects.filter(pairing__isnull=False).count()
    )


def test_a_pairing_evaluation_is_overdue_from_the_first_day_of_q3(scheduled, county_admin, settings) -> None:
    mid_year = _of("P01")
    settings.BANGFU_TODAY = date(2020, 6, 30)
    mine = evaluations_for_user(county_admin)
    assert evaluations_due(mine).filter(pk=mid_year.pk).exists()
    assert not evaluations_overdue(mine).filter(pairing__isnull=False).exists()
    settings.BANGFU_TODAY = date(2020, 7, 1)
    assert evaluations_overdue(mine).filter(pk=mid_year.pk).exists()
    assert not evaluations_due(mine).filter(pk=mid_year.pk).exists()
    assert not evaluations_overdue(mine).filter(pairing__isnull=False, kind=EvaluationKind.ANNUAL).exists()


def test_a_pairing_evaluation_is_recorded_with_rectifications(scheduled, county_admin, unit_reporter) -> None:
    evaluation = _of("P02")
    with pytest.raises(PermissionDenied):
        record_evaluation(actor=unit_reporter, evaluation=evaluation, score=Decimal("90"), findings="好")
    evaluation.refresh_from_db()
    assert evaluation.evaluated_on is None
    done = record_evaluation(
        actor=county_admin,
        evaluation=evaluation,
        score=Decimal("90"),
        findings="帮扶措施落实到位",
        rectifications=[("补齐走访记录", date(2020, 7, 31))],
    )
    assert (done.score, done.evaluated_on) == (Decimal("90.00"), date(2020, 5, 10))
    assert done.rectifications.count() == 1
    assert not evaluations_due(evaluations_for_user(county_admin)).filter(pk=done.pk).exists()


def test_the_county_admin_schedules_pairing_evaluations_from_the_page(
    pairings, county_admin, township_clerk, client_for
) -> None:
    url = "/projects/evaluations/schedule-pairings/"
    assert client_for(township_clerk).post(url, {"year": "2020"}).status_code == 403
    assert not Evaluation.objects.exists()
    response = client_for(county_admin).post(url, {"year": "2020"}, follow=True)
    assert response.status_code == 200
    created = Evaluation.objects.filter(pairing__isnull=False).count()
    assert created > 0
    assert f"已为结对帮扶生成 {created} 项评估" in response.content.decode()
    response = client_for(county_admin).post(url, {"year": "年"}, follow=True)
    assert "年度无效" in response.content.decode()
    assert Evaluation.objects.count() == created


def test_the_api_lists_pairing_evaluations_in_scope(scheduled, unit_reporter) -> None:
    from .test_api import api

    rows = api(unit_reporter).get("/api/v1/projects/evaluations?state=due").json()
    pairing_rows = [r for r in rows if r["pairing_id"] is not None]
    assert {r["kind"] for r in pairing_rows} == {"mid_year", "annual"}
    assert all(
        r["project_code"] is None and r["pairing"].startswith("省机关事务管理局 →") for r in pairing_rows
    )
