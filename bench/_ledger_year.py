"""Shared by the benchmarks (not a benchmark itself): a year of monthly ledger reports for a
county's units, 85 % submitted (most of them on time), 5 % returned, the rest missing.
Call inside a transaction after `django.setup()`."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any


def seed_ledger_year(
    county: Any,
    *,
    code_prefix: str,
    unit_name: str,
    org_type: str,
    title: str,
    units: int,
    tasks: int,
    seed: Any,
) -> tuple[list[Any], list[Any]]:
    """Creates `units` county-level units and a plan of `tasks` tasks, each unit responsible for
    every task; returns (units, reports)."""
    from django.utils import timezone

    from bangfu.partners.models import AdminLevel, Organisation
    from bangfu.workplan.models import LedgerReport, Plan, ReportStatus, Section, Task
    from bangfu.workplan.services import open_slots

    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    Organisation.objects.bulk_create(
        [
            Organisation(
                county=county,
                code=f"{code_prefix}{i:03d}",
                name=f"{unit_name}{i:03d}",
                org_type=org_type,
                admin_level=AdminLevel.COUNTY,
                area=county,
            )
            for i in range(units)
        ]
    )
    unit_rows = list(
        Organisation.objects.filter(county=county, code__startswith=code_prefix).order_by("code")
    )
    plan = Plan.objects.create(county=county, year=2020, title=title)
    section = Section.objects.create(plan=plan, kind="key_work", code="3.1", title="重点工作")
    task_rows = Task.objects.bulk_create(
        [
            Task(plan=plan, section=section, code=f"3.1.{i + 1}", title=f"任务{i + 1}", position=i)
            for i in range(tasks)
        ]
    )
    through = Task.responsible_units.through
    through.objects.bulk_create(
        [through(task_id=t.pk, organisation_id=u.pk) for t in task_rows for u in unit_rows]
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
    touched = timezone.now()  # bulk_update skips auto_now
    for r in reports:
        r.updated_at = touched
    LedgerReport.objects.bulk_update(
        reports, ["status", "first_submitted_on", "return_comment", "updated_at"], batch_size=2000
    )
    return unit_rows, reports
