"""Completeness page of the work plan: 60 units × 12 months × 20 tasks (14,400 ledger slots).

Run: .venv/bin/python bench/workplan_completeness.py   (SQLite in a temporary directory;
set DATABASE_URL to measure PostgreSQL). Prints the median render time of the page for the
county admin, unfiltered, and filtered by one task. Target: < 200 ms on SQLite.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _ledger_year import seed_ledger_year

UNITS, MONTHS, TASKS, RUNS = 60, 12, 20, 15


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="bangfu-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
    os.environ.setdefault("BANGFU_DEBUG", "1")
    os.environ.setdefault("BANGFU_DATA_DIR", tmp)
    os.environ["BANGFU_TODAY"] = "2020-12-20"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    from bangfu.accounts.models import User
    from bangfu.areas.models import Area
    from bangfu.core.demo import seed_demo
    from bangfu.partners.models import OrgType

    seed_demo(full=False)
    county = Area.objects.get(code="513325000000")
    rng = random.Random(60)
    with transaction.atomic():
        _units, reports = seed_ledger_year(
            county,
            code_prefix="B",
            unit_name="基准单位",
            org_type=OrgType.PARTY_GOVERNMENT,
            title="基准方案",
            units=UNITS,
            tasks=TASKS,
            seed=rng,
        )
    assert len(reports) == UNITS * MONTHS * TASKS
    client = Client()
    client.force_login(User.objects.get(username="admin"))

    def measure(url: str) -> float:
        response = client.get(url)  # warm-up
        assert response.status_code == 200, response.status_code
        timings = []
        for _ in range(RUNS):
            start = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        return statistics.median(timings)

    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    slots = f"{UNITS} units × {MONTHS} months × {TASKS} tasks = {len(reports)} slots"
    print(f"work plan completeness, {slots} ({vendor})")
    full = measure("/workplan/completeness/")
    one = measure(f"/workplan/completeness/?task={min(r.task_id for r in reports)}")
    dash = measure("/workplan/dashboard/")
    print(f"  /workplan/completeness/                 median {full:.1f} ms over {RUNS} runs")
    print(f"  /workplan/completeness/?task=<one task> median {one:.1f} ms")
    print(f"  /workplan/dashboard/                    median {dash:.1f} ms")


if __name__ == "__main__":
    main()
