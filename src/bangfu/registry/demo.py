"""Demo registry: the 10 registered poor villages paired with the provincial units hold exactly
119 households / 487 people (the plan's figures), all exited; the other villages get a few
households each.

Loaded through the real import (an in-memory CSV), in two snapshots so history exists: the
census of 1 March 2020 and an update of 1 June 2020 (promotions, an exit, a member who left).
Idempotent: a county that already has registry households is left alone."""

from __future__ import annotations

from datetime import date

from bangfu.areas.models import Area, Level
from bangfu.core.demo import (
    PROVINCIAL_UNIT_VILLAGES,
    PROVINCIAL_VILLAGE_HOUSEHOLDS,
    PROVINCIAL_VILLAGE_PEOPLE,
)
from bangfu.registry.models import Household
from bangfu.registry.sample import VillageSpec, generate_rows, write_csv
from bangfu.registry.services import import_registry

CENSUS = date(2020, 3, 1)
UPDATE = date(2020, 6, 1)
OTHER_VILLAGE_HOUSEHOLDS = 2  # per village outside the provincial units' ten


def _spec(village: Area) -> VillageSpec:
    township = village.parent
    assert township is not None and township.parent is not None
    return VillageSpec(township.parent.name, township.name, village.name, village.code)


def seed_demo(county: Area) -> None:
    if Household.objects.filter(county=county).exists():
        return
    villages = {
        v.code: v
        for v in Area.objects.filter(level=Level.VILLAGE, code__startswith=county.prefix).select_related(
            "parent__parent"
        )
    }
    provincial = [_spec(villages[code]) for code in PROVINCIAL_UNIT_VILLAGES.values()]
    others = [
        _spec(v) for code, v in sorted(villages.items()) if code not in PROVINCIAL_UNIT_VILLAGES.values()
    ]
    used: set[str] = set()
    rows = generate_rows(
        provincial,
        households=PROVINCIAL_VILLAGE_HOUSEHOLDS,
        people=PROVINCIAL_VILLAGE_PEOPLE,
        seed=2020,
        reference=CENSUS,
        used_ids=used,
    )
    # The plan: the provincial units' households "脱贫退出" before 2020 (this year is 回头看、回头帮).
    for row in rows:
        if row["exit_flag"] != "已脱贫":
            row.update(exit_flag="已脱贫", exit_year="2019")
    rows += generate_rows(
        others,
        households=OTHER_VILLAGE_HOUSEHOLDS * len(others),
        seed=2021,
        reference=CENSUS,
        start_number=501,
        used_ids=used,
    )
    import_registry(actor=None, path="demo-census.csv", data=write_csv(rows), as_of=CENSUS)
    # The June update: a few students move up, one household exits, one person leaves.
    updated = [dict(row) for row in rows]
    promotions = {"九年级": "中职一年级", "普通高中三年级": "高职高专一年级", "中职三年级": ""}
    changed = 0
    for row in updated:
        if changed < 6 and row["schooling"] in promotions:
            row["schooling"] = promotions[row["schooling"]]
            changed += 1
    not_exited = next(r["household_number"] for r in updated if r["exit_flag"] == "未脱贫")
    for row in updated:
        if row["household_number"] == not_exited:
            row.update(exit_flag="已脱贫", exit_year="2020")
    leaver = next(
        i for i, r in enumerate(updated) if r["relation"] == "之女" and r["village"] == others[0].village
    )
    del updated[leaver]
    import_registry(actor=None, path="demo-update.csv", data=write_csv(updated), as_of=UPDATE, full=True)
