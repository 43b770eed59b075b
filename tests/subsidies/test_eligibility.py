from __future__ import annotations

from datetime import date

from django.core.management import call_command

from bangfu.registry.models import VOCATIONAL, Schooling
from bangfu.registry.selectors import member_status_on
from bangfu.subsidies.selectors import eligible_member_ids

from .conftest import make_household, make_member

START = date(2020, 3, 1)
VOC = Schooling.SECONDARY_VOCATIONAL_2
HIGH = Schooling.HIGH_2


def test_it_judges_schooling_on_the_term_start_date(spring):
    hh = make_household("H1")
    # In vocational school on the start date, left school the day after: still eligible.
    left_next_day = make_member(
        hh, 1, versions=[(date(2019, 9, 1), date(2020, 3, 2), VOC, True), (date(2020, 3, 2), None, "", True)]
    )
    # Became a vocational student the day after the start: not eligible this term.
    joined_next_day = make_member(
        hh,
        2,
        versions=[(date(2019, 9, 1), date(2020, 3, 2), HIGH, True), (date(2020, 3, 2), None, VOC, True)],
    )
    # Became a vocational student exactly on the start date: eligible.
    joined_on_start = make_member(
        hh, 3, versions=[(date(2019, 9, 1), START, HIGH, True), (START, None, VOC, True)]
    )
    # Left school the day before the start (valid_to is exclusive): not eligible.
    left_before = make_member(hh, 4, versions=[(date(2019, 9, 1), START, VOC, True), (START, None, "", True)])
    # First recorded after the start: judged by the earliest record.
    recorded_later = make_member(
        hh, 5, versions=[(date(2020, 5, 1), None, Schooling.HIGHER_VOCATIONAL_1, True)]
    )
    # Removed from the register on the start date (in school but not active): not eligible.
    removed = make_member(hh, 6, versions=[(date(2019, 9, 1), START, VOC, True), (START, None, VOC, False)])
    # No history rows: current fields count.
    no_history = make_member(hh, 7, schooling=Schooling.HIGHER_VOCATIONAL_3)
    undergrad = make_member(hh, 8, schooling=Schooling.UNDERGRADUATE)
    eligible = eligible_member_ids(spring)
    assert eligible == {left_next_day.pk, joined_on_start.pk, recorded_later.pk, no_history.pk}
    assert joined_next_day.pk not in eligible and left_before.pk not in eligible
    assert removed.pk not in eligible and undergrad.pk not in eligible
    # It agrees with the registry's own (row-wise) selector.
    registry_view = set(
        member_status_on(day=START, county=spring.county)
        .filter(active_on=True, schooling_on__in=VOCATIONAL)
        .values_list("pk", flat=True)
    )
    assert eligible == registry_view


def test_exited_and_monitored_households_stay_eligible_removed_households_do_not(spring):
    exited = make_member(make_household("H-EXIT", exited=True, exit_year=2019), 1, schooling=VOC)
    monitored = make_member(make_household("H-MON", monitored=True), 2, schooling=VOC)
    gone = make_member(make_household("H-GONE", active=False), 3, schooling=VOC)
    assert eligible_member_ids(spring) == {exited.pk, monitored.pk}
    assert gone.pk


def test_it_only_counts_members_of_the_terms_county(spring, demo):
    from bangfu.areas.services import load_areas_csv

    load_areas_csv(
        actor=None,
        data=(
            "code,name,level,parent_code,registered_poor\n"
            "513326000000,邻县,county,513300000000,\n"
            "513326100000,邻镇,township,513326000000,\n"
            "513326100200,邻村,village,513326100000,\n"
        ).encode(),
    )
    make_member(make_household("N1", "513326100200", "513326000000"), 1, schooling=VOC)
    mine = make_member(make_household("H1"), 2, schooling=VOC)
    assert eligible_member_ids(spring) == {mine.pk}


def test_the_command_prints_the_count_last_and_writes_xlsx(spring, tmp_path, capsys):
    make_member(make_household("H1"), 1, schooling=VOC)
    make_member(make_household("H2"), 2, schooling=HIGH)
    out = tmp_path / "eligible.xlsx"
    call_command("yulu_eligible", "--term", "2020-spring", "-o", str(out))
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == '{"eligible": 1}'
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert len(rows) == 2 and rows[1][3] == "学生1"
    assert "*" in rows[1][4]  # masked ID


def test_the_few_members_check_agrees_with_the_whole_set(spring):
    from bangfu.subsidies.selectors import eligible_member_ids_for

    hh = make_household("H1")
    members = [
        make_member(
            hh,
            1,
            versions=[(date(2019, 9, 1), date(2020, 3, 2), VOC, True), (date(2020, 3, 2), None, "", True)],
        ),
        make_member(hh, 2, versions=[(date(2020, 5, 1), None, VOC, True)]),
        make_member(hh, 3, schooling=VOC),
        make_member(hh, 4, schooling=HIGH),
    ]
    ids = [m.pk for m in members]
    assert eligible_member_ids_for(spring, ids) == eligible_member_ids(spring) == set(ids[:3])
    assert eligible_member_ids_for(spring, [ids[3]]) == set()
    assert eligible_member_ids_for(spring, []) == set()
