from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from bangfu.audit.models import AuditRecord
from bangfu.partners.models import EastWestLevel, HelpMode, JobGrade, Pairing, PairingKind
from bangfu.partners.selectors import villages_without_designated_helper
from bangfu.partners.services import (
    change_pairing_helper,
    create_cadre,
    create_pairing,
    end_pairing,
    set_organisation_parent,
)

from .conftest import ELUO, NOT_POOR, RANBU


def designate(county, org, village, start=date(2020, 1, 1)):
    return create_pairing(
        actor=None,
        county=county,
        kind=PairingKind.DESIGNATED,
        helper_organisation=org,
        target_area=village,
        start_date=start,
    )


def test_it_creates_a_designated_pairing_and_audits_it(county, org, area):
    pairing = designate(county, org("P01"), area(RANBU))
    assert pairing.is_active_on(date(2020, 7, 15))
    assert AuditRecord.objects.filter(action="pairing.create", target_id=str(pairing.pk)).exists()


def test_it_refuses_an_overlapping_duplicate_pairing(county, org, area):
    designate(county, org("P01"), area(RANBU))
    with pytest.raises(ValidationError) as exc:
        designate(county, org("P01"), area(RANBU), start=date(2020, 5, 1))
    assert "helper_organisation" in exc.value.message_dict
    assert Pairing.objects.count() == 1


def test_it_allows_the_same_pair_again_after_the_first_ended(county, org, area):
    first = designate(county, org("P01"), area(RANBU))
    end_pairing(actor=None, pairing=first, end_date=date(2020, 3, 31), reason="调整")
    again = designate(county, org("P01"), area(RANBU), start=date(2020, 4, 1))
    assert again.pk != first.pk
    with pytest.raises(ValidationError):
        designate(county, org("P01"), area(RANBU), start=date(2020, 3, 1))  # overlaps the first


def test_it_refuses_a_designated_pairing_to_a_village_that_is_not_registered_poor(county, org, area):
    with pytest.raises(ValidationError) as exc:
        designate(county, org("P01"), area(NOT_POOR))
    assert "target_area" in exc.value.message_dict
    assert not Pairing.objects.exists()


def test_it_refuses_an_area_outside_the_county_or_a_township_as_village(county, org, area):
    with pytest.raises(ValidationError):
        designate(county, org("P01"), area("513325100000"))
    assert not Pairing.objects.exists()


def test_it_keeps_history_when_the_helper_changes(county, org, area):
    old = designate(county, org("P01"), area(RANBU))
    new = change_pairing_helper(
        actor=None, pairing=old, helper_organisation=org("P02"), on_date=date(2020, 4, 1), reason="省里调整"
    )
    old.refresh_from_db()
    assert old.end_date == date(2020, 3, 31)
    assert old.end_reason == "省里调整"
    assert old.helper_organisation == org("P01")
    assert new.previous == old
    assert new.start_date == date(2020, 4, 1) and new.end_date is None
    assert new.helper_organisation == org("P02")
    assert Pairing.objects.filter(target_area=area(RANBU)).count() == 2
    assert set(
        AuditRecord.objects.filter(action__startswith="pairing.").values_list("action", flat=True)
    ) == {
        "pairing.create",
        "pairing.end",
    }


def test_it_refuses_a_helper_change_to_the_same_helper_or_on_the_start_day(county, org, area):
    old = designate(county, org("P01"), area(RANBU))
    with pytest.raises(ValidationError):
        change_pairing_helper(
            actor=None, pairing=old, helper_organisation=org("P01"), on_date=date(2020, 4, 1), reason="x"
        )
    with pytest.raises(ValidationError):
        change_pairing_helper(
            actor=None, pairing=old, helper_organisation=org("P02"), on_date=date(2020, 1, 1), reason="x"
        )
    old.refresh_from_db()
    assert old.end_date is None
    assert Pairing.objects.count() == 1


def test_a_refused_helper_change_leaves_the_old_pairing_running(county, org, area):
    designate(county, org("P02"), area(RANBU))
    old = designate(county, org("P01"), area(RANBU))
    with pytest.raises(ValidationError):
        # P02 already helps this village: the new pairing would duplicate it.
        change_pairing_helper(
            actor=None, pairing=old, helper_organisation=org("P02"), on_date=date(2020, 4, 1), reason="x"
        )
    old.refresh_from_db()
    assert old.end_date is None
    assert Pairing.objects.count() == 2


def test_it_refuses_to_end_a_pairing_twice_or_before_it_began(county, org, area):
    pairing = designate(county, org("P01"), area(RANBU))
    with pytest.raises(ValidationError):
        end_pairing(actor=None, pairing=pairing, end_date=date(2019, 12, 31), reason="x")
    end_pairing(actor=None, pairing=pairing, end_date=date(2020, 6, 30), reason="x")
    with pytest.raises(ValidationError):
        end_pairing(actor=None, pairing=pairing, end_date=date(2020, 7, 1), reason="x")
    pairing.refresh_from_db()
    assert pairing.end_date == date(2020, 6, 30)


def test_east_west_pairings_check_the_level_and_the_target(county, org, area):
    township = area("513325100000")
    pairing = create_pairing(
        actor=None,
        county=county,
        kind=PairingKind.EAST_WEST,
        helper_organisation=org("E02"),
        target_area=township,
        east_west_level=EastWestLevel.TOWNSHIP,
        start_date=date(2020, 1, 1),
    )
    assert pairing.pk
    with pytest.raises(ValidationError) as exc:
        create_pairing(
            actor=None,
            county=county,
            kind=PairingKind.EAST_WEST,
            helper_organisation=org("E01"),
            target_area=township,
            east_west_level=EastWestLevel.COUNTY,
            start_date=date(2020, 1, 1),
        )
    assert "target_area" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        create_pairing(
            actor=None,
            county=county,
            kind=PairingKind.EAST_WEST,
            helper_organisation=org("C02"),  # a county unit cannot be an east–west partner
            target_area=area(RANBU),
            east_west_level=EastWestLevel.VILLAGE,
            start_date=date(2020, 1, 1),
        )
    assert "helper_organisation" in exc.value.message_dict
    assert Pairing.objects.count() == 1


def test_enterprise_pairings_need_an_enterprise_and_help_modes(county, org, area):
    with pytest.raises(ValidationError) as exc:
        create_pairing(
            actor=None,
            county=county,
            kind=PairingKind.ENTERPRISE,
            helper_organisation=org("Q01"),
            target_area=area(RANBU),
            start_date=date(2020, 1, 1),
        )
    assert "help_modes" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        create_pairing(
            actor=None,
            county=county,
            kind=PairingKind.ENTERPRISE,
            helper_organisation=org("C02"),
            target_area=area(RANBU),
            help_modes=[HelpMode.INDUSTRY],
            start_date=date(2020, 1, 1),
        )
    assert "helper_organisation" in exc.value.message_dict
    assert not Pairing.objects.exists()
    pairing = create_pairing(
        actor=None,
        county=county,
        kind=PairingKind.ENTERPRISE,
        helper_organisation=org("Q01"),
        target_area=area(RANBU),
        help_modes=[HelpMode.INDUSTRY, HelpMode.EMPLOYMENT],
        start_date=date(2020, 1, 1),
    )
    assert pairing.help_modes == ["industry", "employment"]


def test_counterpart_pairings_need_a_counterpart_helper(county, org):
    with pytest.raises(ValidationError):
        create_pairing(
            actor=None,
            county=county,
            kind=PairingKind.COUNTERPART,
            helper_organisation=org("E01"),
            target_area=county,
            start_date=date(2020, 1, 1),
        )
    pairing = create_pairing(
        actor=None,
        county=county,
        kind=PairingKind.COUNTERPART,
        helper_organisation=org("K01"),
        target_area=county,
        yearly_plan="住房、教育、卫生项目",
        start_date=date(2020, 1, 1),
    )
    assert pairing.yearly_plan


def test_coverage_lists_registered_poor_villages_without_a_running_designated_helper(county, org, area):
    before = set(villages_without_designated_helper(county).values_list("code", flat=True))
    assert RANBU in before and NOT_POOR not in before and len(before) == 14
    pairing = designate(county, org("P01"), area(RANBU))
    designate(county, org("P02"), area(ELUO))
    after = set(villages_without_designated_helper(county).values_list("code", flat=True))
    assert after == before - {RANBU, ELUO}
    end_pairing(actor=None, pairing=pairing, end_date=date(2020, 6, 30), reason="x")
    assert RANBU in set(villages_without_designated_helper(county).values_list("code", flat=True))


def test_cadre_phones_are_unique_and_must_be_mobiles(org):
    create_cadre(
        actor=None, organisation=org("P01"), name="张三", phone="13900000001", job_grade=JobGrade.STAFF
    )
    with pytest.raises(ValidationError) as exc:
        create_cadre(
            actor=None, organisation=org("P02"), name="李四", phone="13900000001", job_grade=JobGrade.STAFF
        )
    assert "phone" in exc.value.message_dict
    with pytest.raises(ValidationError):
        create_cadre(
            actor=None, organisation=org("P02"), name="李四", phone="0836123456", job_grade=JobGrade.STAFF
        )
    assert org("P02").cadres.count() == 0


def test_it_refuses_a_parent_cycle(org):
    set_organisation_parent(actor=None, organisation=org("E02"), parent=org("E01"))
    with pytest.raises(ValidationError):
        set_organisation_parent(actor=None, organisation=org("E01"), parent=org("E02"))
    assert org("E01").parent is None
    assert org("E02").parent == org("E01")
