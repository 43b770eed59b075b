"""Province-sized registry on PostgreSQL: import county by county, then the household list, Yulu
eligibility and reconciliation.

    .venv/bin/python bench/scale.py --members 2000000 \
        --postgres postgres://postgres@127.0.0.1:5432/bangfu_province

Real data arrives county by county (and an .xlsx sheet stops at 1,048,576 rows), so the members are
split over `--counties` synthetic counties of one prefecture (codes 5133NN000000, 7 townships × 10
villages each, loaded with `bangfu load-areas`). For each county the script writes a registry export
with the project's own sample generator (`bangfu.registry.sample`, the code behind
`bangfu make-sample-registry`) and a Yulu paid list (95 % of the vocational students), then runs
the product's CLI on it exactly as an operator would:

    bangfu import-registry FILE --as-of 2020-01-01       (per county, timed; CPU and peak RSS)
    bangfu yulu-record-payments --term 2020-spring --county C paid.csv
    bangfu yulu-eligible --term 2020-spring --county C
    bangfu yulu-reconcile --term 2020-spring --county C

and times `/registry/households/` in-process (Django test client, median of 7 after a warm-up) for a
county admin and a province-level admin. The database is dropped and recreated first and dropped at
the end unless `--keep-db`; generated files are kept in `--workdir` and reused when their size
matches (`--regenerate` to force). Figures go to stdout and `<workdir>/results.json`.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
BANGFU = [sys.executable, "-m", "bangfu.cli"]
TOWNSHIPS, VILLAGES = 7, 10
TERM = "2020-spring"
SECRET = "bench-scale-secret-key-0123456789-abcdefghijklmnop"
FIELD = "bench-scale-field-key-0123456789-abcdefghijklmnopq"


def county_code(i: int) -> str:
    return f"5133{i + 1:02d}000000"


def areas_csv(counties: int) -> str:
    lines = ["code,name,level,parent_code,registered_poor", "510000000000,四川省,province,,0"]
    lines.append("513300000000,甘孜藏族自治州,prefecture,510000000000,0")
    for c in range(counties):
        code = county_code(c)
        lines.append(f"{code},基准{c + 1:02d}县,county,513300000000,0")
        for t in range(TOWNSHIPS):
            tcode = f"{code[:6]}{t + 1:03d}000"
            lines.append(f"{tcode},基准{c + 1:02d}县{t + 1}镇,township,{code},0")
            for v in range(VILLAGES):
                lines.append(f"{tcode[:9]}{v + 1:03d},{t + 1}镇{v + 1}村,village,{tcode},1")
    return "\n".join(lines) + "\n"


def env_for(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        BANGFU_SECRET_KEY=SECRET,
        BANGFU_FIELD_KEY=FIELD,
        BANGFU_TODAY="2020-07-15",
        PYTHONPATH=str(ROOT / "src"),
    )
    env.pop("BANGFU_DEBUG", None)
    return env


def run(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run a bangfu command; wall time, CPU time and peak RSS of the child, its last output line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([*BANGFU, *args], env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-4000:])
        raise SystemExit(f"bangfu {' '.join(args)} failed ({proc.returncode})")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    last = (proc.stdout.strip().splitlines() or [""])[-1]
    return {"wall": wall, "cpu": cpu, "maxrss_mb": after.ru_maxrss / 1024, "out": last}


def recreate_database(url: str, drop_only: bool = False) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def generate(task: tuple[int, list[tuple[str, str, str, str]], int, int, str]) -> tuple[int, int, int, float]:
    """Write one county's registry export and paid list (runs in a worker process)."""
    from bangfu.registry.sample import VillageSpec, generate_rows, write_xlsx

    index, villages, households, people, workdir = task
    start = time.perf_counter()
    specs = [VillageSpec(*v) for v in villages]
    rows = generate_rows(specs, households=households, people=people, seed=2020 + index)
    write_xlsx(rows, Path(workdir) / f"county-{index + 1:02d}.xlsx")
    students = [r for r in rows if "中职" in r.get("schooling", "") or "高职" in r.get("schooling", "")]
    paid = [r for k, r in enumerate(students) if k % 20 != 0]
    with open(Path(workdir) / f"paid-{index + 1:02d}.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["证件号码", "金额", "发放日期"])
        writer.writerows([r["id_number"], "1500.00", "2020-05-20"] for r in paid)
    return index, len(rows), len(students), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=2_000_000)
    parser.add_argument("--counties", type=int, default=20)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/bangfu_province")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench" / "scale")
    parser.add_argument("--jobs", type=int, default=2, help="processes generating files")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    per_county = args.members // args.counties
    households = per_county // 4
    workdir: Path = args.workdir / f"{args.members}-{args.counties}"
    workdir.mkdir(parents=True, exist_ok=True)
    env = env_for(args.postgres)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
    results: dict[str, Any] = {"members": args.members, "counties": args.counties, "per_county": per_county}

    print(f"== database {urlsplit(args.postgres).path.lstrip('/')}: recreate, migrate, areas")
    recreate_database(args.postgres)
    run(["migrate", "-v", "0"], env)
    (workdir / "areas.csv").write_text(areas_csv(args.counties), encoding="utf-8")
    run(["load-areas", str(workdir / "areas.csv")], env)

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from bangfu.accounts.models import Role
    from bangfu.accounts.services import create_user
    from bangfu.areas.models import Area, Level
    from bangfu.subsidies.models import YuluTerm
    from bangfu.subsidies.selectors import eligible_member_ids, reconcile_yulu
    from bangfu.subsidies.services import create_term

    settings.ALLOWED_HOSTS = ["testserver"]
    counties = [Area.objects.get(code=county_code(c)) for c in range(args.counties)]
    marker = workdir / "generated.json"
    if args.regenerate or not marker.exists():
        tasks = []
        for c, county in enumerate(counties):
            villages = [
                (county.name, v.parent.name, v.name, v.code)
                for v in Area.objects.filter(level=Level.VILLAGE, code__startswith=county.prefix)
                .select_related("parent")
                .order_by("code")
                if v.parent
            ]
            tasks.append((c, villages, households, per_county, str(workdir)))
        print(f"== generating {args.counties} county files of {per_county:,} members ({args.jobs} processes)")
        start = time.perf_counter()
        connection.close()
        with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
            generated = pool.map(generate, tasks)
        students = sum(g[2] for g in generated)
        marker.write_text(json.dumps({"students": students}), encoding="utf-8")
        print(f"   {time.perf_counter() - start:.0f} s")
    results["students"] = json.loads(marker.read_text(encoding="utf-8"))["students"]

    print("== import, county by county (bangfu import-registry)")
    imports = []
    for c in range(args.counties):
        r = run(["import-registry", str(workdir / f"county-{c + 1:02d}.xlsx"), "--as-of", "2020-01-01"], env)
        summary = json.loads(r["out"])
        r.update(rows_per_s=per_county / r["wall"], rows_per_cpu_s=per_county / r["cpu"])
        imports.append(r)
        print(
            f"   county {c + 1:2d}: {r['wall']:6.1f} s wall ({r['rows_per_s']:,.0f} rows/s), "
            f"{r['cpu']:6.1f} CPU-s, peak {r['maxrss_mb']:.0f} MB, {summary.get('members_created', summary)}"
        )
    total_wall = sum(r["wall"] for r in imports)
    results["import"] = {
        "total_wall_s": total_wall,
        "total_cpu_s": sum(r["cpu"] for r in imports),
        "rows_per_s": args.members / total_wall,
        "first_county_s": imports[0]["wall"],
        "last_county_s": imports[-1]["wall"],
        "peak_rss_mb": max(r["maxrss_mb"] for r in imports),
    }
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT pg_database_size(current_database())")
        results["database_mb"] = cursor.fetchone()[0] / 2**20
        cursor.execute("SELECT count(*) FROM registry_member")
        results["members_in_db"] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT relname, pg_total_relation_size(c.oid) / 1048576, reltuples::bigint FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' "
            "ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 8"
        )
        results["largest_tables_mb_rows"] = {name: [mb, rows] for name, mb, rows in cursor.fetchall()}
        print(f"   largest tables (MB, rows): {results['largest_tables_mb_rows']}")
    print(f"   total {total_wall:.0f} s, database {results['database_mb']:,.0f} MB")

    print("== Yulu: record paid lists, eligibility, reconciliation (per county)")
    for county in counties:
        create_term(actor=None, county=county, code=TERM)
    yulu: dict[str, list[float]] = {"record": [], "eligible": [], "reconcile": []}
    for c, county in enumerate(counties):
        term_args = ["--term", TERM, "--county", county.code]
        paid = run(["yulu-record-payments", *term_args, str(workdir / f"paid-{c + 1:02d}.csv")], env)
        eligible = run(["yulu-eligible", *term_args], env)
        reconcile = run(["yulu-reconcile", *term_args], env)
        yulu["record"].append(paid["wall"])
        yulu["eligible"].append(eligible["wall"])
        yulu["reconcile"].append(reconcile["wall"])
        if c == 0:
            print(f"   county 1: {paid['out']} {eligible['out']} {reconcile['out'][:160]}")
    results["yulu"] = {k: {"median_s": statistics.median(v), "total_s": sum(v)} for k, v in yulu.items()}
    for k, v in results["yulu"].items():
        print(f"   {k:9s}: median {v['median_s']:.2f} s per county, {v['total_s']:.1f} s for all counties")
    startup = statistics.median(run(["yulu-eligible", "--help"], env)["wall"] for _ in range(3))
    term = YuluTerm.objects.get(county=counties[0], code=TERM)
    inproc: dict[str, float] = {}
    for label, fn in (("eligible", eligible_member_ids), ("reconcile", reconcile_yulu)):
        times = []
        for _ in range(3):
            start = time.perf_counter()
            fn(term)
            times.append(time.perf_counter() - start)
        inproc[label] = statistics.median(times)
    results["yulu"]["cli_startup_s"] = startup
    results["yulu"]["in_process_one_county_s"] = inproc
    print(
        f"   CLI start-up (bangfu yulu-eligible --help) {startup:.2f} s; in-process, one county: "
        f"eligibility {inproc['eligible']:.2f} s, reconciliation {inproc['reconcile']:.2f} s"
    )

    print("== household list (in-process, median of 7)")
    province = Area.objects.get(code="510000000000")
    users = {
        "county admin": create_user(
            actor=None,
            username="bench-county",
            password="bench-pass-123",
            role=Role.COUNTY_ADMIN,
            area=counties[0],
        ),
        "province admin": create_user(
            actor=None,
            username="bench-province",
            password="bench-pass-123",
            role=Role.COUNTY_ADMIN,
            area=province,
        ),
    }
    urls = {
        "first page": "/registry/households/",
        "page 200": "/registry/households/?page=200",
        "vocational filter": "/registry/households/?schooling=vocational",
        "name search": "/registry/households/?q=%E5%A4%9A%E5%90%89",
    }
    lists: dict[str, dict[str, float]] = {}
    for who, user in users.items():
        client = Client()
        client.force_login(user)
        for label, url in urls.items():
            assert client.get(url).status_code == 200
            times = []
            for _ in range(7):
                start = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - start) * 1000)
            lists.setdefault(who, {})[label] = statistics.median(times)
            print(f"   {who:15s} {label:18s} {statistics.median(times):8.1f} ms")
    results["household_list_ms"] = lists
    (workdir / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(results, ensure_ascii=False))
    connection.close()
    if not args.keep_db:
        recreate_database(args.postgres, drop_only=True)
        print("== database dropped")


if __name__ == "__main__":
    main()
