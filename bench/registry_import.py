"""Registry import benchmark (issues #3 and #21).

    .venv/bin/python bench/registry_import.py [--rows 200000] [--naive 200] [--peer-rows N] [--raw]
        [--postgres URL]

1. Generates a national-system-style export (.xlsx) of --rows person rows (cached in var/bench/).
2. Imports it end to end (read + validate + encrypt + write, one transaction) into a fresh SQLite
   database in a child process, reporting rows/s and the child's peak memory (ru_maxrss), then the
   two floors under it: python-calamine alone reading the sheet, and the rows the import wrote
   re-inserted by raw executemany into empty copies of the same tables and indexes.
3. The peer: django-import-export importing the first --peer-rows rows of the same file through a
   `ModelResource` (use_bulk) into another fresh SQLite database, in another child process
   (bench/_import_export_peer.py; needs the bench-only extra `.venv/bin/pip install -e '.[bench]'`,
   skipped with the reason if it is not installed; --peer-rows 0 skips it).
4. Times the naive way (one ORM save() + commit per row) on a --naive slice (--naive 0 skips it).
5. With --raw: a raw sqlite3.executemany insert of all the member rows into a bare table (it
   regenerates every row in memory: costly for a big --rows).
6. With --postgres URL (an empty database you may wipe): the same end-to-end import on PostgreSQL.
7. A summary block: end to end against the floors, the overlapped ceiling and the peer, and the peak
   RSS of the import's processes, with the load average at start and end.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
BENCH_DIR = ROOT / "var" / "bench"
AS_OF = "2020-03-01"


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("BANGFU_DEBUG", "1")
    os.environ.setdefault("BANGFU_TODAY", "2020-07-15")
    os.environ.setdefault("BANGFU_DATA_DIR", str(BENCH_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bangfu.settings"
    import django

    django.setup()


def _prepare_database() -> None:
    from django.core.management import call_command

    from bangfu.core.demo import seed_demo

    call_command("migrate", interactive=False, verbosity=0)
    seed_demo(full=False)


def _villages():  # type: ignore[no-untyped-def]
    from bangfu.areas.models import Area, Level
    from bangfu.registry.sample import VillageSpec

    return [
        VillageSpec(v.parent.parent.name, v.parent.name, v.name, v.code)
        for v in Area.objects.filter(level=Level.VILLAGE, code__startswith="513325")
        .select_related("parent__parent")
        .order_by("code")
    ]


def child_import(path: str, database_url: str) -> None:
    """Runs in a fresh process: prepare the DB (not timed), import (timed), print JSON.

    Also reports CPU and wall seconds per phase (from the import's progress callback), the seconds
    spent inside the writer's executemany/COPY calls (the database's share), and, after the import,
    the time python-calamine alone takes to load and iterate the same sheet (the reading floor)."""
    _setup_django(database_url)
    _prepare_database()
    from bangfu.lib import sheets
    from bangfu.registry import writer
    from bangfu.registry.importer import read_rows
    from bangfu.registry.services import import_registry

    sql = {"seconds": 0.0, "cpu": 0.0}

    def timed(function):  # type: ignore[no-untyped-def]
        def call(*args, **kwargs):  # type: ignore[no-untyped-def]
            started, cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                sql["seconds"] += time.perf_counter() - started
                sql["cpu"] += time.process_time() - cpu

        return call

    writer.bulk_insert = timed(writer.bulk_insert)  # the real functions, timed
    writer.bulk_execute = timed(writer.bulk_execute)
    phases: dict[str, list[float]] = {}
    mark = [time.process_time(), time.perf_counter()]

    def progress(done: int, total: int, phase: str) -> None:
        cpu, wall = time.process_time(), time.perf_counter()
        spent = phases.setdefault(phase, [0.0, 0.0])
        spent[0] += cpu - mark[0]
        spent[1] += wall - mark[1]
        mark[0], mark[1] = cpu, wall

    started, cpu = time.perf_counter(), time.process_time()
    summary = import_registry(
        actor=None, path=Path(path), as_of=__import__("datetime").date(2020, 3, 1), progress=progress
    )
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    phases["commit"] = [time.process_time() - mark[0], time.perf_counter() - mark[1]]
    # Peak RSS of this process (which ran the import) and of the largest of its children the import
    # started and waited for (a reader process, if any; 0 if none): Linux ru_maxrss is in KiB.
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    children_mb = children.ru_maxrss / 1024
    children_cpu = children.ru_utime + children.ru_stime  # the reader process, if one ran
    # The reading floor as issue #21 defines it: the guarded reader's checks, then python-calamine
    # alone loading and iterating the sheet. Then bangfu's own reader (checks + the streaming reader
    # where the sheet allows it): what the import actually reads with.
    read_started = time.process_time()
    for _row in sheets.open_sheet(name=Path(path).name, path=path, use="registry")._calamine_rows():
        pass
    calamine_cpu = time.process_time() - read_started
    read_started = time.process_time()
    for _row in read_rows(path):
        pass
    reader_cpu = time.process_time() - read_started
    floor = schema_floor(database_url) if database_url.startswith("sqlite:///") else {}
    print(
        json.dumps(
            {
                **summary.as_dict(),
                "wall": round(seconds, 3),
                "cpu": round(cpu, 3),
                "peak_mb": round(peak_mb, 1),
                "children_peak_mb": round(children_mb, 1),
                "phases": {k: [round(v[0], 3), round(v[1], 3)] for k, v in phases.items()},
                "sql_wall": round(sql["seconds"], 3),
                "sql_cpu": round(sql["cpu"], 3),
                "calamine_cpu": round(calamine_cpu, 3),
                "reader_cpu": round(reader_cpu, 3),
                "children_cpu": round(children_cpu, 3),
                "schema_floor": floor,
            }
        )
    )


FLOOR_TABLES = ("registry_household", "registry_member", "registry_memberversion")


def schema_floor(database_url: str) -> dict[str, float]:
    """The writing floor of this schema: the rows the import just wrote, re-inserted by raw
    `sqlite3.executemany` (rows already built, no Python per row) into empty copies of the same
    tables with the same indexes, one commit. CPU seconds per table and for the commit."""
    source = sqlite3.connect(database_url.removeprefix("sqlite:///"))
    ddl = {
        table: [
            sql
            for (sql,) in source.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL ORDER BY type DESC",
                (table,),
            )
        ]
        for table in FLOOR_TABLES
    }
    rows = {table: source.execute(f"SELECT * FROM {table}").fetchall() for table in FLOOR_TABLES}
    source.close()
    spent: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(Path(tmp) / "floor.sqlite3")
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "cache_size=-65536"):
            conn.execute(f"PRAGMA {pragma}")
        for statements in ddl.values():
            for sql in statements:  # the table first ("table" sorts after "index" descending)
                conn.execute(sql)
        conn.commit()
        for table in FLOOR_TABLES:
            marks = ", ".join(["?"] * len(rows[table][0]))
            started = time.process_time()
            conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows[table])
            spent[table] = round(time.process_time() - started, 3)
        started = time.process_time()
        conn.commit()
        spent["commit"] = round(time.process_time() - started, 3)
        conn.close()
    return spent


def _print_breakdown(result: dict[str, Any]) -> None:
    per = 100_000 / result["rows"]
    parts = ", ".join(
        f"{name} {cpu * per:.2f}/{wall * per:.2f}" for name, (cpu, wall) in result["phases"].items()
    )
    print(f"  per 100,000 rows, CPU/wall seconds by phase: {parts}")
    print(
        f"  of which inside executemany/COPY (CPU/wall): "
        f"{result['sql_cpu'] * per:.2f}/{result['sql_wall'] * per:.2f} s; "
        f"python-calamine alone (load + iterate, CPU): {result['calamine_cpu'] * per:.2f} s"
    )
    floor = result.get("schema_floor")
    if floor:
        write = sum(floor.values())
        parts = ", ".join(f"{name.removeprefix('registry_')} {cpu * per:.2f}" for name, cpu in floor.items())
        print(
            f"  schema floor: the same rows re-inserted by raw executemany, CPU s per 100,000 rows: {parts}"
        )
        read, rows = result["calamine_cpu"], result["rows"]
        print(
            f"  floors alone: reading {rows / read:,.0f} rows/s, writing {rows / write:,.0f} rows/s; "
            f"both on one core {rows / (read + write):,.0f} rows/s, "
            f"perfectly overlapped on two {rows / max(read, write):,.0f} rows/s"
        )


def make_file(rows: int) -> Path:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"registry-{rows}.xlsx"
    if path.exists():
        return path
    from bangfu.registry.sample import generate_rows, write_xlsx

    households = max(1, rows * 10 // 41)
    data = generate_rows(_villages(), households=households, people=rows, seed=1)
    write_xlsx(data, path, title="格桑县建档立卡贫困人口明细")
    return path


def naive(rows: list[dict[str, str]]) -> float:
    """One ORM save() per row, autocommit: the way not to do it."""
    from bangfu.areas.models import Area
    from bangfu.lib import idnumbers
    from bangfu.lib.crypto import blind_index, encrypt_text
    from bangfu.registry.models import Household, Member

    county = Area.objects.get(code="513325000000")
    villages = {a.name: a for a in Area.objects.filter(level="village", code__startswith="513325")}
    started = time.perf_counter()
    households: dict[str, Household] = {}
    for row in rows:
        info = idnumbers.validate(row["id_number"], today=__import__("datetime").date(2020, 7, 15))
        household = households.get(row["household_number"])
        if household is None:
            household = Household(
                county=county, village=villages[row["village"]], number=row["household_number"]
            )
            household.save()
            households[row["household_number"]] = household
        Member(
            household=household,
            county=county,
            village=household.village,
            name=row["name"],
            id_number_encrypted=encrypt_text(info.number),
            id_number_index=blind_index(info.number, purpose="naive"),
            id_number_masked=idnumbers.mask(info.number),
            sex=info.sex,
            birth_date=info.birth_date,
            relation=row["relation"],
            schooling="",
        ).save()
    return len(rows) / (time.perf_counter() - started)


def raw_executemany(rows: list[dict[str, str]]) -> float:
    """The floor: sqlite3.executemany of the same member rows into a bare table, one commit."""
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(Path(tmp) / "raw.sqlite3")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(
            "CREATE TABLE member (id INTEGER PRIMARY KEY, household TEXT, village TEXT, number TEXT, "
            "name TEXT, id_number TEXT, relation TEXT, ethnicity TEXT, education TEXT, schooling TEXT, "
            "health TEXT, labour_skill TEXT, phone TEXT)"
        )
        values = [
            (
                r["household_number"],
                r["village"],
                r["member_number"],
                r["name"],
                r["id_number"],
                r["relation"],
                r["ethnicity"],
                r["education"],
                r["schooling"],
                r["health"],
                r["labour_skill"],
                r["member_phone"],
            )
            for r in rows
        ]
        started = time.perf_counter()
        conn.executemany(
            "INSERT INTO member (household, village, number, name, id_number, relation, ethnicity, "
            "education, schooling, health, labour_skill, phone) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            values,
        )
        conn.commit()
        rate = len(values) / (time.perf_counter() - started)
        conn.close()
    return rate


def run_child(path: Path, database_url: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path), database_url],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def child_peer(path: str, database_url: str, rows: str) -> None:
    """Runs in a fresh process: prepare the DB like the main import (not timed), then read and
    import `path` through django-import-export (timed, bench/_import_export_peer.py); print JSON."""
    import _import_export_peer as peer

    _setup_django(database_url)
    _prepare_database()
    figures = peer.run(Path(path), int(rows))
    figures["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures))


def peer_file(path: Path, rows: int) -> Path:
    """The first `rows` person rows of `path`, with its title row and header, as a file of their own
    (cached beside it), so the peer reads only the rows it imports."""
    from bangfu.lib import sheets
    from bangfu.registry.importer import read_rows

    cut = path.with_name(f"{path.stem}-first{rows}.xlsx")
    if not cut.exists():
        head = list(itertools.islice(read_rows(path), rows + 2))
        sheets.write_table(cut, sheet_name="人员信息", header=head[1], rows=head[2:], title=str(head[0][0]))
    return cut


def run_peer(path: Path, total: int, rows: int, database_url: str) -> dict[str, Any]:
    """The peer in its own child process; {"skipped": why} if it cannot run."""
    import _import_export_peer as peer

    why = peer.missing()
    if why:
        return {"skipped": why}
    source = path if rows >= total else peer_file(path, rows)
    out = subprocess.run(
        [sys.executable, __file__, "--peer", str(source), database_url, str(min(rows, total))],
        capture_output=True,
        text=True,
    )
    if out.returncode:
        return {"skipped": f"failed (exit {out.returncode}): {out.stderr.strip().splitlines()[-1:]}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def _print_summary(result: dict[str, Any], peer: dict[str, Any], load_start: str) -> None:
    rows, wall = result["rows"], result["wall"]
    rate = rows / wall
    read = result["calamine_cpu"]
    write = sum(result["schema_floor"].values())
    ceiling = rows / max(read, write)
    own, children = result["peak_mb"], result["children_peak_mb"]
    print(f"\nregistry import, SQLite, {rows:,} rows (load average {load_start} at start, {_load()} at end):")
    print(f"  end to end            {rate:>8,.0f} rows/s  ({wall:.2f} s wall)")
    print(f"  reading floor         {rows / read:>8,.0f} rows/s  (python-calamine alone, {read:.2f} CPU s)")
    reader = result["reader_cpu"]
    print(
        f"  (bangfu's own reader  {rows / reader:>8,.0f} rows/s  alone, {reader:.2f} CPU s; with it as the "
        f"reading floor, end to end / ceiling = {rate / (rows / max(reader, write)):.2f})"
    )
    print(
        f"  CPU                   importing process {result['cpu']:.2f} s, reader process "
        f"{result['children_cpu']:.2f} s"
    )
    print(
        f"  writing floor         {rows / write:>8,.0f} rows/s  "
        f"(raw executemany of the same rows into the same tables and indexes, {write:.2f} CPU s)"
    )
    print(
        f"  overlapped ceiling    {ceiling:>8,.0f} rows/s  -> end to end / ceiling = {rate / ceiling:.2f}  "
        f"(target >= 0.75)"
    )
    if "skipped" in peer:
        print(f"  peer (django-import-export, use_bulk)  skipped: {peer['skipped']}")
    else:
        peer_rate = peer["rows"] / peer["wall"]
        print(
            f"  peer (django-import-export, use_bulk)  {peer_rate:,.0f} rows/s on {peer['rows']:,} rows "
            f"-> end to end / peer = {rate / peer_rate:.1f}x (target >= 8)"
        )
    print(
        f"  peak RSS, all processes  {own + children:,.0f} MB (importing process {own:,.0f} MB + "
        f"children {children:,.0f} MB: ru_maxrss of the --child process that ran the import, plus its "
        f"RUSAGE_CHILDREN after the import, i.e. the largest child it waited for; an upper bound)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--naive", type=int, default=200, help="rows for the naive ORM run; 0 skips it")
    parser.add_argument(
        "--peer-rows",
        type=int,
        default=None,
        help="rows for the django-import-export peer (default min(--rows, 20000)); 0 skips it",
    )
    parser.add_argument(
        "--raw",
        action="store_true",
        help="also time raw executemany into a bare table (regenerates every row)",
    )
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", ""))
    parser.add_argument("--child", nargs=2, metavar=("FILE", "DATABASE_URL"))
    parser.add_argument("--peer", nargs=3, metavar=("FILE", "DATABASE_URL", "ROWS"))
    args = parser.parse_args()
    if args.child:
        child_import(*args.child)
        return
    if args.peer:
        child_peer(*args.peer)
        return

    load_start = _load()
    print(f"load average at start: {load_start}")
    tmp = Path(tempfile.mkdtemp(prefix="bangfu-bench-"))
    _setup_django(f"sqlite:///{tmp / 'setup.sqlite3'}")
    _prepare_database()
    started = time.perf_counter()
    path = make_file(args.rows)
    print(f"file: {path} ({path.stat().st_size / 1e6:.1f} MB, made in {time.perf_counter() - started:.1f} s)")

    result = run_child(path, f"sqlite:///{tmp / 'import.sqlite3'}")
    rate = result["rows"] / result["wall"]
    print(
        f"end to end, SQLite: {result['rows']} rows in {result['wall']:.2f} s = {rate:,.0f} rows/s "
        f"(accepted {result['accepted']}, rejected {result['rejected']}); "
        f"CPU {result['cpu']:.2f} s = {result['rows'] / result['cpu']:,.0f} rows per CPU-second; "
        f"peak memory {result['peak_mb']:.0f} MB (+ children {result['children_peak_mb']:.0f} MB)"
    )
    _print_breakdown(result)

    peer_rows = min(args.rows, 20_000) if args.peer_rows is None else args.peer_rows
    if peer_rows > 0:
        peer = run_peer(path, result["rows"], peer_rows, f"sqlite:///{tmp / 'peer.sqlite3'}")
        if "skipped" in peer:
            print(f"peer, django-import-export: skipped: {peer['skipped']}")
        else:
            print(
                f"peer, django-import-export (ModelResource, use_bulk, batch_size 1000, skip_diff), SQLite: "
                f"{peer['rows']} rows in {peer['wall']:.2f} s (of which reading {peer['read_wall']:.2f} s) = "
                f"{peer['rows'] / peer['wall']:,.0f} rows/s; results {peer['totals']}; "
                f"members written {peer['members_written']}; peak memory {peer['peak_mb']:.0f} MB"
                + (f"; problems {peer['errors']}" if peer["errors"] else "")
            )
    else:
        peer = {"skipped": "--peer-rows 0"}

    from bangfu.registry.sample import generate_rows

    ratios = []
    if args.naive > 0:
        sample = generate_rows(
            _villages(), households=max(1, args.naive * 10 // 41), people=args.naive, seed=2
        )
        naive_rate = naive(sample)
        print(f"naive ORM save() per row, SQLite ({len(sample)} rows): {naive_rate:,.0f} rows/s")
        ratios.append(f"end to end / naive = {rate / naive_rate:.0f}x")
    if args.raw:
        all_rows = generate_rows(
            _villages(), households=max(1, args.rows * 10 // 41), people=args.rows, seed=1
        )
        raw_rate = raw_executemany(all_rows)
        del all_rows
        print(f"raw sqlite3.executemany of the same {args.rows} member rows: {raw_rate:,.0f} rows/s")
        ratios.insert(0, f"end to end / raw executemany = {rate / raw_rate:.2f}")
    if ratios:
        print("; ".join(ratios))

    if args.postgres:
        from django.db import connections

        connections.close_all()
        os.environ["DATABASE_URL"] = args.postgres
        subprocess.run([sys.executable, "-c", _PG_RESET, args.postgres], check=True, env=os.environ.copy())
        pg = run_child(path, args.postgres)
        print(
            f"end to end, PostgreSQL (COPY): {pg['rows']} rows in {pg['wall']:.2f} s = "
            f"{pg['rows'] / pg['wall']:,.0f} rows/s; CPU {pg['cpu']:.2f} s (client side); "
            f"peak memory {pg['peak_mb']:.0f} MB (+ children {pg['children_peak_mb']:.0f} MB)"
        )
        _print_breakdown(pg)

    _print_summary(result, peer, load_start)


# Empties the PostgreSQL benchmark database (public schema) so each run starts fresh.
_PG_RESET = """
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    conn.execute("DROP SCHEMA public CASCADE")
    conn.execute("CREATE SCHEMA public")
"""

if __name__ == "__main__":
    main()
