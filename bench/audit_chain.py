"""Cost of the audit hash chain: record_audit (insert the record pending; after the commit, seal it
in a short transaction of its own: lock the county's chain head, link, move the head) against a
plain insert, sequential and with concurrent writers; then the time `check-integrity` needs to
re-hash the chain. On PostgreSQL also a business transaction that goes on working after its audit
write (WORK_MS of pg_sleep, standing for the statements and row locks that follow): while auditing
locked the county's chain head until the commit, those transactions ran one at a time.

Run: .venv/bin/python bench/audit_chain.py  (a fresh SQLite database in a temp dir, or
DATABASE_URL when set — then it must be a throwaway database: the script migrates and flushes it).
BENCH_RECORDS (default 2000) records per sequential run; concurrency runs on PostgreSQL only.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time

RECORDS = int(os.environ.get("BENCH_RECORDS", "2000"))
THREADS = 8
# Plain rows are pending records as far as the chain is concerned: they get a county of their own,
# which no seal in this script touches, and are dropped before the chains are checked.
PLAIN_COUNTY = "999999"
WORK_MS = 5


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="bangfu-bench-")
    os.environ.setdefault("BANGFU_DATA_DIR", tmp)
    os.environ.setdefault("BANGFU_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections, transaction
    from django.utils import timezone

    from bangfu.audit.integrity import check_chains
    from bangfu.audit.models import AuditRecord
    from bangfu.audit.services import record_audit

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    after = {"amount": "1500.00", "account": "project:DX-2020-001", "balance": "12345.00"}

    def chained(n: int, county: str) -> None:
        with transaction.atomic():
            record_audit(
                actor=None,
                action="bench.write",
                target_type="bench",
                target_id=str(n),
                after=after,
                county_code=county,
            )

    def chained_then_work(n: int, county: str) -> None:
        with transaction.atomic():
            record_audit(
                actor=None, action="bench.work", target_type="bench", target_id=str(n), county_code=county
            )
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_sleep(%s)", [WORK_MS / 1000])

    def plain(n: int, county: str) -> None:
        with transaction.atomic():
            AuditRecord.objects.create(
                action="bench.plain",
                target_type="bench",
                target_id=str(n),
                after=after,
                county_code=PLAIN_COUNTY,
                created_at=timezone.now(),
            )

    def sequential(write, label: str) -> None:
        started = time.perf_counter()
        for n in range(RECORDS):
            write(n, "513325")
        seconds = time.perf_counter() - started
        per_record = seconds * 1e6 / RECORDS
        print(f"{connection.vendor} sequential {label}: {RECORDS} records, {per_record:.0f} µs/record")

    sequential(plain, "plain insert (no chain)")
    sequential(chained, "record_audit + seal after commit")

    if connection.vendor == "postgresql":
        per_thread = RECORDS // THREADS

        def concurrent(write, label: str, same_county: bool) -> None:
            barrier = threading.Barrier(THREADS)

            def run(t: int) -> None:
                try:
                    barrier.wait()
                    for n in range(per_thread):
                        write(n, "513325" if same_county else f"{513000 + t}")
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=run, args=(t,)) for t in range(THREADS)]
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            seconds = time.perf_counter() - started
            print(f"postgresql {THREADS} threads {label}: {per_thread * THREADS / seconds:.0f} records/s")

        concurrent(plain, "plain insert", True)
        concurrent(chained, "record_audit, one county", True)
        concurrent(chained, "record_audit, a county each", False)
        concurrent(chained_then_work, f"record_audit then {WORK_MS} ms of work, one county", True)

    # The plain rows stand outside the chain; drop them before checking it.
    AuditRecord.objects.filter(action="bench.plain").delete()
    assert not AuditRecord.objects.filter(chain_seq__isnull=True).exists(), "records left unsealed"
    total = AuditRecord.objects.count()
    started = time.perf_counter()
    breaches = list(check_chains())
    seconds = time.perf_counter() - started
    assert breaches == [], breaches[:3]
    print(f"{connection.vendor} check of the audit chains: {total} records in {seconds:.2f} s")


if __name__ == "__main__":
    main()
