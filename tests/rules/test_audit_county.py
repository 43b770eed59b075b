"""Every audit record belongs to its county (issue #19): the full demo writes none without one, the
workplan and network actions are on the county's audit page, `check-integrity` lists any record
left without a county, and the migration gives older records theirs without breaking a chain."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.test import Client

from bangfu.accounts.models import User
from bangfu.areas.models import Area
from bangfu.audit.integrity import check_chains, check_county
from bangfu.audit.models import AuditRecord
from bangfu.audit.services import record_audit, seal_chain
from bangfu.partners.models import Organisation

pytestmark = pytest.mark.django_db


def test_the_full_demo_writes_no_audit_record_without_a_county(full_demo) -> None:
    assert AuditRecord.objects.exists()
    assert list(AuditRecord.objects.filter(county_code="").values_list("action", flat=True)) == []
    assert list(check_county()) == []


def test_workplan_and_network_actions_are_on_the_countys_audit_page(full_demo) -> None:
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    for app in ("workplan.", "network."):
        assert AuditRecord.objects.filter(action__startswith=app, county_code="513325").exists()
        page = client.get("/audit/", {"action": app}).content.decode()
        assert app in page, app


def test_the_migration_assigns_the_county_and_keeps_every_chain_whole(demo) -> None:
    org = Organisation.objects.get(code="E01")
    derivable = record_audit(actor=None, action="test.old", target=org, county=None)
    lost = record_audit(actor=None, action="test.nowhere", county=None)
    kept = record_audit(actor=None, action="test.also_nowhere", county=None)
    seal_chain(county_code="")
    assert AuditRecord.objects.filter(county_code="").count() == 3
    assert len(list(check_county())) == 1

    migration = importlib.import_module("bangfu.audit.migrations.0007_assign_audit_county")
    migration.assign_counties(apps, None)

    assert AuditRecord.objects.get(pk=derivable.pk).county_code == "513325"
    assert set(AuditRecord.objects.filter(county_code="").values_list("pk", flat=True)) == {lost.pk, kept.pk}
    assert list(check_chains()) == []
    # One breach line for the records left without a county, naming them.
    (breach,) = check_county()
    assert "test.nowhere" in str(breach) and "2" in str(breach)
    assert Area.objects.get(code="513325000000").county_code == "513325"
