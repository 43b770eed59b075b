"""Yulu eligibility + reconciliation over 1,000,000 members / 50,000 students on SQLite.

    .venv/bin/python bench/subsidies_yulu.py [--members 1000000] [--students 50000]

Builds a throw-away SQLite database (migrated schema, demo areas), fills the registry tables with
raw executemany (one version per member, plus a second version for a slice of students whose
schooling changed after the term started), pays most students (some late, a few not eligible),
then times `eligible_member_ids(term)` and `reconcile_yulu(term)` — the same code the
`bangfu yulu-eligible` / `yulu-reconcile` commands and the dashboard run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--students", type=int, default=50_000)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="bangfu-bench-yulu-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
    os.environ.setdefault("BANGFU_DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from bangfu.areas.models import Area
    from bangfu.core.demo import seed_demo
    from bangfu.registry.models import Household, Member, MemberVersion, Schooling
    from bangfu.subsidies.models import YuluPayment
    from bangfu.subsidies.selectors import eligible_member_ids, reconcile_yulu
    from bangfu.subsidies.services import create_term

    call_command("migrate", verbosity=0)
    seed_demo(full=False)
    county = Area.objects.get(code="513325000000")
    villages = list(
        Area.objects.filter(level="village", code__startswith="513325").values_list("pk", flat=True)
    )
    term = create_term(actor=None, county=county, code="2020-spring")

    n_members, n_students = args.members, args.students
    per_household = 4
    n_households = n_members // per_household
    now = datetime(2020, 1, 1, 12, 0).isoformat(sep=" ")
    t0 = time.perf_counter()

    def insert(model, columns: list[str], rows) -> None:
        table = model._meta.db_table
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
        with connection.cursor() as cursor:
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) >= 50_000:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)

    vocational = [
        Schooling.SECONDARY_VOCATIONAL_1,
        Schooling.HIGHER_VOCATIONAL_2,
        Schooling.SECONDARY_VOCATIONAL_3,
    ]
    other = ["", "", "", Schooling.PRIMARY, Schooling.HIGH_1, Schooling.GRADE_8]
    student_every = n_members // n_students

    def schooling_of(i: int) -> str:
        return str(vocational[i % 3]) if i % student_every == 0 else str(other[i % len(other)])

    with transaction.atomic():
        insert(
            Household,
            [
                "id",
                "county_id",
                "village_id",
                "number",
                "attribute",
                "main_cause",
                "other_causes",
                "exited",
                "monitored",
                "monitoring_category",
                "phone_encrypted",
                "phone_masked",
                "active",
                "created_at",
                "updated_at",
            ],
            (
                (
                    h + 1,
                    county.pk,
                    villages[h % len(villages)],
                    f"H{h:08d}",
                    "",
                    "",
                    "",
                    h % 3 == 0,
                    h % 50 == 0,
                    "",
                    "",
                    "",
                    True,
                    now,
                    now,
                )
                for h in range(n_households)
            ),
        )
        insert(
            Member,
            [
                "id",
                "household_id",
                "county_id",
                "village_id",
                "number",
                "name",
                "id_type",
                "id_number_encrypted",
                "id_number_index",
                "id_number_masked",
                "sex",
                "ethnicity",
                "relation",
                "education",
                "schooling",
                "health",
                "labour_skill",
                "phone_encrypted",
                "phone_masked",
                "active",
                "left_reason",
                "created_at",
                "updated_at",
            ],
            (
                (
                    i + 1,
                    i // per_household + 1,
                    county.pk,
                    villages[(i // per_household) % len(villages)],
                    "",
                    f"M{i}",
                    "resident_id",
                    "v1.x",
                    f"{i:032x}",
                    "513325********0000",
                    "",
                    "",
                    "之子",
                    "",
                    schooling_of(i),
                    "",
                    "",
                    "",
                    "",
                    True,
                    "",
                    now,
                    now,
                )
                for i in range(n_members)
            ),
        )
        # One version per member from 2019-09-01; every 10th student changed schooling on 2020-03-02
        # (after the term started): their first version is closed and a second one opened.
        changed = {i for i in range(0, n_members, student_every * 10)}
        insert(
            MemberVersion,
            [
                "member_id",
                "county_id",
                "household_id",
                "valid_from",
                "valid_to",
                "schooling",
                "active",
                "education",
                "health",
                "labour_skill",
                "recorded_at",
            ],
            (
                (
                    i + 1,
                    county.pk,
                    i // per_household + 1,
                    "2019-09-01",
                    "2020-03-02" if i in changed else None,
                    schooling_of(i),
                    True,
                    "",
                    "",
                    "",
                    now,
                )
                for i in range(n_members)
            ),
        )
        insert(
            MemberVersion,
            [
                "member_id",
                "county_id",
                "household_id",
                "valid_from",
                "valid_to",
                "schooling",
                "active",
                "education",
                "health",
                "labour_skill",
                "recorded_at",
            ],
            (
                (i + 1, county.pk, i // per_household + 1, "2020-03-02", None, "", True, "", "", "", now)
                for i in sorted(changed)
            ),
        )
        # Pay 96 % of the students (every 25th missed), 1 % late, plus 500 non-students (wrong).
        students = range(0, n_members, student_every)
        paid = [i for k, i in enumerate(students) if k % 25 != 0]
        wrong = [i + 1 for i in range(0, 500 * student_every, student_every)]
        insert(
            YuluPayment,
            [
                "county_id",
                "term_id",
                "member_id",
                "household_id",
                "village_id",
                "id_number_index",
                "source",
                "amount",
                "paid_on",
                "created_at",
            ],
            (
                (
                    county.pk,
                    term.pk,
                    i + 1,
                    i // per_household + 1,
                    villages[(i // per_household) % len(villages)],
                    f"{i:032x}",
                    "recorded",
                    "1500.00",
                    "2020-07-02" if k % 100 == 0 else "2020-05-20",
                    now,
                )
                for k, i in enumerate(paid + wrong)
            ),
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"generated {n_members:,} members / {n_students:,} students in {time.perf_counter() - t0:.1f} s")

    t1 = time.perf_counter()
    eligible = eligible_member_ids(term)
    t2 = time.perf_counter()
    rec = reconcile_yulu(term)
    t3 = time.perf_counter()
    print(f"eligibility: {len(eligible):,} eligible in {t2 - t1:.2f} s")
    print(f"reconciliation: {rec.summary()} in {t3 - t2:.2f} s")
    print(f"eligibility + reconciliation: {t3 - t1:.2f} s (target < 5 s)")
    assert date(2020, 3, 1) == term.start_date
    connection.close()
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
