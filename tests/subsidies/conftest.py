from __future__ import annotations

from datetime import date

import pytest

from bangfu.areas.models import Area

COUNTY = "513325000000"


@pytest.fixture
def county(demo) -> Area:
    return Area.objects.get(code=COUNTY)


# Registry rows are created directly: the registry publishes models, not yet write services.
OWN_VILLAGE = "513325100202"  # 雪岭镇 然布村 (the demo village officer's)
OTHER_VILLAGE = "513325200201"  # 扎西乡 卓嘎村


def make_household(number: str, village_code: str = OWN_VILLAGE, county_code: str = COUNTY, **fields):
    from bangfu.registry.models import Household

    return Household.objects.create(
        county=Area.objects.get(code=county_code),
        village=Area.objects.get(code=village_code),
        number=number,
        **fields,
    )


def make_member(household, seq: int, *, schooling: str = "", id_seed: str = "", versions=(), active=True):
    """A member; `versions` = [(valid_from, valid_to, schooling, active)]."""
    from bangfu.lib import idnumbers
    from bangfu.lib.crypto import blind_index, encrypt_text
    from bangfu.registry.models import Member, MemberVersion

    first17 = id_seed or f"51332520030101{seq:03d}"
    number = first17 + idnumbers.check_character(first17)
    member = Member.objects.create(
        household=household,
        county=household.county,
        village=household.village,
        name=f"学生{seq}",
        id_number_encrypted=encrypt_text(number),
        id_number_index=blind_index(number, purpose="id_number"),
        id_number_masked=idnumbers.mask(number),
        relation="之子",
        schooling=schooling,
        active=active,
        left_on=None if active else date(2020, 1, 1),
    )
    for valid_from, valid_to, version_schooling, version_active in versions:
        MemberVersion.objects.create(
            member=member,
            county=household.county,
            household=household,
            valid_from=valid_from,
            valid_to=valid_to,
            schooling=version_schooling,
            active=version_active,
        )
    return member


@pytest.fixture
def spring(county_admin, county):
    from bangfu.subsidies.services import create_term

    return create_term(actor=None, county=county, code="2020-spring")
