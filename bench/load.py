"""Load test of the production server (`bangfu serve`: gunicorn, 2 workers) on a county-sized dataset.

    .venv/bin/python bench/load.py                      # SQLite and PostgreSQL, 50 users, 30 s phases
    .venv/bin/python bench/load.py --quick              # smoke run: 1/10 dataset, 8 s phases
    .venv/bin/python bench/load.py --db sqlite          # one database only
    .venv/bin/python bench/load.py --postgres postgres://postgres@127.0.0.1:5432/bangfu_load

Dataset (seeded once per database and reused; `--reseed` to rebuild): the demo county's base, a
registry of 30,000 households / 120,000 members written by the project's sample generator and loaded
with `bangfu import-registry`, a year of ledger reports from 60 units (60 × 12 months × 20 tasks), the
same 60 units paired to villages with 20,000 work-team visits, and a disclosed charity campaign with
10,000 donations. Everything but the registry import is bulk-inserted (bulk_create / bulk_update).

The load generator is written here (asyncio, raw HTTP/1.1 keep-alive) rather than locust: on a 2-core
machine the generator shares the CPU with the server, and a Python generator on requests/gevent spends
about as much CPU per request as the pages it measures. This one spends well under a millisecond per
request; its CPU time and the server's are both reported, so the cost is visible.

For each page two phases run after a warm-up, each with `--users` (50) concurrent virtual users, each
on its own session (staff pages log in as the county admin) and keep-alive connection:

  users     each user requests the page, then thinks 1–5 s (locust's `between(1, 5)`) — the
            "50 concurrent users" of the target (p95 < 200 ms for staff pages);
  saturate  no think time: the server's throughput ceiling and latency when every worker is busy
            (the public disclosure page's target is ≥ 300 requests/s here).

Reported per phase: requests, errors, throughput, p50/p95/p99 latency, server CPU ms per request (the
gunicorn processes' CPU time / requests), generator CPU, and the machine's load average.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

from _ledger_year import seed_ledger_year

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
SEED_VERSION = 1
SECRET = "bench-load-secret-key-0123456789-abcdefghijklmnopq"
FIELD = "bench-load-field-key-0123456789-abcdefghijklmnopqr"
TODAY = "2020-12-20"
PASSWORD = "bench-load-password"
HOUSEHOLDS, MEMBERS, UNITS, MONTHS, TASKS, VISITS, DONATIONS = 30_000, 120_000, 60, 12, 20, 20_000, 10_000


def server_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        BANGFU_SECRET_KEY=SECRET,
        BANGFU_FIELD_KEY=FIELD,
        BANGFU_TODAY=TODAY,
        BANGFU_DATA_DIR=str(ROOT / "var" / "bench" / "load" / "data"),
        DJANGO_SETTINGS_MODULE="bangfu.settings",
        PYTHONPATH=str(SRC),
    )
    for name in ("BANGFU_DEBUG", "BANGFU_DEMO"):
        env.pop(name, None)
    return env


# --- dataset ------------------------------------------------------------------------------------
def seed(url: str, scale: float, workdir: Path) -> None:
    """Runs in a child process (settings are per process): migrate and fill the database."""
    os.environ.update(server_env(url))
    sys.path.insert(0, str(SRC))
    import django

    django.setup()
    from datetime import date, timedelta
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection, transaction

    from bangfu.accounts.models import User
    from bangfu.areas.models import Area, Level
    from bangfu.charity import services as charity
    from bangfu.charity.models import Campaign, CampaignStatus
    from bangfu.core.demo import COUNTY_CODE, seed_demo
    from bangfu.partners.models import Organisation, OrgType, Pairing, PairingKind, Visit
    from bangfu.registry.sample import VillageSpec, generate_rows, write_xlsx

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    seed_demo(full=False)
    admin = User.objects.get(username="admin")
    admin.set_password(PASSWORD)
    admin.save(update_fields=["password"])
    county = Area.objects.get(code=COUNTY_CODE)
    rng = random.Random(10)

    # Registry: the product's own generator and importer (the CLI, as an operator runs it).
    villages = [
        VillageSpec(v.parent.parent.name, v.parent.name, v.name, v.code)
        for v in Area.objects.filter(level=Level.VILLAGE, code__startswith=county.prefix)
        .select_related("parent__parent")
        .order_by("code")
        if v.parent and v.parent.parent
    ]
    households, members = int(HOUSEHOLDS * scale), int(MEMBERS * scale)
    xlsx = workdir / f"registry-{households}.xlsx"
    if not xlsx.exists():
        partial = xlsx.with_suffix(f".{os.getpid()}.xlsx")
        write_xlsx(generate_rows(villages, households=households, people=members, seed=10), partial)
        partial.rename(xlsx)
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bangfu.cli", "import-registry", str(xlsx), "--as-of", "2020-01-01"],
        env=server_env(url),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"   registry: {members:,} members imported in {time.perf_counter() - t:.0f} s", flush=True)

    units_n, visits_n, donations_n = max(6, int(UNITS * scale)), int(VISITS * scale), int(DONATIONS * scale)
    with transaction.atomic():
        units, _reports = seed_ledger_year(
            county,
            code_prefix="L",
            unit_name="负载测试单位",
            org_type=OrgType.PUBLIC_INSTITUTION,
            title="负载测试方案",
            units=units_n,
            tasks=TASKS,
            seed=rng,
        )

        poor = list(Area.objects.filter(level=Level.VILLAGE, code__startswith=county.prefix).order_by("code"))
        Pairing.objects.bulk_create(
            [
                Pairing(
                    county=county,
                    kind=PairingKind.DESIGNATED,
                    helper_organisation=u,
                    target_area=poor[i % len(poor)],
                    start_date=date(2019, 1, 1),
                )
                for i, u in enumerate(units)
            ]
        )
        visits = []
        for _ in range(visits_n):
            i = rng.randrange(len(units))
            visits.append(
                Visit(
                    county=county,
                    organisation=units[i],
                    village=poor[i % len(poor)],
                    date=date(2020, 1, 1) + timedelta(days=rng.randrange(355)),
                    team_size=rng.randint(1, 6),
                    purpose="入户走访",
                )
            )
        Visit.objects.bulk_create(visits, batch_size=2000)

    # Charity: a campaign with its donation statement imported (the app's own bulk path), disclosed.
    campaign = charity.create_campaign(
        actor=admin,
        county=county,
        year=2020,
        name="负载测试募捐活动",
        organiser=Organisation.objects.get(county=county, code="C09"),
        starts_on=date(2020, 1, 1),
        ends_on=date(2020, 12, 31),
        target=Decimal("5000000"),
    )
    if campaign.status == CampaignStatus.PLANNED:
        campaign = charity.change_campaign_status(actor=admin, campaign=campaign, status=CampaignStatus.OPEN)
    codes = [v.code for v in poor]
    lines = ["收据编号,捐赠人类型,捐赠人,金额,捐赠日期,渠道,同意公开,定向,定向村代码"]
    for i in range(donations_n):
        earmark = ("定向到村", codes[i % len(codes)]) if i % 5 == 0 else ("", "")
        lines.append(
            f"L{i:07d},个人,捐赠人{i},{(i % 500) + 1}.50,2020-{i % 11 + 1:02d}-02,bank,"
            f"{'是' if i % 2 else '否'},{earmark[0]},{earmark[1]}"
        )
    data = ("\n".join(lines) + "\n").encode("utf-8")
    charity.import_donations(actor=admin, campaign=campaign, data=data, filename="load.csv")
    for status in (CampaignStatus.CLOSED, CampaignStatus.DISCLOSED):
        campaign = charity.change_campaign_status(actor=admin, campaign=campaign, status=status)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    info = {
        "version": SEED_VERSION,
        "scale": scale,
        "campaign": Campaign.objects.get(pk=campaign.pk).code,
        "seconds": round(time.perf_counter() - started),
    }
    print(json.dumps(info), flush=True)


def seeded(url: str, campaign: str) -> bool:
    """The database the marker speaks of is still there (it may have been dropped to free disk)."""
    if not url.startswith("postgres"):
        return Path(url.removeprefix("sqlite:///")).exists()
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT 1 FROM charity_campaign WHERE code = %s", [campaign]).fetchone()
            return row is not None
    except psycopg.Error:
        return False


def ensure_dataset(url: str, scale: float, reseed: bool) -> dict[str, Any]:
    workdir = ROOT / "var" / "bench" / "load"
    workdir.mkdir(parents=True, exist_ok=True)
    marker = workdir / f"seeded-{urllib.parse.quote(url, safe='')}.json"
    if marker.exists() and not reseed:
        info = json.loads(marker.read_text())
        current = info.get("version") == SEED_VERSION and info.get("scale") == scale
        if current and seeded(url, info["campaign"]):
            return info
    if url.startswith("postgres"):
        import psycopg

        parts = urllib.parse.urlsplit(url)
        admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{parts.path.lstrip("/")}"')
    else:
        db = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    print(f"== seeding {url} (scale {scale})", flush=True)
    out = subprocess.run(
        [sys.executable, __file__, "--_seed", url, "--_scale", str(scale)],
        check=True,
        capture_output=True,
        text=True,
    )
    print(out.stdout.rstrip(), flush=True)
    info = json.loads(out.stdout.strip().splitlines()[-1])
    marker.write_text(json.dumps(info))
    return info


# --- server ---------------------------------------------------------------------------------------
class Server:
    def __init__(self, url: str, port: int, workers: int) -> None:
        log = ROOT / "var" / "bench" / "load" / "server.log"
        self.log = open(log, "ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bangfu.cli",
                "serve",
                "--addr",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
            ],
            env=server_env(url),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit("server did not start; see var/bench/load/server.log")

    def pids(self) -> list[int]:
        pids = [self.proc.pid]
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        except OSError:
            children = []
        return pids + [int(p) for p in children]

    def cpu_seconds(self) -> float:
        total = 0.0
        tick = os.sysconf("SC_CLK_TCK")
        for pid in self.pids():
            try:
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(stat[11]) + int(stat[12])) / tick
        return total

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def login(base: str, username: str, password: str) -> str:
    """Log in through the real form; the session cookie header for the load requests."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + "/accounts/login/") as r:
        page = r.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    body = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    with opener.open(urllib.request.Request(base + "/accounts/login/", data=body)) as r:
        r.read()
    cookies = {c.name: c.value for c in jar}
    assert "sessionid" in cookies, "login failed"
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


# --- load generator -------------------------------------------------------------------------------
class Connection:
    IDLE = 1.0  # gunicorn closes idle keep-alive connections after 2 s

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.last = 0.0

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, raw: bytes) -> int:
        for attempt in range(2):
            if self.writer is None or time.monotonic() - self.last > self.IDLE:
                await self.close()
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            assert self.reader is not None and self.writer is not None
            try:
                self.writer.write(raw)
                status, keep = await read_response(self.reader)
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                if attempt:
                    raise
                continue
            self.last = time.monotonic()
            if not keep:
                await self.close()
            return status
        raise AssertionError("unreachable")


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip().lower()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status, headers.get("connection") != "close"


@dataclass
class Phase:
    page: str
    mode: str
    samples: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    load: str = ""

    def row(self) -> dict[str, Any]:
        s = sorted(self.samples)
        n = len(s)

        def pct(p: float) -> float:
            return s[min(n - 1, int(p * n))] * 1000 if n else float("nan")

        done = n + self.errors
        return {
            "page": self.page,
            "mode": self.mode,
            "requests": n,
            "errors": self.errors,
            "rps": n / self.seconds if self.seconds else 0.0,
            "p50_ms": statistics.median(s) * 1000 if n else float("nan"),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "server_cpu_ms_per_req": self.server_cpu / done * 1000 if done else float("nan"),
            "client_cpu_ms_per_req": self.client_cpu / done * 1000 if done else float("nan"),
            "loadavg": self.load,
        }


async def run_phase(
    port: int, path: str, cookies: list[str], think: tuple[float, float] | None, warmup: float, seconds: float
) -> tuple[list[float], int]:
    loop = asyncio.get_running_loop()
    start = loop.time()
    measure_from, deadline = start + warmup, start + warmup + seconds
    samples: list[float] = []
    errors = 0

    async def user(i: int) -> None:
        nonlocal errors
        rng = random.Random(i)
        cookie = f"Cookie: {cookies[i % len(cookies)]}\r\n" if cookies else ""
        raw = (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Language: zh-hans\r\n{cookie}\r\n"
        ).encode()
        conn = Connection(port)
        if think:
            await asyncio.sleep(rng.uniform(0, think[1]))  # spread the users' first requests
        while loop.time() < deadline:
            t0 = loop.time()
            try:
                status = await conn.request(raw)
                ok = status == 200
            except (OSError, asyncio.IncompleteReadError):
                ok = False
                await conn.close()
            t1 = loop.time()
            if t0 >= measure_from and t1 <= deadline:
                if ok:
                    samples.append(t1 - t0)
                else:
                    errors += 1
            if think:
                await asyncio.sleep(rng.uniform(*think))
        await conn.close()

    await asyncio.gather(*(user(i) for i in range(len(cookies) or 50)))
    return samples, errors


def measure(
    server: Server, port: int, page: str, path: str, cookies: list[str], mode: str, args: argparse.Namespace
) -> Phase:
    think = (1.0, 5.0) if mode == "users" else None
    cpu0, me0 = server.cpu_seconds(), resource.getrusage(resource.RUSAGE_SELF)
    load0 = os.getloadavg()[0]
    samples, errors = asyncio.run(run_phase(port, path, cookies, think, args.warmup, args.seconds))
    me1 = resource.getrusage(resource.RUSAGE_SELF)
    phase = Phase(page, mode, samples, errors, args.seconds)
    # CPU over warm-up + measurement, scaled to the measured window's share of requests.
    share = args.seconds / (args.seconds + args.warmup)
    phase.server_cpu = (server.cpu_seconds() - cpu0) * share
    phase.client_cpu = (me1.ru_utime + me1.ru_stime - me0.ru_utime - me0.ru_stime) * share
    phase.load = f"{load0:.1f}→{os.getloadavg()[0]:.1f}"
    return phase


def bench_database(url: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    info = ensure_dataset(url, args.scale, args.reseed)
    vendor = "postgresql" if url.startswith("postgres") else "sqlite"
    server = Server(url, args.port, args.workers)
    rows = []
    try:
        base = server.base
        staff = [login(base, "admin", PASSWORD) for _ in range(args.users)]
        public = [""] * args.users
        pages = [
            ("household list", "/registry/households/", staff),
            ("ledger completeness", "/workplan/completeness/", staff),
            ("compliance", "/partners/compliance/?year=2020", staff),
            ("work-plan dashboard", "/workplan/dashboard/", staff),
            ("home", "/", staff),
            ("public disclosure", f"/disclosure/{info['campaign']}/", public),
        ]
        for page, path, cookies in pages:
            if args.pages and not any(p in page for p in args.pages):
                continue
            for mode in args.modes:
                row = measure(server, args.port, page, path, cookies, mode, args).row()
                row["db"] = vendor
                rows.append(row)
                print(
                    f"{vendor:10s} {page:20s} {mode:8s} {row['requests']:6d} req {row['errors']:3d} err "
                    f"{row['rps']:7.1f} req/s  p50 {row['p50_ms']:7.1f}  p95 {row['p95_ms']:7.1f}  "
                    f"p99 {row['p99_ms']:7.1f} ms  server {row['server_cpu_ms_per_req']:6.1f} CPU-ms/req  "
                    f"client {row['client_cpu_ms_per_req']:4.2f}  load {row['loadavg']}",
                    flush=True,
                )
    finally:
        server.stop()
    return rows


def markdown(rows: list[dict[str, Any]]) -> str:
    out = [
        "| db | page | mode | req/s | p50 ms | p95 ms | p99 ms | errors | server CPU ms/req | load avg |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['db']} | {r['page']} | {r['mode']} | {r['rps']:.1f} | {r['p50_ms']:.0f} "
            f"| {r['p95_ms']:.0f} | {r['p99_ms']:.0f} | {r['errors']} "
            f"| {r['server_cpu_ms_per_req']:.1f} | {r['loadavg']} |"
        )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--sqlite", default=f"sqlite:///{ROOT / 'var' / 'bench' / 'load' / 'load.sqlite3'}")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/bangfu_load")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--modes", nargs="+", default=["users", "saturate"], choices=["users", "saturate"])
    parser.add_argument("--pages", nargs="*", default=[], help="only pages whose name contains one of these")
    parser.add_argument("--quick", action="store_true", help="1/10 dataset, 8 s phases")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--seed-only", action="store_true", help="build the datasets, measure nothing")
    parser.add_argument("--_seed", help=argparse.SUPPRESS)
    parser.add_argument("--_scale", type=float, default=1.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._seed:
        seed(args._seed, args._scale, ROOT / "var" / "bench" / "load")
        return
    args.scale = 0.1 if args.quick else 1.0
    if args.quick:
        args.seconds, args.warmup = min(args.seconds, 8.0), min(args.warmup, 2.0)
        args.sqlite = args.sqlite.replace("load.sqlite3", "load-quick.sqlite3")
        args.postgres = args.postgres + "_quick"
    urls = {"sqlite": [args.sqlite], "postgres": [args.postgres], "both": [args.sqlite, args.postgres]}[
        args.db
    ]
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    if args.seed_only:
        for url in urls:
            ensure_dataset(url, args.scale, args.reseed)
        return
    rows = []
    for url in urls:
        rows += bench_database(url, args)
    print()
    print(markdown(rows))
    out = ROOT / "var" / "bench" / "load" / "results.json"
    out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
