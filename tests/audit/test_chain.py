"""The audit hash chain: every record is linked, concurrent writers keep one chain, and the
back-fill migration produces the same chain record_audit does."""

from __future__ import annotations

import importlib
import threading

import pytest
from django.apps import apps as django_apps
from django.db import connection, connections, transaction

from bangfu.audit.chain import instance_fields, record_hash
from bangfu.audit.integrity import check_chains
from bangfu.audit.models import AuditChainHead, AuditRecord
from bangfu.audit.services import record_audit


@pytest.mark.django_db
def test_each_record_hashes_its_content_and_the_previous_hash(demo) -> None:
    first = record_audit(actor=None, action="test.one", target_type="t", target_id="1", county_code="990000")
    second = record_audit(
        actor=None,
        action="test.two",
        target_type="t",
        target_id="2",
        # Stored as JSON gives it back: string keys, lists for tuples. The hash covers that form.
        after={1: ("a", "b"), "amount": "12.50"},
        county_code="990000",
    )
    assert first.prev_hash == "" and second.prev_hash == first.hash
    stored = AuditRecord.objects.get(pk=second.pk)
    assert stored.after == {"1": ["a", "b"], "amount": "12.50"}
    assert record_hash(instance_fields(stored), first.hash) == stored.hash
    head = AuditChainHead.objects.get(county_code="990000")
    assert (head.length, head.last_record_id, head.last_hash) == (2, second.pk, second.hash)
    assert list(check_chains()) == []


@pytest.mark.django_db
def test_the_backfill_migration_builds_the_same_chain(demo) -> None:
    for n in range(3):
        record_audit(actor=None, action=f"test.{n}", county_code="990000")
    expected = list(AuditRecord.objects.order_by("id").values_list("id", "prev_hash", "hash"))
    expected_heads = list(AuditChainHead.objects.values_list("county_code", "length", "last_hash"))
    AuditRecord.objects.update(prev_hash="", hash="")
    AuditChainHead.objects.all().delete()
    assert list(check_chains())  # a chain without hashes is broken

    migration = importlib.import_module("bangfu.audit.migrations.0003_backfill_audit_hash_chain")
    migration.forward(django_apps, None)
    assert list(AuditRecord.objects.order_by("id").values_list("id", "prev_hash", "hash")) == expected
    assert list(AuditChainHead.objects.values_list("county_code", "length", "last_hash")) == expected_heads
    assert list(check_chains()) == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_extend_one_unbroken_chain(demo) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "the SQLite test database is an in-memory shared-cache database whose concurrent writers "
            "fail with 'table is locked' instead of waiting; run with DATABASE_URL=postgres://…"
        )
    writers, each = 12, 5
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            barrier.wait()
            for i in range(each):
                with transaction.atomic():
                    # A county no record has used yet: the first writers also race to create its head.
                    record_audit(actor=None, action="test.race", target_id=f"{n}-{i}", county_code="990000")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditChainHead.objects.get(county_code="990000").length == writers * each
    assert AuditRecord.objects.filter(county_code="990000").count() == writers * each
    assert list(check_chains()) == []
