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


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's EXPLAIN QUERY PLAN")
def test_household_search_by_id_number_uses_the_county_index(county_admin) -> None:
    """An exact ID search reaches the person through unique (county, id_number_index): the member
    subquery is narrowed to the counties in the user's scope (before, it scanned every member of
    every county: 3 s over 2,000,000 members in bench/scale.py)."""
    from bangfu.registry.selectors import households_for_user, registry_prefix, search_households

    households = search_households(
        households_for_user(county_admin),
        query="513325200501010011",
        prefix=registry_prefix(county_admin),
    )
    sql, params = households.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "(county_id=? AND id_number_index=?)" in plan, plan
