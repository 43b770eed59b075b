"""Milestones judged by the records (#15): the demo's spring Yulu milestone and the quarter's
work-team visits, the manual completion with a reason, the selector and the API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from bangfu.accounts.models import User
from bangfu.areas.models import Area, Level
from bangfu.core.demo import COUNTY_CODE
from bangfu.core.demo import seed_demo as seed_base
from bangfu.lib import crypto
from bangfu.lib.milestones import State
from bangfu.partners.models import Pairing, PairingKind, Visit
from bangfu.partners.services import record_visit
from bangfu.registry.models import Member
from bangfu.registry.services import ID_CONTEXT
from bangfu.subsidies.models import YuluPayment, YuluTerm
from bangfu.subsidies.selectors import reconcile_yulu
from bangfu.workplan.models import Milestone
from bangfu.workplan.selectors import MANUAL, RULE, milestone_states
from bangfu.workplan.services import set_milestone_completed

TODAY = date(2020, 7, 15)


@pytest.fixture(scope="module")
def ledger_demo(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The demo county with the apps the 2020 milestones are judged from (seeded once)."""
    from bangfu.partners.demo import seed_demo as partners
    from bangfu.registry.demo import seed_demo as registry
    from bangfu.subsidies.demo import seed_demo as subsidies
    from bangfu.workplan.demo import seed_demo as workplan

    with django_db_blocker.unblock(), transaction.atomic():
        seed_base(full=False)
        county = Area.objects.get(code=COUNTY_CODE)
        for seed in (registry, partners, subsidies, workplan):
            seed(county)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def county(ledger_demo, db, settings) -> Area:
    settings.BANGFU_TODAY = TODAY
    return Area.objects.get(code=COUNTY_CODE)


def _state(county: Area, code: str, quarter: int, today: date = TODAY):
    return next(
        s
        for s in milestone_states(county, 2020, today)
        if s.milestone.task.code == code and s.milestone.quarter == quarter and s.milestone.rule
    )


def test_spring_yulu_milestone_is_open_while_students_are_unpaid_and_done_once_recorded(county, tmp_path):
    spring = YuluTerm.objects.get(county=county, code="2020-spring")
    missing = reconcile_yulu(spring).missing
    assert len(missing) == 2  # the demo's two eligible students left unpaid
    before = _state(county, "3.5.5", 2)
    assert before.milestone.completed_on is None  # nobody ticks it by hand any more
    assert before.basis == RULE
    assert before.state == State.OVERDUE and before.completed_on is None
    assert before.evidence.counts["missing"] == 2
    assert "应补未补2人" in before.evidence.text
    # The finance bureau's paid list for the two, recorded through the command.
    members = Member.objects.filter(pk__in=missing)
    rows = "".join(
        f"{crypto.decrypt_text(m.id_number_encrypted, context=ID_CONTEXT)},500,2020-07-10\n" for m in members
    )
    path = tmp_path / "paid.csv"
    path.write_text("证件号码,金额,发放日期\n" + rows, encoding="utf-8")
    call_command("yulu_record_payments", "--term", spring.code, str(path))
    assert YuluPayment.objects.filter(term=spring, member__in=members).count() == 2
    after = _state(county, "3.5.5", 2)
    assert after.state == State.DONE_LATE  # paid on 10 July, after the 30 June deadline
    assert after.completed_on == date(2020, 7, 10)
    assert after.evidence.counts["missing"] == 0 and after.basis == RULE
    assert after.evidence.links and after.evidence.links[0][1].endswith(f"/{spring.code}/")


def test_visit_milestone_is_at_risk_or_overdue_until_every_designated_unit_has_visited(county):
    # Q3 (due 30 September): seen on 20 September, within the 14 days before the due date.
    q3_day = date(2020, 9, 20)
    state = _state(county, "3.1.2", 3, q3_day)
    assert state.state == State.AT_RISK
    missing_units = state.evidence.counts["missing_units"]
    assert missing_units
    # Q2 is past: overdue while any designated pairing had no team visit in the quarter.
    q2 = _state(county, "3.1.2", 2)
    assert q2.state == State.OVERDUE and q2.evidence.counts["missing"] >= 1
    # Record the missing visits of Q3 (team of 3, in the quarter): the milestone is done.
    pairings = Pairing.objects.filter(
        county=county, kind=PairingKind.DESIGNATED, end_date__isnull=True
    ).select_related("helper_organisation", "target_area")
    for p in pairings:
        if p.helper_organisation.name in missing_units:
            record_visit(
                actor=None,
                organisation=p.helper_organisation,
                village=p.target_area,
                date=date(2020, 7, 14),
                purpose="回头看、回头帮",
                guests=["甲", "乙", "丙"],
            )
    done = _state(county, "3.1.2", 3, q3_day)
    assert done.state == State.DONE, done.evidence.text
    assert done.completed_on is not None and done.completed_on <= date(2020, 9, 30)
    assert done.evidence.counts["missing"] == 0


def test_a_visit_by_a_team_too_large_does_not_count(county):
    before = _state(county, "3.1.2", 3)
    unit = before.evidence.counts["missing_units"][0]
    p = Pairing.objects.filter(
        county=county, kind=PairingKind.DESIGNATED, helper_organisation__name=unit, end_date__isnull=True
    ).first()
    Visit.objects.create(
        county=county,
        organisation=p.helper_organisation,
        village=p.target_area,
        date=date(2020, 7, 10),
        team_size=9,
        purpose="大型调研",
    )
    after = _state(county, "3.1.2", 3)
    assert unit in after.evidence.counts["missing_units"]
    assert after.evidence.counts["visited"] == before.evidence.counts["visited"]


def test_completing_a_rule_backed_milestone_by_hand_needs_a_reason_and_shows_manual(county):
    admin = User.objects.get(username="admin")
    milestone = Milestone.objects.get(task__code="3.5.5", quarter=2, task__plan__county=county)
    with pytest.raises(ValidationError):
        set_milestone_completed(actor=admin, milestone=milestone, completed_on=date(2020, 6, 30))
    milestone.refresh_from_db()
    assert milestone.completed_on is None and milestone.manual_reason == ""
    set_milestone_completed(
        actor=admin, milestone=milestone, completed_on=date(2020, 6, 30), reason="财政已拨付，待补录报账清单"
    )
    state = _state(county, "3.5.5", 2)
    assert state.basis == MANUAL and state.state == State.DONE
    assert state.disagrees  # the records still show two students unpaid
    assert state.evidence.counts["missing"] == 2


def test_milestones_without_a_rule_are_completed_by_hand(county):
    by_hand = [s for s in milestone_states(county, 2020, TODAY) if not s.milestone.rule]
    assert by_hand and all(s.basis == MANUAL and s.evidence is None for s in by_hand)
    assert all(s.completed_on == s.milestone.completed_on for s in by_hand)
    # The demo ticks none of the rule-backed ones.
    assert (
        not Milestone.objects.filter(task__plan__county=county)
        .exclude(rule="")
        .filter(completed_on__isnull=False)
    )


def test_the_api_lists_each_milestone_with_state_basis_and_evidence(county, client):
    client.force_login(User.objects.get(username="admin"))
    response = client.get("/api/v1/workplan/milestones", {"year": 2020})
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == Milestone.objects.filter(task__plan__county=county).count()
    yulu = next(r for r in rows if r["task"] == "3.5.5" and r["quarter"] == 2)
    assert yulu["state"] == "overdue" and yulu["basis"] == "rule" and yulu["completed_on"] is None
    assert yulu["due_date"] == "2020-06-30"
    assert yulu["evidence"]["counts"]["missing"] == 2 and "应补未补2人" in yulu["evidence"]["text"]
    assert {r["state"] for r in rows} <= {"done", "done_late", "open", "at_risk", "overdue"}
    assert {"task", "quarter", "title", "due_date", "state", "completed_on", "basis", "evidence"} <= set(yulu)


def test_the_plan_page_shows_state_and_evidence(county, client):
    client.force_login(User.objects.get(username="admin"))
    html = client.get(reverse("workplan:plan")).content.decode()
    assert "应补未补2人" in html and "已逾期" in html


def test_a_village_level_area_is_not_a_county(county):
    # milestone_states answers for the county it is given, nothing else.
    village = Area.objects.filter(level=Level.VILLAGE).first()
    assert milestone_states(village, 2020, TODAY) == []


# --- figures derived, never typed (#15 "Figures that are derived are never typed") -------------------
def test_designated_figures_read_10_villages_119_households_487_people_from_records(county):
    from bangfu.lib.indicators import STOCK, IndicatorQuery, all_indicators
    from bangfu.registry.models import Household

    registry = all_indicators()
    query = IndicatorQuery(county=county, start=date(2020, 6, 1), end=date(2020, 7, 1))
    figures = {
        what: registry[f"partners.provincial_designated_{what}"].value(query)
        for what in ("villages", "households", "people", "exited_households")
    }
    assert figures == {"villages": 10, "households": 119, "people": 487, "exited_households": 119}
    assert all(registry[f"partners.provincial_designated_{w}"].kind == STOCK for w in figures)
    # Not all poor villages: the prefecture units' villages are designated too, but 3.1.1 is the
    # provincial units' ten; every designated village counts under partners.designated_villages.
    poor = Area.objects.filter(level=Level.VILLAGE, registered_poor=True, code__startswith=county.prefix)
    assert registry["partners.designated_villages"].value(query) <= poor.count()
    # The figures follow the records: one household leaves the register, the figure drops.
    village_codes = Pairing.objects.filter(
        county=county, kind=PairingKind.DESIGNATED, helper_organisation__admin_level="provincial"
    ).values("target_area")
    hh = Household.objects.filter(village__in=village_codes, active=True).first()
    Household.objects.filter(pk=hh.pk).update(active=False)
    assert registry["partners.provincial_designated_households"].value(query) == 118


def test_the_plan_takes_the_designated_figures_from_records_and_nobody_types_them(county):
    from bangfu.workplan.models import Indicator, IndicatorSource, IndicatorValue
    from bangfu.workplan.selectors import indicator_figures

    inds = list(Indicator.objects.filter(task__code="3.1.1", task__plan__county=county).order_by("pk"))
    # The stocks from pairings + registry, and the provincial units' inputs (funds, training,
    # products bought, cadres seconded) from the pairing inputs they record: nothing typed.
    assert {i.source for i in inds} == {IndicatorSource.COMPUTED}
    assert not IndicatorValue.objects.filter(indicator__in=inds).exists()
    inds = [i for i in inds if i.key in ("poor_villages", "households_helped", "people_helped")]
    figures = indicator_figures(inds, county=county, start=date(2020, 1, 1), end=date(2020, 7, 1))
    assert [(f.indicator.key, f.value, f.period) for f in figures] == [
        ("poor_villages", 10, "截至6月底"),
        ("households_helped", 119, "截至6月底"),
        ("people_helped", 487, "截至6月底"),
    ]
    assert all(f.attainment == 1 for f in figures)


def test_a_typed_stock_is_the_latest_month_never_a_sum(county):
    from decimal import Decimal

    from bangfu.workplan.models import Indicator, IndicatorValue, LedgerReport
    from bangfu.workplan.selectors import indicator_figures

    ind = Indicator.objects.get(task__code="3.4", key="trainings", task__plan__county=county)
    ind.declared_kind = "stock"
    ind.save()
    org_reports = LedgerReport.objects.filter(task=ind.task).order_by("organisation_id", "month")
    org = org_reports.first().organisation_id
    IndicatorValue.objects.filter(indicator=ind).delete()
    for month, value in ((date(2020, 4, 1), "3"), (date(2020, 5, 1), "5")):
        report = org_reports.get(organisation_id=org, month=month)
        IndicatorValue.objects.create(report=report, indicator=ind, value=Decimal(value))
    (figure,) = indicator_figures([ind], county=county, start=date(2020, 1, 1), end=date(2020, 7, 1))
    assert figure.value == Decimal("5") and figure.period == "截至6月底"
    assert isinstance(figure.value, Decimal)
    ind.declared_kind = "flow"
    ind.save()
    (figure,) = indicator_figures([ind], county=county, start=date(2020, 1, 1), end=date(2020, 7, 1))
    assert figure.value == Decimal("8") and figure.period == "1—6月累计"
