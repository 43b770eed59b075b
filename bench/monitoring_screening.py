"""Monitoring screening over the registry of `bench/scale.py`'s county (100,000 members) on SQLite.

    .venv/bin/python bench/monitoring_screening.py [--members 100000]

Builds a throw-away SQLite database (migrated schema, one synthetic county of 7 townships × 10
villages as `bench/scale.py` loads them), writes the county's registry with the same sample
generator and seed as `bench/scale.py`, and imports it twice through the real import (a census on
1 January and an update on 1 June in which 2 % of the members fall seriously ill and 1 % of the
households lose every labour member), then a 医保 list of 5,000 people (10 % unknown to the
registry). It then times `run_screening` — the code behind `bangfu monitoring-screen` — from no
leads at all, and again (nothing new: the idempotent path).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="bangfu-bench-monitoring-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
    os.environ.setdefault("BANGFU_DEBUG", "1")
    os.environ["BANGFU_TODAY"] = "2020-07-15"
    import django

    django.setup()
    from django.core.management import call_command

    import scale
    from bangfu.areas.models import Area
    from bangfu.areas.services import load_areas_csv
    from bangfu.lib import idnumbers
    from bangfu.monitoring.models import Lead
    from bangfu.monitoring.screening import import_department_list, run_screening
    from bangfu.registry.models import Member
    from bangfu.registry.sample import VillageSpec, generate_rows, write_csv
    from bangfu.registry.services import import_registry

    try:
        call_command("migrate", verbosity=0)
        load_areas_csv(actor=None, data=scale.areas_csv(1).encode())
        county = Area.objects.get(code=scale.county_code(0))
        villages = [
            VillageSpec(county.name, v.parent.name, v.name, v.code)
            for v in Area.objects.filter(level="village", code__startswith=county.prefix).select_related(
                "parent"
            )
        ]
        t0 = time.perf_counter()
        rows = generate_rows(villages, households=args.members // 4, people=args.members, seed=2020)
        import_registry(actor=None, path="census.csv", data=write_csv(rows), as_of=date(2020, 1, 1))
        households = sorted({r["household_number"] for r in rows})
        lose_labour = set(households[::100])
        for k, row in enumerate(rows):
            if k % 50 == 0 and row["health"] not in ("患有大病", "残疾"):
                row["health"] = "患有大病"
            if row["household_number"] in lose_labour:
                row["labour_skill"] = "丧失劳动力"
        import_registry(actor=None, path="update.csv", data=write_csv(rows), as_of=date(2020, 6, 1))
        lines = ["姓名,证件号码,医疗费用"]
        for k, row in enumerate(rows[7::20][:4500]):
            lines.append(f"{row['name']},{row['id_number']},{8000 + (k % 10) * 1000}")
        for k in range(500):
            first17 = f"5133011980{(k % 12) + 1:02d}{(k % 28) + 1:02d}{k % 1000:03d}"
            lines.append(f"外{k},{first17 + idnumbers.check_character(first17)},20000")
        import_department_list(
            actor=None,
            county=county,
            department="medical",
            file_name="medical.csv",
            data=("\n".join(lines) + "\n").encode(),
            as_of=date(2020, 6, 30),
        )
        setup = time.perf_counter() - t0
        Lead.objects.all().delete()  # time the screening from nothing
        members = Member.objects.filter(county=county).count()
        t1 = time.perf_counter()
        result = run_screening(actor=None, county=county)
        first = time.perf_counter() - t1
        t2 = time.perf_counter()
        again = run_screening(actor=None, county=county)
        second = time.perf_counter() - t2
        print(f"members {members}, set-up {setup:.1f} s")
        created = {str(k): v for k, v in result.created.items()}
        print(f"screening: {result.total} leads {created} in {first:.2f} s; per rule {result.seconds}")
        print(f"screening again: {again.total} new leads in {second:.2f} s")
        print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
