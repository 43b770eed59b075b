from __future__ import annotations

from datetime import date

import pytest
from django.http import Http404

from bangfu.accounts.models import User
from bangfu.areas.models import Area
from bangfu.lib import idnumbers
from bangfu.lib.crypto import blind_index, encrypt_text
from bangfu.registry.models import Household, Member, MemberVersion, Schooling
from bangfu.registry.selectors import (
    get_household_for_user,
    households_for_user,
    member_status_on,
    members_for_user,
)

COUNTY = "513325000000"


def _household(number: str, village_code: str) -> Household:
    return Household.objects.create(
        county=Area.objects.get(code=COUNTY), village=Area.objects.get(code=village_code), number=number
    )


def _member(household: Household, seq: int) -> Member:
    first17 = f"51332520050101{seq:03d}"
    number = first17 + idnumbers.check_character(first17)
    return Member.objects.create(
        household=household,
        county=household.county,
        village=household.village,
        name=f"成员{seq}",
        id_number_encrypted=encrypt_text(number),
        id_number_index=blind_index(number, purpose="id_number"),
        id_number_masked=idnumbers.mask(number),
        relation="户主",
    )


@pytest.fixture
def two_townships(demo):
    own = _household("H-OWN", "513325100202")  # 雪岭镇 然布村
    other = _household("H-OTHER", "513325200201")  # 扎西乡 卓嘎村
    return own, other


def test_it_scopes_households_by_role(two_townships, county_admin, township_clerk, unit_reporter):
    own, other = two_townships
    assert set(households_for_user(county_admin)) == {own, other}
    assert list(households_for_user(township_clerk)) == [own]
    assert list(households_for_user(unit_reporter)) == []
    village_officer = User.objects.get(username="village")
    assert list(households_for_user(village_officer)) == [own]
    assert list(households_for_user(User.objects.get(username="supporter"))) == []


def test_it_answers_404_outside_scope(two_townships, township_clerk):
    assert get_household_for_user(township_clerk, "H-OWN").number == "H-OWN"
    with pytest.raises(Http404):
        get_household_for_user(township_clerk, "H-OTHER")


def test_it_scopes_members(two_townships, township_clerk):
    own, other = two_townships
    mine, _theirs = _member(own, 1), _member(other, 2)
    assert list(members_for_user(township_clerk)) == [mine]


def test_it_reports_schooling_and_active_state_on_a_day(two_townships):
    own, _other = two_townships
    student, newcomer, plain = _member(own, 3), _member(own, 4), _member(own, 5)
    MemberVersion.objects.create(
        member=student,
        county=own.county,
        household=own,
        valid_from=date(2019, 9, 1),
        valid_to=date(2020, 3, 1),
        schooling=Schooling.GRADE_9,
        active=True,
    )
    MemberVersion.objects.create(
        member=student,
        county=own.county,
        household=own,
        valid_from=date(2020, 3, 1),
        valid_to=date(2020, 9, 1),
        schooling=Schooling.SECONDARY_VOCATIONAL_1,
        active=True,
    )
    MemberVersion.objects.create(
        member=student,
        county=own.county,
        household=own,
        valid_from=date(2020, 9, 1),
        schooling=Schooling.SECONDARY_VOCATIONAL_1,
        active=False,
    )
    MemberVersion.objects.create(
        member=newcomer,
        county=own.county,
        household=own,
        valid_from=date(2020, 6, 1),
        schooling=Schooling.HIGHER_VOCATIONAL_2,
        active=True,
    )

    def status(day):
        rows = member_status_on(day=day, county=own.county)
        return {m.pk: (m.schooling_on, m.active_on) for m in rows}

    assert status(date(2020, 1, 1))[student.pk] == (Schooling.GRADE_9, True)
    assert status(date(2020, 3, 1))[student.pk] == (Schooling.SECONDARY_VOCATIONAL_1, True)
    assert status(date(2020, 10, 1))[student.pk] == (Schooling.SECONDARY_VOCATIONAL_1, False)
    # First recorded after the day: judged by its earliest record.
    assert status(date(2020, 1, 1))[newcomer.pk] == (Schooling.HIGHER_VOCATIONAL_2, True)
    # No version at all: its current fields.
    assert status(date(2020, 1, 1))[plain.pk] == (Schooling.NONE, True)
