from __future__ import annotations

from datetime import date

from bangfu.audit.models import AuditRecord
from bangfu.core.demo import PROVINCIAL_UNIT_VILLAGES
from bangfu.partners.demo import seed_demo
from bangfu.partners.models import KinshipVisit, Pairing, PairingKind, Visit
from bangfu.partners.selectors import (
    compliance_matrix,
    households_without_kinship_cadre,
    not_yet_visited_this_quarter,
    villages_without_designated_helper,
)


def test_the_demo_pairs_every_poor_village_and_shows_gaps(county, household):
    for n, village in enumerate(PROVINCIAL_UNIT_VILLAGES.values()):
        for k in range(4):
            household(f"D{n:02d}{k}", village=village)
    seed_demo(county)
    counts = (
        Pairing.objects.count(),
        Visit.objects.count(),
        KinshipVisit.objects.count(),
        AuditRecord.objects.count(),
    )
    seed_demo(county)
    assert (
        Pairing.objects.count(),
        Visit.objects.count(),
        KinshipVisit.objects.count(),
        AuditRecord.objects.count(),
    ) == counts

    designated = Pairing.objects.filter(kind=PairingKind.DESIGNATED)
    assert {
        p.helper_organisation.code: p.target_area.code
        for p in designated
        if p.helper_organisation.code.startswith("P")
    } == PROVINCIAL_UNIT_VILLAGES
    assert not villages_without_designated_helper(county).exists()
    kinds = set(Pairing.objects.values_list("kind", flat=True))
    assert kinds == set(PairingKind.values)
    levels = set(Pairing.objects.filter(kind=PairingKind.EAST_WEST).values_list("east_west_level", flat=True))
    assert len(levels) >= 5
    assert households_without_kinship_cadre(county).count() == 3

    rows = {r.organisation.code: r for r in compliance_matrix(county, 2020, on=date(2020, 7, 15))}
    assert rows["P05"].states[0] == "missed" and rows["P08"].states[1] == "missed"
    assert rows["P01"].compliant is True
    reminders = {r.organisation.code for r in not_yet_visited_this_quarter(county, on=date(2020, 7, 15))}
    assert {"P04", "P10"} <= reminders
