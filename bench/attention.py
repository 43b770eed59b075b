"""The attention list (`bangfu.lib.attention`) and the milestones endpoint for a county admin at
county scale.

    .venv/bin/python bench/attention.py                 # bench/load.py's SQLite dataset, full scale
    .venv/bin/python bench/attention.py --scale 0.1     # its --quick dataset (1/10)

Data: `bench/load.py`'s dataset (seeded once and reused: 30,000 households / 120,000 members, a year
of ledger reports from 60 units, 60 designated pairings with 20,000 visits, a charity campaign), plus,
inside a transaction rolled back at the end, what the attention sources read and load.py does not
seed: the 2020 spring and autumn Yulu terms (the spring one past its deadline: reconciliation over the
whole registry), four milestones per plan task, none completed, every published milestone rule on
two of them, and 50 pending disbursements.
Office date 2020-12-20 (load.py's).

Measured warm (after `--warmup` calls), `--runs` times each, in-process:
  - `items_for_county(county, today)`: every source of every app;
  - `items_for_user(admin, today)`: the same, filtered to what the admin can act on;
  - `GET /api/v1/attention`, `GET /` (the home page's "my to-do") and
    `GET /api/v1/workplan/milestones?year=2020` as the county admin.
Warm means the per-process caches hold the county's list and the plan's milestone states (what a
request meets unless something they show changed): the call pays the stamp and the filtering.
Cold (`--cold` runs each): the cache is cleared before every call. Wall and CPU time
(`time.process_time`) per call; the machine's load average before and after.
Target: p95 < 100 ms warm.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import ROOT, SRC, TODAY, ensure_dataset, server_env


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": statistics.median(ordered) * 1000, "p95": p95 * 1000, "max": ordered[-1] * 1000}


def _extra_data(county: Any) -> dict[str, int]:
    from datetime import date
    from decimal import Decimal

    from bangfu.accounts.models import User
    from bangfu.projects.models import Disbursement
    from bangfu.subsidies.services import create_term
    from bangfu.workplan.models import Milestone, Plan

    for code in ("2020-spring", "2020-autumn"):
        create_term(actor=None, county=county, code=code)
    plan = Plan.objects.get(county=county, year=2020)
    ends = [date(2020, 3, 31), date(2020, 6, 30), date(2020, 9, 30), date(2020, 12, 31)]
    from bangfu.lib.milestones import all_rules

    # Every published rule judges two milestones (the 2020 plan's rules are of the same kinds: the
    # Yulu reconciliation over the registry, visits, evaluations…); the others are ticked by hand.
    rules = sorted(all_rules())
    milestones = [
        Milestone(task=t, quarter=q, title=f"节点{q}", due_date=ends[q - 1])
        for t in plan.tasks.order_by("position", "pk")
        for q in (1, 2, 3, 4)
    ]
    for i, m in enumerate(milestones[: 2 * len(rules)]):
        m.rule = rules[i % len(rules)]
    Milestone.objects.bulk_create(milestones)
    admin = User.objects.get(username="admin")
    from bangfu.partners.models import Organisation
    from bangfu.projects.services import create_project

    project = create_project(
        actor=admin,
        county=county,
        code="BENCH-1",
        title="基准项目",
        kind="designated",
        category="infrastructure",
        year=2020,
        area=county,
        funders=list(Organisation.objects.filter(county=county, code__startswith="L")[:2]),
    )
    Disbursement.objects.bulk_create(
        [
            Disbursement(
                project=project,
                county=county,
                amount=Decimal("1000"),
                payee=f"收款方{i}",
                purpose="基准",
                requested_by=admin,
            )
            for i in range(50)
        ]
    )
    return {"milestones": Milestone.objects.filter(task__plan=plan).count(), "disbursements": 50}


def measure(url: str, runs: int, warmup: int, cold_runs: int) -> None:
    os.environ.update(server_env(url))
    os.environ["BANGFU_TODAY"] = TODAY
    sys.path.insert(0, str(SRC))
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import transaction
    from django.test import Client

    from bangfu.accounts.models import User
    from bangfu.areas.models import Area
    from bangfu.core.demo import COUNTY_CODE
    from bangfu.lib import clock
    from bangfu.lib.attention import all_sources, items_for_county, items_for_user
    from bangfu.registry.models import Member

    settings.ALLOWED_HOSTS = ["*"]
    county = Area.objects.get(code=COUNTY_CODE)
    admin = User.objects.get(username="admin")
    today = clock.today()
    load_before = os.getloadavg()
    with transaction.atomic():
        extra = _extra_data(county)
        client = Client()
        client.force_login(admin)
        items = items_for_county(county, today)
        print(
            f"dataset: {Member.objects.filter(county=county).count():,} members, {extra['milestones']} "
            f"milestones, {extra['disbursements']} pending disbursements; {len(all_sources())} sources, "
            f"{len(items)} items for the county, {len(items_for_user(admin, today))} for the admin"
        )
        by_source: dict[str, list[float]] = {}
        for name, source in all_sources().items():
            samples = []
            for i in range(warmup + runs):
                t = time.perf_counter()
                list(source(county, today))
                if i >= warmup:
                    samples.append(time.perf_counter() - t)
            by_source[name] = samples
        cases = {
            "items_for_county(county)": lambda: items_for_county(county, today),
            "items_for_user(admin)": lambda: items_for_user(admin, today),
            "GET /api/v1/attention (admin)": lambda: client.get("/api/v1/attention"),
            "GET / (admin home, my to-do)": lambda: client.get("/"),
            "GET /api/v1/workplan/milestones": lambda: client.get("/api/v1/workplan/milestones?year=2020"),
        }
        results = {}
        for cold in (False, True):
            for name, call in cases.items():
                samples, cpu = [], []
                n_warm, n_runs = (0, cold_runs) if cold else (warmup, runs)
                for i in range(n_warm + n_runs):
                    if cold:
                        cache.clear()
                    t, c = time.perf_counter(), time.process_time()
                    response = call()
                    if i >= n_warm:
                        samples.append(time.perf_counter() - t)
                        cpu.append(time.process_time() - c)
                    if hasattr(response, "status_code"):
                        assert response.status_code == 200, (name, response.status_code)
                if samples:
                    cpu_stats = _stats(cpu)
                    results[f"{name}{' [cold]' if cold else ''}"] = {
                        **_stats(samples),
                        "cpu": cpu_stats["p50"],
                        "cpu95": cpu_stats["p95"],
                    }
        transaction.set_rollback(True)
    print(f"{'case':46} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'CPU p50':>8} {'CPU p95':>8}")
    for name, s in results.items():
        print(f"{name:46} {s['p50']:8.1f} {s['p95']:8.1f} {s['max']:8.1f} {s['cpu']:8.1f} {s['cpu95']:8.1f}")
    print("per source:")
    for name, samples in by_source.items():
        s = _stats(samples)
        print(f"  {name:38} {s['p50']:8.1f} {s['p95']:8.1f} {s['max']:8.1f}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in load_before)}")
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="load.py's dataset scale (0.1 = --quick)")
    parser.add_argument("--sqlite", default="")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--cold", type=int, default=5, help="cold calls per case (0: none)")
    args = parser.parse_args()
    name = (
        "load.sqlite3"
        if args.scale == 1.0
        else "load-quick.sqlite3"
        if args.scale == 0.1
        else f"load-{args.scale}.sqlite3"
    )
    url = args.sqlite or f"sqlite:///{ROOT / 'var' / 'bench' / 'load' / name}"
    ensure_dataset(url, args.scale, reseed=False)
    measure(url, args.runs, args.warmup, args.cold)


if __name__ == "__main__":
    main()
