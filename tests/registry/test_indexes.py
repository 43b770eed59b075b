"""The registry tables carry only the indexes their queries use (migration registry 0002).

Each index is one more B-tree insert per person on every import, so single-column indexes that a
composite index already leads with are dropped. The migration drops them by name; this test
proves the names matched on this backend and that what is left still covers the look-ups."""

from __future__ import annotations

import pytest
from django.db import connection

from bangfu.registry.models import Household, Member, MemberVersion

pytestmark = pytest.mark.django_db


def _index_columns(model: type) -> list[tuple[str, ...]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return sorted(
        tuple(info["columns"])
        for info in constraints.values()
        if (info["index"] or info["unique"]) and not info["primary_key"]
    )


def test_no_single_column_index_that_a_composite_one_leads_with() -> None:
    assert _index_columns(Household) == [
        ("county_id", "exited", "monitored"),
        ("county_id", "number"),
        ("village_id", "number"),
    ]
    assert _index_columns(Member) == [
        ("county_id", "id_number_index"),
        ("county_id", "schooling"),
        ("household_id",),
        ("village_id", "name"),
    ]
    assert _index_columns(MemberVersion) == [
        ("county_id", "valid_from"),
        ("household_id",),
        ("member_id", "valid_from"),
    ]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's EXPLAIN QUERY PLAN")
def test_member_lookups_still_use_an_index() -> None:
    """A member's versions (member_status_on, the Yulu eligibility NOT EXISTS) and a county's
    or a village's members are found through an index, never by scanning the table."""
    plans = {
        "versions of a member": (
            "SELECT 1 FROM registry_memberversion WHERE member_id = 1 AND valid_from <= '2020-03-01'"
        ),
        "members of a county": "SELECT id FROM registry_member WHERE county_id = 1",
        "members of a village": "SELECT id FROM registry_member WHERE village_id = 1",
        "households of a county": "SELECT id FROM registry_household WHERE county_id = 1",
    }
    with connection.cursor() as cursor:
        for what, sql in plans.items():
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            detail = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "USING" in detail and "INDEX" in detail, (what, detail)
