from __future__ import annotations

from datetime import UTC, date, datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from bangfu.lib.periods import quarter_of
from bangfu.partners.models import PairingKind, Visit, VisitMember
from bangfu.partners.selectors import compliance_matrix, not_yet_visited_this_quarter
from bangfu.partners.services import create_pairing, record_visit, set_visit_rule

from .conftest import ELUO, RANBU


@pytest.fixture
def paired(county, org, area):
    for code, village in (("P01", RANBU), ("P02", ELUO)):
        create_pairing(
            actor=None,
            county=county,
            kind=PairingKind.DESIGNATED,
            helper_organisation=org(code),
            target_area=area(village),
            start_date=date(2019, 1, 1),
        )


def visit(org, area, day, village=RANBU, guests=("王五", "赵六"), **kw):
    return record_visit(
        actor=None, organisation=org, village=area(village), date=day, purpose="指导产业", guests=guests, **kw
    )


def test_it_records_a_visit_with_cadres_and_guests(paired, org, area, cadre):
    c = cadre("P01")
    v = record_visit(
        actor=None,
        organisation=org("P01"),
        village=area(RANBU),
        date=date(2020, 5, 1),
        purpose="入户",
        cadres=[c],
        guests=["州农办 李工"],
    )
    assert v.team_size == 2
    assert list(VisitMember.objects.filter(visit=v).values_list("cadre_id", "guest_name")) == [
        (c.pk, ""),
        (None, "州农办 李工"),
    ]


@pytest.mark.parametrize("guests", [("一人",), ("甲", "乙", "丙", "丁", "戊", "己")])
def test_it_refuses_a_team_outside_the_configured_size(paired, org, area, guests):
    with pytest.raises(ValidationError) as exc:
        visit(org("P01"), area, date(2020, 5, 1), guests=guests)
    assert "members" in exc.value.message_dict
    assert not Visit.objects.exists()


def test_the_team_range_is_configurable(paired, county, org, area):
    set_visit_rule(actor=None, county=county, team_min=1, team_max=3, per_quarter=1, per_year=4)
    assert visit(org("P01"), area, date(2020, 5, 1), guests=("一人",)).team_size == 1


def test_it_refuses_a_visit_in_the_future(paired, org, area):
    with pytest.raises(ValidationError) as exc:
        visit(org("P01"), area, date(2020, 7, 16))
    assert "date" in exc.value.message_dict
    assert not Visit.objects.exists()


def test_it_refuses_a_village_outside_the_pairings_unless_a_reason_is_given(paired, org, area):
    with pytest.raises(ValidationError) as exc:
        visit(org("P01"), area, date(2020, 5, 1), village=ELUO)
    assert "village" in exc.value.message_dict
    assert not Visit.objects.exists()
    v = visit(org("P01"), area, date(2020, 5, 1), village=ELUO, off_pairing_reason="联合督导")
    assert v.off_pairing_reason == "联合督导"


def test_it_refuses_cadres_of_another_organisation(paired, org, area, cadre):
    foreign = cadre("P02")
    with pytest.raises(ValidationError) as exc:
        record_visit(
            actor=None,
            organisation=org("P01"),
            village=area(RANBU),
            date=date(2020, 5, 1),
            purpose="x",
            cadres=[foreign],
            guests=["甲"],
        )
    assert "cadres" in exc.value.message_dict
    assert not Visit.objects.exists()


def test_quarter_edges_are_31_march_and_1_april():
    assert quarter_of(date(2020, 3, 31)) == 1
    assert quarter_of(date(2020, 4, 1)) == 2
    assert quarter_of(date(2020, 12, 31)) == 4


def test_compliance_counts_visits_per_quarter_at_the_edges(paired, county, org, area):
    p01 = org("P01")
    visit(p01, area, date(2020, 3, 31))
    visit(p01, area, date(2020, 4, 1))
    visit(p01, area, date(2020, 4, 2))
    visit(p01, area, date(2019, 12, 31))  # last year: not counted
    rows = {r.organisation.code: r for r in compliance_matrix(county, 2020)}
    assert rows["P01"].quarters == [1, 2, 0, 0]
    assert rows["P01"].total == 3
    assert rows["P01"].states == ["ok", "ok", "open", "future"]
    assert rows["P01"].compliant is True  # so far: no ended quarter missed
    assert rows["P02"].quarters == [0, 0, 0, 0]
    assert rows["P02"].states == ["missed", "missed", "open", "future"]
    assert rows["P02"].compliant is False


def test_a_finished_year_needs_every_quarter_and_the_yearly_total(paired, county, org, area, settings):
    p01, p02 = org("P01"), org("P02")
    for day in (date(2020, 1, 5), date(2020, 4, 5), date(2020, 7, 5)):
        visit(p01, area, day)
        visit(p02, area, day, village=ELUO)
    settings.BANGFU_TODAY = date(2021, 1, 10)
    visit(p01, area, date(2020, 10, 5))
    rows = {r.organisation.code: r for r in compliance_matrix(county, 2020)}
    assert rows["P01"].quarters == [1, 1, 1, 1] and rows["P01"].compliant is True
    assert rows["P02"].quarters == [1, 1, 1, 0] and rows["P02"].compliant is False
    set_visit_rule(actor=None, county=county, team_min=2, team_max=5, per_quarter=1, per_year=5)
    rows = {r.organisation.code: r for r in compliance_matrix(county, 2020)}
    assert rows["P01"].compliant is False  # 4 visits < 5 a year


def test_visits_with_a_team_outside_todays_range_do_not_qualify(paired, county, org, area):
    visit(org("P01"), area, date(2020, 5, 1), guests=("甲", "乙"))
    set_visit_rule(actor=None, county=county, team_min=3, team_max=5, per_quarter=1, per_year=4)
    rows = {r.organisation.code: r for r in compliance_matrix(county, 2020)}
    assert rows["P01"].quarters == [0, 0, 0, 0]


def test_not_yet_visited_lists_helpers_without_a_visit_this_quarter(paired, county, org, area):
    visit(org("P01"), area, date(2020, 7, 1))
    reminders = not_yet_visited_this_quarter(county)
    assert [(r.organisation.code, [v.code for v in r.villages]) for r in reminders] == [("P02", [ELUO])]


@pytest.mark.parametrize(
    ("utc_now", "accepted"),
    [
        (datetime(2020, 3, 31, 15, 59, tzinfo=UTC), False),  # 23:59 on 31 March in Asia/Shanghai
        (datetime(2020, 3, 31, 16, 0, tzinfo=UTC), True),  # 00:00 on 1 April in Asia/Shanghai
    ],
)
def test_the_local_date_in_asia_shanghai_decides_today_and_the_quarter(
    paired, county, org, area, settings, utc_now, accepted
):
    settings.BANGFU_TODAY = None
    with mock.patch("django.utils.timezone.now", return_value=utc_now):
        if not accepted:
            with pytest.raises(ValidationError):
                visit(org("P01"), area, date(2020, 4, 1))
            assert not Visit.objects.exists()
            return
        visit(org("P01"), area, date(2020, 4, 1))
        rows = {r.organisation.code: r for r in compliance_matrix(county, 2020)}
    assert rows["P01"].quarters == [0, 1, 0, 0]
    assert rows["P01"].states[:2] == ["missed", "ok"]
