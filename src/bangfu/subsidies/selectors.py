"""Reads of the subsidies app: one scoping helper per resource, and the set-based Yulu queries.

Terms, milestones, cohorts and Sanzhi-Yifu plans are county configuration: every staff user of the
county may read them. Per-person records (applications, payments, enrolments, placements) are
scoped by the user's area subtree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Count, QuerySet
from django.http import Http404

from bangfu.accounts.scopes import county_prefix
from bangfu.areas.models import county_code_of, township_code_of
from bangfu.subsidies.models import (
    Programme,
    ProgrammeMilestone,
    SanzhiApplicant,
    SanzhiPlacement,
    SanzhiPlan,
    TechnicianCohort,
    TechnicianEnrolment,
    YuluApplication,
    YuluPayment,
    YuluPaymentBatch,
    YuluTerm,
)

if TYPE_CHECKING:
    from bangfu.registry.models import Member


# --- terms ---------------------------------------------------------------------------------------------
def terms_for_user(user: Any) -> QuerySet[YuluTerm]:
    prefix = county_prefix(user)
    if prefix is None:
        return YuluTerm.objects.none()
    return YuluTerm.objects.filter(county__code__startswith=prefix).select_related("county")


def get_term_for_user(user: Any, code: str) -> YuluTerm:
    term = terms_for_user(user).filter(code=code).first()
    if term is None:
        raise Http404("term")
    return term


# --- milestones ----------------------------------------------------------------------------------------
def milestones_for_user(user: Any) -> QuerySet[ProgrammeMilestone]:
    prefix = county_prefix(user)
    if prefix is None:
        return ProgrammeMilestone.objects.none()
    return ProgrammeMilestone.objects.filter(county__code__startswith=prefix)


def get_milestone_for_user(user: Any, pk: int) -> ProgrammeMilestone:
    try:
        return milestones_for_user(user).select_related("county").get(pk=pk)
    except ProgrammeMilestone.DoesNotExist:
        raise Http404("milestone") from None


# --- technician cohorts --------------------------------------------------------------------------------
def cohorts_for_user(user: Any) -> QuerySet[TechnicianCohort]:
    prefix = county_prefix(user)
    if prefix is None:
        return TechnicianCohort.objects.none()
    return TechnicianCohort.objects.filter(county__code__startswith=prefix)


def get_cohort_for_user(user: Any, year: int) -> TechnicianCohort:
    cohort = cohorts_for_user(user).select_related("county").filter(year=year).first()
    if cohort is None:
        raise Http404("cohort")
    return cohort


# --- Sanzhi-Yifu ---------------------------------------------------------------------------------------
def sanzhi_plans_for_user(user: Any) -> QuerySet[SanzhiPlan]:
    prefix = county_prefix(user)
    if prefix is None:
        return SanzhiPlan.objects.none()
    return SanzhiPlan.objects.filter(county__code__startswith=prefix).select_related("county")


def get_sanzhi_plan_for_user(user: Any, year: int) -> SanzhiPlan:
    plan = sanzhi_plans_for_user(user).filter(year=year).first()
    if plan is None:
        raise Http404("sanzhi plan")
    return plan


def sanzhi_applicants_for_user(user: Any) -> QuerySet[SanzhiApplicant]:
    """Applicants of posts in the user's area (a township clerk sees its township's posts). Like
    registry members, people are shown to the area roles only (not to unit reporters)."""
    prefix = person_prefix(user)
    if prefix is None:
        return SanzhiApplicant.objects.none()
    return SanzhiApplicant.objects.filter(
        post__township__code__startswith=township_code_of(prefix)
    ).select_related("plan__county", "post__township")


def get_sanzhi_applicant_for_user(user: Any, pk: int) -> SanzhiApplicant:
    try:
        return sanzhi_applicants_for_user(user).get(pk=pk)
    except SanzhiApplicant.DoesNotExist:
        raise Http404("applicant") from None


def sanzhi_placements_for_user(user: Any) -> QuerySet[SanzhiPlacement]:
    prefix = person_prefix(user)
    if prefix is None:
        return SanzhiPlacement.objects.none()
    return SanzhiPlacement.objects.filter(township__code__startswith=township_code_of(prefix)).select_related(
        "county", "township", "applicant__plan"
    )


def get_sanzhi_placement_for_user(user: Any, pk: int) -> SanzhiPlacement:
    try:
        return sanzhi_placements_for_user(user).get(pk=pk)
    except SanzhiPlacement.DoesNotExist:
        raise Http404("placement") from None


# --- Yulu eligibility (set-based SQL over the registry's effective-dated history) --------------------
def _eligibility_sql(*, with_village: bool, members: int = 0) -> tuple[str, list[str]]:
    """SQL selecting (member_id[, village code]) of the students eligible on a day.

    Parameters: see `_eligible_rows`. A member's facts on the day are the
    registry version in effect (valid_from <= day < valid_to); a member first recorded after the
    day is judged by its earliest version; a member without versions by its current fields.
    Eligible: in the register (active) on the day, schooling a 中职 or 高职高专 grade, and the
    household still registered (exited and monitored households count).
    """
    from bangfu.registry.models import VOCATIONAL, Household, Member, MemberVersion

    version = MemberVersion._meta.db_table
    member = Member._meta.db_table
    household = Household._meta.db_table
    grades = [str(g) for g in VOCATIONAL]
    marks = ", ".join(["%s"] * len(grades))
    # CROSS JOIN keeps SQLite's join order (versions first, households by primary key) and
    # `+v.county_id` makes it scan the versions table instead of walking an index row by row; on
    # PostgreSQL both are no-ops.
    # The village id comes from the household row already joined; codes are mapped in Python
    # from the county's few hundred villages (joining the area table costs more than the query).
    village_col = ", h.village_id" if with_village else ""
    # `members` > 0: restrict to that many member ids (one application, a few students).
    only_v = f" AND v.member_id IN ({', '.join(['%s'] * members)})" if members else ""
    only_m = f" AND m.id IN ({', '.join(['%s'] * members)})" if members else ""
    # Only table names and placeholders are interpolated; every value is a query parameter.
    sql = f"""
        SELECT v.member_id{village_col}
        FROM {version} v CROSS JOIN {household} h
        WHERE h.id = v.household_id AND +v.county_id = %s AND v.schooling IN ({marks}) AND v.active
          AND h.active AND v.valid_from <= %s AND (v.valid_to IS NULL OR v.valid_to > %s){only_v}
        UNION ALL
        SELECT v.member_id{village_col}
        FROM {version} v CROSS JOIN {household} h
        WHERE h.id = v.household_id AND v.county_id = %s AND v.valid_from > %s
          AND v.schooling IN ({marks}) AND v.active AND h.active
          AND NOT EXISTS (
              SELECT 1 FROM {version} w
              WHERE w.member_id = v.member_id AND w.valid_from < v.valid_from){only_v}
        UNION ALL
        SELECT m.id{village_col}
        FROM {member} m CROSS JOIN {household} h
        WHERE h.id = m.household_id AND m.county_id = %s AND m.schooling IN ({marks}) AND m.active
          AND h.active AND NOT EXISTS (SELECT 1 FROM {version} w WHERE w.member_id = m.id){only_m}
    """  # noqa: S608
    return sql, grades


def _eligible_rows(
    term: YuluTerm, *, with_village: bool, members: list[int] | None = None
) -> list[tuple[Any, ...]]:
    ids = list(members or [])
    sql, grades = _eligibility_sql(with_village=with_village, members=len(ids))
    day = term.start_date
    county = term.county_id
    params: list[Any] = [
        *(county, *grades, day, day, *ids),
        *(county, day, *grades, *ids),
        *(county, *grades, *ids),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def eligible_member_ids(term: YuluTerm) -> set[int]:
    """Ids of the registry members eligible for `term` (its county, on its start date)."""
    return {row[0] for row in _eligible_rows(term, with_village=False)}


def eligible_members(term: YuluTerm) -> QuerySet[Member]:
    from bangfu.registry.models import Member

    return (
        Member.objects.filter(pk__in=eligible_member_ids(term))
        .select_related("household", "village__parent")
        .order_by("village__code", "household__number", "pk")
    )


def eligible_member_ids_for(term: YuluTerm, member_ids: list[int]) -> set[int]:
    """Which of a few members are eligible (the same query, restricted to their ids)."""
    if not member_ids:
        return set()
    return {row[0] for row in _eligible_rows(term, with_village=False, members=member_ids)}


# --- Yulu reconciliation (应补尽补, 零遗漏) -------------------------------------------------------------
CATEGORIES = ("missing", "wrong", "duplicate", "late")


@dataclass
class Reconciliation:
    term: YuluTerm
    eligible: set[int]
    # member id → (payment id, village code, paid_on, id index)
    paid: dict[int, tuple[int, str, date, str]]
    missing: set[int]
    wrong: set[int]
    duplicate: set[int]  # member ids (of this county) whose person was paid more than once
    late: set[int]
    village_of: dict[int, str] = field(default_factory=dict)  # member id → village code

    def summary(self) -> dict[str, int]:
        return {
            "eligible": len(self.eligible),
            "paid": len(self.paid),
            "missing": len(self.missing),
            "wrong": len(self.wrong),
            "duplicate": len(self.duplicate),
            "late": len(self.late),
        }

    def by_township(self) -> dict[str, dict[str, int]]:
        """township code (9 digits) → counts of each figure."""
        table: dict[str, dict[str, int]] = {}

        def bump(member_id: int, key: str) -> None:
            code = township_code_of(self.village_of.get(member_id, ""))
            row = table.setdefault(code, dict.fromkeys(("eligible", "paid", *CATEGORIES), 0))
            row[key] += 1

        for name, members in (
            ("eligible", self.eligible),
            ("paid", self.paid.keys()),
            ("missing", self.missing),
            ("wrong", self.wrong),
            ("duplicate", self.duplicate),
            ("late", self.late),
        ):
            for member_id in members:
                bump(member_id, name)
        return table

    def restricted_to(self, prefix: str) -> Reconciliation:
        """The same reconciliation limited to members of villages under `prefix`."""

        def keep(ids: Any) -> set[int]:
            return {i for i in ids if self.village_of.get(i, "").startswith(prefix)}

        return Reconciliation(
            term=self.term,
            eligible=keep(self.eligible),
            paid={k: v for k, v in self.paid.items() if v[1].startswith(prefix)},
            missing=keep(self.missing),
            wrong=keep(self.wrong),
            duplicate=keep(self.duplicate),
            late=keep(self.late),
            village_of=self.village_of,
        )


def reconcile_yulu(term: YuluTerm) -> Reconciliation:
    """Compare the eligible set on the term's start date with the term's paid list.

    missing   — eligible, not paid;
    wrong     — paid, not eligible at term start;
    duplicate — paid while the same person (ID blind index) has another payment for the same term
                code, in another household or another county of the deployment;
    late      — paid after the term's payment deadline.
    Three queries in all; the comparison is set arithmetic on ids."""
    from bangfu.areas.models import Area

    codes = dict(Area.objects.filter(code__startswith=term.county.prefix).values_list("pk", "code"))
    village_of = {
        member_id: codes.get(village_id, "")
        for member_id, village_id in _eligible_rows(term, with_village=True)
    }
    eligible = set(village_of)
    paid: dict[int, tuple[int, str, date, str]] = {}
    payments = (
        YuluPayment.objects.filter(term=term)
        .values_list("pk", "member_id", "village__code", "paid_on", "id_number_index")
        .order_by()
    )
    for pk, member_id, village_code, paid_on, index in payments:
        paid[member_id] = (pk, village_code, paid_on, index)
        village_of.setdefault(member_id, village_code)
    # People of this term's payments paid more than once for the same term code anywhere.
    repeated = set(
        YuluPayment.objects.filter(
            term__code=term.code,
            id_number_index__in=YuluPayment.objects.filter(term=term).values("id_number_index"),
        )
        .values("id_number_index")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("id_number_index", flat=True)
    )
    return Reconciliation(
        term=term,
        eligible=eligible,
        paid=paid,
        missing=eligible - paid.keys(),
        wrong=paid.keys() - eligible,
        duplicate={m for m, row in paid.items() if row[3] in repeated},
        late={m for m, row in paid.items() if row[2] > term.payment_deadline},
        village_of=village_of,
    )


def reconciliation_reads() -> tuple[Any, ...]:
    """The models `reconcile_yulu` depends on, for cache stamps (attention list, milestones): the
    terms, their payments and applications, and the registry (an import adds a job, versions and
    changes; an edit in place goes through an audited service)."""
    from bangfu.areas.models import Area
    from bangfu.registry.models import Household, ImportJob, Member, MemberVersion, RegistryChange

    return (
        YuluTerm,
        YuluPayment,
        YuluApplication,
        Household,
        Member,
        MemberVersion,
        RegistryChange,
        ImportJob,
        Area,
    )


# --- per-person records: scoped by the user's area subtree (registry roles only) ---------------------
def person_prefix(user: Any) -> str | None:
    from bangfu.registry.selectors import registry_prefix

    return registry_prefix(user)


def applications_for_user(user: Any) -> QuerySet[YuluApplication]:
    prefix = person_prefix(user)
    if prefix is None:
        return YuluApplication.objects.none()
    return YuluApplication.objects.filter(village__code__startswith=prefix).select_related(
        "term", "county", "village", "member", "household"
    )


def get_application_for_user(user: Any, pk: int) -> YuluApplication:
    try:
        return applications_for_user(user).get(pk=pk)
    except YuluApplication.DoesNotExist:
        raise Http404("application") from None


def batches_for_user(user: Any) -> QuerySet[YuluPaymentBatch]:
    """Payment batches are county business: county admins and inspectors only."""
    from bangfu.accounts.models import Role

    prefix = person_prefix(user)
    if prefix is None or user.role not in (Role.COUNTY_ADMIN, Role.INSPECTOR):
        return YuluPaymentBatch.objects.none()
    return YuluPaymentBatch.objects.filter(county__code__startswith=county_code_of(prefix)).select_related(
        "term", "county"
    )


def get_batch_for_user(user: Any, pk: int) -> YuluPaymentBatch:
    try:
        return batches_for_user(user).get(pk=pk)
    except YuluPaymentBatch.DoesNotExist:
        raise Http404("batch") from None


def enrolments_for_user(user: Any) -> QuerySet[TechnicianEnrolment]:
    prefix = person_prefix(user)
    if prefix is None:
        return TechnicianEnrolment.objects.none()
    return TechnicianEnrolment.objects.filter(village__code__startswith=prefix).select_related(
        "cohort", "member", "village", "household"
    )


def get_enrolment_for_user(user: Any, pk: int) -> TechnicianEnrolment:
    try:
        return enrolments_for_user(user).get(pk=pk)
    except TechnicianEnrolment.DoesNotExist:
        raise Http404("enrolment") from None


def reconciliation_for_user(user: Any, term: YuluTerm) -> Reconciliation:
    """The term's reconciliation, limited to the user's area (a township sees its township)."""
    prefix = person_prefix(user)
    rec = reconcile_yulu(term)
    if prefix is None:
        return rec.restricted_to("-")  # nothing
    return rec if len(prefix) <= 6 else rec.restricted_to(prefix)


def members_in_scope(user: Any) -> QuerySet[Member]:
    """Registry members the user may see (the registry's own scoping helper)."""
    from bangfu.registry.selectors import members_for_user

    return members_for_user(user)


def get_member_in_scope(user: Any, pk: int) -> Member:
    from bangfu.registry.selectors import get_member_for_user

    return get_member_for_user(user, pk)


def member_by_id_number_in_scope(user: Any, raw: str) -> Member | None:
    """The in-scope member with this ID number (exact lookup through the blind index)."""
    from bangfu.lib import idnumbers
    from bangfu.lib.crypto import blind_index
    from bangfu.registry.selectors import registry_prefix, scope_counties
    from bangfu.registry.services import ID_INDEX_PURPOSE

    prefix = registry_prefix(user)
    if prefix is None:
        return None
    index = blind_index(idnumbers.normalise(raw), purpose=ID_INDEX_PURPOSE)
    # The county filter lets the look-up use the unique (county, id_number_index) index.
    return members_in_scope(user).filter(county__in=scope_counties(prefix), id_number_index=index).first()


# --- what the registry's household page shows --------------------------------------------------------
@dataclass(frozen=True)
class HouseholdSubsidy:
    """One payment a household's member received (雨露计划 or 百工技师工程)."""

    programme: str  # the Programme label
    member_name: str
    period: str  # the term, e.g. 2020秋季学期
    amount: Decimal
    paid_on: date


def _term_label(code: str) -> str:
    """ "2020-spring" → 2020春季学期 (a code that is not year-season is shown as it is)."""
    from bangfu.subsidies.models import Season

    year, _sep, season = code.partition("-")
    if year.isdigit() and season in Season.values:
        return f"{year}{Season(season).label}"
    return code


def subsidies_of_household(user: Any, household: Any) -> list[HouseholdSubsidy]:
    """Payments to the household's members, newest first, within `user`'s scope (the same
    area-subtree scoping as the per-person records above). Two queries."""
    from bangfu.subsidies.models import TechnicianFunding

    prefix = person_prefix(user)
    if prefix is None:
        return []
    rows = [
        HouseholdSubsidy(str(Programme.YULU.label), p.member.name, str(p.term), p.amount, p.paid_on)
        for p in YuluPayment.objects.filter(
            county_id=household.county_id, household=household, village__code__startswith=prefix
        ).select_related("member", "term")
    ]
    fundings = TechnicianFunding.objects.filter(
        enrolment__household=household, enrolment__village__code__startswith=prefix
    ).select_related("enrolment__member")
    rows += [
        HouseholdSubsidy(
            str(Programme.TECHNICIAN.label),
            f.enrolment.member.name,
            _term_label(f.term_code),
            f.amount,
            f.paid_on,
        )
        for f in fundings
    ]
    return sorted(rows, key=lambda row: (row.paid_on, row.member_name), reverse=True)
