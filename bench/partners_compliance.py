"""Benchmark: the work-team compliance page (organisation × quarter) for a county of 300 helper
organisations and 20,000 visits, rendered on SQLite. Target: < 200 ms.

    .venv/bin/python bench/partners_compliance.py

Builds a throw-away SQLite database in a temporary directory (demo base + bulk-inserted data),
then times GET /partners/compliance/?year=2020 as the county admin (median of 15 after warm-up),
through the full middleware stack but without the test runner's template instrumentation."""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ORGANISATIONS = 300
VISITS = 20_000


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bangfu-bench-") as tmp:
        run(Path(tmp))


def run(tmp: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.setdefault("BANGFU_DEBUG", "1")  # dev secrets; DEBUG itself is switched off below
    os.environ["BANGFU_TODAY"] = "2020-12-31"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)

    from bangfu.accounts.models import User
    from bangfu.areas.models import Area
    from bangfu.core.demo import seed_demo
    from bangfu.partners.models import Organisation, OrgType, Pairing, PairingKind, Visit

    seed_demo(full=False)
    county = Area.objects.get(code="513325000000")
    villages = list(Area.objects.filter(level="village", registered_poor=True, code__startswith="513325"))
    rng = random.Random(1)
    Organisation.objects.bulk_create(
        [
            Organisation(
                county=county,
                code=f"B{i:04d}",
                name=f"基准帮扶单位{i:04d}",
                org_type=OrgType.PUBLIC_INSTITUTION,
                admin_level="county",
            )
            for i in range(ORGANISATIONS)
        ]
    )
    orgs = list(Organisation.objects.filter(code__startswith="B"))
    Pairing.objects.bulk_create(
        [
            Pairing(
                county=county,
                kind=PairingKind.DESIGNATED,
                helper_organisation=o,
                target_area=villages[i % len(villages)],
                start_date=date(2019, 1, 1),
            )
            for i, o in enumerate(orgs)
        ]
    )
    village_of = {o.pk: villages[i % len(villages)] for i, o in enumerate(orgs)}
    visits = []
    for _ in range(VISITS):
        o = rng.choice(orgs)
        visits.append(
            Visit(
                county=county,
                organisation=o,
                village=village_of[o.pk],
                date=date(2020, 1, 1) + timedelta(days=rng.randrange(366)),
                team_size=rng.randint(1, 6),
                purpose="bench",
            )
        )
    Visit.objects.bulk_create(visits, batch_size=2000)

    client = Client()
    client.force_login(User.objects.get(username="admin"))
    url = "/partners/compliance/?year=2020"
    for _ in range(3):
        assert client.get(url).status_code == 200
    timings = []
    for _ in range(15):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    rows = response.content.decode().count('<td class="num q-') // 4
    print(f"organisations in matrix: {rows}, visits: {Visit.objects.count()}")
    median, worst = statistics.median(timings), max(timings)
    print(f"compliance page: median {median:.1f} ms, max {worst:.1f} ms (target < 200 ms)")
    if os.environ.get("BENCH_QUERIES"):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:8]:
            print(q["time"], q["sql"][:300])
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        client.get(url)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
