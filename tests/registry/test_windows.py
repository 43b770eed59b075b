"""The writer takes the file a window at a time: a household's facts are its head's row's, even
when the head comes windows after the household's first member."""

from __future__ import annotations

import copy

from bangfu.registry.models import Household, HouseholdAttribute, Member
from bangfu.registry.sample import generate_rows
from bangfu.registry.services import import_registry

from .conftest import AS_OF, RANBU, xlsx_file


def test_the_heads_row_gives_the_household_its_facts_from_a_later_window(demo, tmp_path):
    rows = copy.deepcopy(generate_rows([RANBU], households=2, seed=9))
    number = rows[0]["household_number"]
    members = [r for r in rows if r["household_number"] == number]
    head = next(r for r in members if r["relation"] == "户主")
    others = [r for r in members if r is not head]
    assert others, "the sample household needs a member besides its head"
    for row in others:
        row["attribute"], row["household_phone"] = "低保户", "13900000000"
    head["attribute"], head["household_phone"] = "一般户", "13811112222"
    rest = [r for r in rows if r["household_number"] != number]
    summary = import_registry(
        actor=None, path=xlsx_file(tmp_path, [*others, *rest, head]), as_of=AS_OF, chunk_rows=1
    )
    assert summary.rejected == 0 and summary.created == len(rows)
    household = Household.objects.get(number=number)
    assert household.attribute == HouseholdAttribute.GENERAL
    assert household.phone_masked.endswith("2222")
    assert Member.objects.filter(household=household).count() == len(members)
    assert Household.objects.count() == summary.households == len({r["household_number"] for r in rows})
