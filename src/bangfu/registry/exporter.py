"""Export the registry in the import's own layout (re-importable: export → import = unchanged)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import translation

from bangfu.lib.crypto import decrypt_text
from bangfu.registry.models import HouseholdAttribute, IdType, Member, PovertyCause, Schooling
from bangfu.registry.writer import ID_CONTEXT, PHONE_CONTEXT


def _labels(choices: Any) -> dict[str, str]:
    with translation.override(None):
        return {value: str(label) for value, label in choices.choices}


def export_rows(members: QuerySet[Member]) -> Iterator[dict[str, str]]:
    """One dict per active member (column key → text), household facts repeated, full ID numbers.
    The caller audits the export: it carries personal data in clear."""
    schooling = _labels(Schooling)
    schooling[""] = ""
    attribute = _labels(HouseholdAttribute)
    attribute[""] = ""
    cause = _labels(PovertyCause)
    cause[""] = ""
    id_type = _labels(IdType)
    queryset = (
        members.filter(active=True)
        .select_related("household", "village__parent__parent")
        .order_by("household__county_id", "household__number", "id")
    )
    for member in queryset.iterator(chunk_size=5000):
        household = member.household
        village = member.village
        township = village.parent
        county = township.parent if township else None

        def money(value: Any) -> str:
            return "" if value is None else f"{value:.2f}"

        yield {
            "county": county.name if county else "",
            "township": township.name if township else "",
            "village": village.name,
            "household_number": household.number,
            "member_number": member.number,
            "name": member.name,
            "id_type": id_type[member.id_type],
            "id_number": decrypt_text(member.id_number_encrypted, context=ID_CONTEXT),
            "household_size": "" if household.household_size is None else str(household.household_size),
            "relation": member.relation,
            "ethnicity": member.ethnicity,
            "education": member.education,
            "schooling": schooling.get(member.schooling, member.schooling),
            "health": member.health,
            "labour_skill": member.labour_skill,
            "member_phone": decrypt_text(member.phone_encrypted, context=PHONE_CONTEXT)
            if member.phone_encrypted
            else "",
            "exit_flag": "已脱贫" if household.exited else "未脱贫",
            "exit_year": "" if household.exit_year is None else str(household.exit_year),
            "attribute": attribute.get(household.attribute, household.attribute),
            "main_cause": cause.get(household.main_cause, household.main_cause),
            "other_causes": "、".join(cause.get(c, c) for c in household.other_causes.split(",") if c),
            "monitored": "是" if household.monitored else "否",
            "monitoring_category": household.monitoring_category,
            "annual_income": money(household.annual_income),
            "net_income": money(household.net_income),
            "per_capita_net_income": money(household.per_capita_net_income),
            "household_phone": decrypt_text(household.phone_encrypted, context=PHONE_CONTEXT)
            if household.phone_encrypted
            else "",
        }
