from __future__ import annotations

import json
from datetime import date

from django.core.management import call_command

from bangfu.areas.services import load_areas_csv
from bangfu.registry.models import Schooling
from bangfu.subsidies.selectors import reconcile_yulu
from bangfu.subsidies.services import create_term, record_payment

from .conftest import OTHER_VILLAGE, make_household, make_member

VOC = Schooling.SECONDARY_VOCATIONAL_1
START = date(2020, 3, 1)


def _pay(term, member, day=date(2020, 5, 10)):
    return record_payment(actor=None, term=term, member=member, amount=term.amount, paid_on=day)


def _neighbour_county():
    load_areas_csv(
        actor=None,
        data=(
            "code,name,level,parent_code,registered_poor\n"
            "513326000000,邻县,county,513300000000,\n"
            "513326100000,邻镇,township,513326000000,\n"
            "513326100200,邻村,village,513326100000,\n"
        ).encode(),
    )


def test_it_finds_each_category_on_crafted_data(spring, tmp_path, capsys):
    hh, other = make_household("H1"), make_household("H2", OTHER_VILLAGE)
    paid_ok = make_member(hh, 1, schooling=VOC)
    missing = make_member(hh, 2, schooling=VOC)
    missing_other = make_member(other, 3, schooling=VOC)
    # Paid, but only became a vocational student the day after the term started: wrong.
    wrong = make_member(
        hh,
        4,
        versions=[
            (date(2019, 9, 1), date(2020, 3, 2), Schooling.HIGH_3, True),
            (date(2020, 3, 2), None, VOC, True),
        ],
    )
    late = make_member(other, 5, schooling=VOC)
    # The same person (same ID) in a household of a neighbouring county, paid there too.
    _neighbour_county()
    twin_id = "51332520030101077"
    duplicate = make_member(hh, 7, schooling=VOC, id_seed=twin_id)
    neighbour_term = create_term(
        actor=None, county=make_household("N0", "513326100200", "513326000000").county, code="2020-spring"
    )
    twin = make_member(
        make_household("N1", "513326100200", "513326000000"), 8, schooling=VOC, id_seed=twin_id
    )
    for member in (paid_ok, wrong, duplicate):
        _pay(spring, member)
    _pay(spring, late, date(2020, 7, 1))
    _pay(neighbour_term, twin)

    rec = reconcile_yulu(spring)
    assert rec.missing == {missing.pk, missing_other.pk}
    assert rec.wrong == {wrong.pk}
    assert rec.duplicate == {duplicate.pk}
    assert rec.late == {late.pk}
    assert rec.summary() == {"eligible": 5, "paid": 4, "missing": 2, "wrong": 1, "duplicate": 1, "late": 1}
    by_township = rec.by_township()
    assert by_township["513325100"]["missing"] == 1 and by_township["513325200"]["missing"] == 1
    assert by_township["513325200"]["late"] == 1

    out = tmp_path / "rec.xlsx"
    call_command("yulu_reconcile", "--term", "2020-spring", "--county", "513325000000", "-o", str(out))
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert json.loads(last) == rec.summary()
    assert list(json.loads(last)) == ["eligible", "paid", "missing", "wrong", "duplicate", "late"]
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(out))
    assert book.sheet_names[:3] == ["汇总", "分乡镇", "漏发"]
    missing_rows = book.get_sheet_by_name("漏发").to_python()
    assert sorted(r[3] for r in missing_rows[1:]) == ["学生2", "学生3"]


def test_a_clean_term_has_no_gaps(spring):
    student = make_member(make_household("H1"), 1, schooling=VOC)
    _pay(spring, student, date(2020, 6, 30))  # on the deadline is not late
    assert reconcile_yulu(spring).summary() == {
        "eligible": 1,
        "paid": 1,
        "missing": 0,
        "wrong": 0,
        "duplicate": 0,
        "late": 0,
    }
