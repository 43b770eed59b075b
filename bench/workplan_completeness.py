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
from datetime import date, timedelta
from pathlib import Path

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
    from bangfu.partners.models import AdminLevel, Organisation, OrgType
    from bangfu.workplan.models import LedgerReport, Plan, ReportStatus, Section, Task
    from bangfu.workplan.services import open_slots

    seed_demo(full=False)
    county = Area.objects.get(code="513325000000")
    rng = random.Random(60)
    with transaction.atomic():
        Organisation.objects.bulk_create(
            [
                Organisation(
                    county=county,
                    code=f"B{i:03d}",
                    name=f"基准单位{i:03d}",
                    org_type=OrgType.PARTY_GOVERNMENT,
                    admin_level=AdminLevel.COUNTY,
                    area=county,
                )
                for i in range(UNITS)
            ]
        )
        units = list(Organisation.objects.filter(code__startswith="B"))
        plan = Plan.objects.create(county=county, year=2020, title="基准方案")
        section = Section.objects.create(plan=plan, kind="key_work", code="3.1", title="基准")
        tasks = Task.objects.bulk_create(
            [
                Task(plan=plan, section=section, code=f"3.1.{i + 1}", title=f"任务{i + 1}", position=i)
                for i in range(TASKS)
            ]
        )
        through = Task.responsible_units.through
        through.objects.bulk_create(
            [through(task_id=t.pk, organisation_id=u.pk) for t in tasks for u in units]
        )
        open_slots(plan=plan)
        reports = list(LedgerReport.objects.filter(task__plan=plan))
        for r in reports:
            roll = rng.random()
            if roll < 0.85:
                due = date(r.month.year + r.month.month // 12, r.month.month % 12 + 1, 5)
                r.first_submitted_on = due + timedelta(days=rng.randint(-4, 3))
                r.status = ReportStatus.ACCEPTED if roll < 0.75 else ReportStatus.SUBMITTED
            elif roll < 0.9:
                r.first_submitted_on = date(2020, r.month.month, 28)
                r.status = ReportStatus.RETURNED
                r.return_comment = "请补充"
        LedgerReport.objects.bulk_update(
            reports, ["status", "first_submitted_on", "return_comment"], batch_size=2000
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
    one = measure(f"/workplan/completeness/?task={tasks[0].pk}")
    dash = measure("/workplan/dashboard/")
    print(f"  /workplan/completeness/                 median {full:.1f} ms over {RUNS} runs")
    print(f"  /workplan/completeness/?task=<one task> median {one:.1f} ms")
    print(f"  /workplan/dashboard/                    median {dash:.1f} ms")


if __name__ == "__main__":
    main()
