"""The audit hash chain: a record is written pending and sealed into its county's chain after its
transaction commits; business transactions never lock the chain head, so auditing before a row
lock cannot deadlock; the chain follows the order of sealing, not ids; a lost seal leaves records
pending, never a broken chain; tampering is found; the back-fill migrations produce the chain
record_audit and sealing do."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.db import connection, connections, transaction
from django.utils import timezone

from bangfu.areas.models import Area
from bangfu.audit.chain import instance_fields, record_hash
from bangfu.audit.integrity import PENDING_GRACE, check_chains, check_pending
from bangfu.audit.models import AuditChainHead, AuditRecord
from bangfu.audit.services import record_audit, seal_all_chains, seal_chain
from bangfu.core.demo import COUNTY_CODE

CHAIN = "990000"
# An unsaved Area: record_audit reads only its code.
COUNTY = Area(code=CHAIN + "000000", name="链测试县", level="county")
POSTGRESQL_ONLY = (
    "needs two connections writing at once: the SQLite test database is an in-memory shared-cache "
    "database whose concurrent writers fail with 'table is locked' instead of waiting (and SQLite "
    "runs one writer at a time anyway); run with DATABASE_URL=postgres://…"
)


def _chain(code: str = CHAIN) -> list[tuple[int, int | None, str, str]]:
    return list(
        AuditRecord.objects.filter(county_code=code)
        .order_by("chain_seq", "id")
        .values_list("id", "chain_seq", "prev_hash", "hash")
    )


def _messages() -> list[str]:
    return [breach.message for breach in check_chains()]


def test_a_record_is_pending_until_its_transaction_commits_then_sealed(
    db, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            first = record_audit(actor=None, action="test.one", target_type="t", target_id="1", county=COUNTY)
            second = record_audit(
                actor=None,
                action="test.two",
                target_type="t",
                target_id="2",
                # Stored as JSON gives it back: string keys, lists for tuples. The hash covers that form.
                after={1: ("a", "b"), "amount": "12.50"},
                county=COUNTY,
            )
            # Inside the business transaction: no chain position, no hash, the head untouched.
            assert _chain() == [(first.pk, None, "", ""), (second.pk, None, "", "")]
            assert not AuditChainHead.objects.filter(county_code=CHAIN).exists()
    first.refresh_from_db()
    stored = AuditRecord.objects.get(pk=second.pk)
    assert (first.chain_seq, first.prev_hash) == (1, "")
    assert first.hash == record_hash(instance_fields(first), "")
    assert (stored.chain_seq, stored.prev_hash) == (2, first.hash)
    assert stored.after == {"1": ["a", "b"], "amount": "12.50"}
    assert stored.hash == record_hash(instance_fields(stored), first.hash)
    head = AuditChainHead.objects.get(county_code=CHAIN)
    assert (head.length, head.last_record_id, head.last_hash) == (2, second.pk, stored.hash)
    assert list(check_chains()) == [] and list(check_pending()) == []


def test_a_rolled_back_savepoint_keeps_the_seal_of_the_records_that_stay(
    db, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            with pytest.raises(RuntimeError), transaction.atomic():
                record_audit(actor=None, action="test.undone", county=COUNTY)
                raise RuntimeError
            kept = record_audit(actor=None, action="test.kept", county=COUNTY)
    assert [(row[0], row[1]) for row in _chain()] == [(kept.pk, 1)]
    assert list(check_chains()) == []


def test_a_lost_seal_leaves_records_pending_and_seal_audit_links_them(db, monkeypatch) -> None:
    # The test transaction never commits, so the after-commit seal never runs: as if the process
    # died between its commit and the seal.
    sealed = [record_audit(actor=None, action=f"test.{n}", county=COUNTY) for n in range(2)]
    assert seal_chain(county_code=CHAIN) == 2
    lost = [record_audit(actor=None, action=f"test.lost.{n}", county=COUNTY) for n in range(3)]
    head_before = AuditChainHead.objects.values_list("length", "last_record_id", "last_hash").get()
    # Pending records are outside the chain, which stays whole; within the grace period they are
    # in flight, not a finding.
    assert list(check_chains()) == [] and list(check_pending()) == []

    real_now = timezone.now
    monkeypatch.setattr(
        "django.utils.timezone.now", lambda: real_now() + PENDING_GRACE + timedelta(minutes=1)
    )
    [breach] = check_pending()
    assert breach.kind == "audit_pending"
    assert f"审计链 {CHAIN}：3 条审计记录写入超过 10 分钟仍未入链（最早为 #{lost[0].pk}" in breach.message
    assert "请运行 bangfu seal-audit" in breach.message
    assert AuditChainHead.objects.values_list("length", "last_record_id", "last_hash").get() == head_before

    assert seal_all_chains() == {CHAIN: 3}
    assert seal_all_chains() == {}  # idempotent
    assert [row[:2] for row in _chain()] == [(r.pk, n) for n, r in enumerate(sealed + lost, start=1)]
    assert list(check_pending()) == [] and list(check_chains()) == []


@pytest.mark.parametrize("tamper", ["edit", "swap_positions", "unseal_and_reseal", "renumber", "drop_last"])
def test_tampering_with_a_sealed_chain_is_found(db, django_capture_on_commit_callbacks, tamper) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ids = [record_audit(actor=None, action=f"test.{n}", county=COUNTY).pk for n in range(5)]
    assert list(check_chains()) == []
    records = AuditRecord.objects.filter(pk__in=ids)
    if tamper == "edit":
        records.filter(pk=ids[2]).update(reason="changed")
        expected = [f"记录 #{ids[2]} test.2：内容与哈希不符"]
    elif tamper == "swap_positions":
        records.filter(pk=ids[1]).update(chain_seq=-1)
        records.filter(pk=ids[2]).update(chain_seq=2)
        records.filter(pk=ids[1]).update(chain_seq=3)
        # Each of the three links around the swap is broken.
        expected = [f"记录 #{ids[n]} test.{n}：前一记录哈希不符" for n in (2, 1, 3)]
    elif tamper == "unseal_and_reseal":
        # Take a record out of the chain, change it and let the next seal append it afresh.
        records.filter(pk=ids[1]).update(chain_seq=None, prev_hash="", hash="", reason="changed")
        assert seal_chain(county_code=CHAIN) == 1
        # It is validly linked at the end; the gap it left is not.
        expected = [f"记录 #{ids[2]} test.2：前一记录哈希不符"]
    elif tamper == "renumber":
        records.filter(pk=ids[4]).update(chain_seq=9)
        expected = [
            f"记录 #{ids[4]} test.4：链位置应为 5",
            f"链头不符（链头记 5 条、最后为 #{ids[4]}，实有 9 条、最后为 #{ids[4]}）",
        ]
    else:
        records.filter(pk=ids[4]).delete()
        expected = [f"链头不符（链头记 5 条、最后为 #{ids[4]}，实有 4 条、最后为 #{ids[3]}）"]
    messages = _messages()
    assert len(messages) == len(expected), messages
    for message, part in zip(messages, expected, strict=True):
        assert message.startswith(f"审计链 {CHAIN}：") and part in message


def _run_concurrently(*bodies: Callable[[threading.Barrier], None]) -> list[BaseException]:
    """Each body in its own thread (own connection), sharing a barrier; the errors they raised."""
    barrier = threading.Barrier(len(bodies), timeout=30)
    errors: list[BaseException] = []

    def run(body: Callable[[threading.Barrier], None]) -> None:
        try:
            body(barrier)
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(body,)) for body in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


@pytest.mark.django_db(transaction=True)
def test_auditing_before_a_row_lock_does_not_deadlock_with_the_opposite_order(demo) -> None:
    """A locks a row then audits; B audits then locks the same row. While auditing locked the chain
    head inside the business transaction, each waited for the other and PostgreSQL aborted one
    ("deadlock detected"). Now B waits for A's row, A commits, and both are chained."""
    if connection.vendor != "postgresql":
        pytest.skip(POSTGRESQL_ONLY)

    def row_then_audit(barrier: threading.Barrier) -> None:
        with transaction.atomic():
            Area.objects.select_for_update().get(code=COUNTY_CODE)
            barrier.wait()
            record_audit(actor=None, action="test.row_then_audit", county=COUNTY)

    def audit_then_row(barrier: threading.Barrier) -> None:
        with transaction.atomic():
            record_audit(actor=None, action="test.audit_then_row", county=COUNTY)
            barrier.wait()
            Area.objects.select_for_update().get(code=COUNTY_CODE)

    assert _run_concurrently(row_then_audit, audit_then_row) == []
    chained = AuditRecord.objects.filter(county_code=CHAIN).order_by("chain_seq")
    # Both committed; which was sealed first depends on which sealer took the head first.
    assert sorted(chained.values_list("action", flat=True)) == ["test.audit_then_row", "test.row_then_audit"]
    assert list(chained.values_list("chain_seq", flat=True)) == [1, 2]
    assert list(check_chains()) == [] and list(check_pending()) == []


@pytest.mark.django_db(transaction=True)
def test_records_committed_out_of_id_order_form_one_valid_chain(demo) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(POSTGRESQL_ONLY)
    ids: dict[str, int] = {}
    later_committed = threading.Event()

    def earlier_id_commits_last(barrier: threading.Barrier) -> None:
        with transaction.atomic():
            ids["earlier"] = record_audit(actor=None, action="test.earlier_id", county=COUNTY).pk
            barrier.wait()
            assert later_committed.wait(timeout=30)

    def later_id_commits_first(barrier: threading.Barrier) -> None:
        barrier.wait()
        with transaction.atomic():
            ids["later"] = record_audit(actor=None, action="test.later_id", county=COUNTY).pk
        later_committed.set()

    assert _run_concurrently(earlier_id_commits_last, later_id_commits_first) == []
    assert ids["earlier"] < ids["later"]
    assert [row[:2] for row in _chain()] == [(ids["later"], 1), (ids["earlier"], 2)]
    head = AuditChainHead.objects.get(county_code=CHAIN)
    assert (head.length, head.last_record_id) == (2, ids["earlier"])
    assert list(check_chains()) == [] and list(check_pending()) == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_extend_one_unbroken_chain(demo) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(POSTGRESQL_ONLY)
    writers, each = 12, 5

    def write(n: int) -> Callable[[threading.Barrier], None]:
        def body(barrier: threading.Barrier) -> None:
            barrier.wait()
            for i in range(each):
                with transaction.atomic():
                    # A county no record has used yet: the first sealers also race to create its head.
                    record_audit(actor=None, action="test.race", target_id=f"{n}-{i}", county=COUNTY)

        return body

    assert _run_concurrently(*(write(n) for n in range(writers))) == []
    assert AuditChainHead.objects.get(county_code=CHAIN).length == writers * each
    assert [row[1] for row in _chain()] == list(range(1, writers * each + 1))
    assert list(check_chains()) == [] and list(check_pending()) == []


def test_the_backfill_migrations_build_the_same_chain(db, django_capture_on_commit_callbacks) -> None:
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            record_audit(actor=None, action=f"test.{n}", county=COUNTY)
    with django_capture_on_commit_callbacks(execute=True):
        record_audit(actor=None, action="test.global", county=None)
    expected = list(AuditRecord.objects.order_by("id").values_list("id", "chain_seq", "prev_hash", "hash"))
    expected_heads = list(
        AuditChainHead.objects.values_list("county_code", "length", "last_record_id", "last_hash")
    )
    assert [head[0] for head in expected_heads] == ["", CHAIN]
    # A database as it stood before the chain (0003 links it in id order) and before chain
    # positions (0005 numbers the linked records).
    AuditRecord.objects.update(chain_seq=None, prev_hash="", hash="")
    AuditChainHead.objects.all().delete()
    assert list(check_chains()) == []  # nothing sealed: no chain to check yet

    importlib.import_module("bangfu.audit.migrations.0003_backfill_audit_hash_chain").forward(
        django_apps, None
    )
    importlib.import_module("bangfu.audit.migrations.0005_backfill_audit_chain_seq").forward(
        django_apps, None
    )
    assert (
        list(AuditRecord.objects.order_by("id").values_list("id", "chain_seq", "prev_hash", "hash"))
        == expected
    )
    assert (
        list(AuditChainHead.objects.values_list("county_code", "length", "last_record_id", "last_hash"))
        == expected_heads
    )
    assert list(check_chains()) == []
