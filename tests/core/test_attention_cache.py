"""The attention list and the milestone states are cached per process under a combined stamp of what
their sources read (`bangfu.lib.attention`, `workplan.selectors.milestone_states`): a warm call runs
only the stamp, and every write that changes an item moves the stamp, so the next call shows it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from bangfu.accounts.models import User
from bangfu.areas.models import Area
from bangfu.core.demo import COUNTY_CODE
from bangfu.lib.attention import county_stamp, items_for_county, items_for_user, registered

TODAY = date(2020, 7, 15)


@pytest.fixture
def today(full_demo_today):
    return full_demo_today


@pytest.fixture
def county(today) -> Area:
    return Area.objects.get(code=COUNTY_CODE)


@pytest.fixture
def admin(today) -> User:
    return User.objects.get(username="admin")


def _api(user: User, path: str = "/api/v1/attention") -> list[dict]:
    client = Client()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.json()


def _titles(user: User, kind: str) -> list[str]:
    return [i["title"] for i in _api(user) if i["kind"] == kind]


def test_a_warm_call_runs_only_the_stamp_and_gives_the_same_list(
    county, today, django_assert_max_num_queries
):
    first = items_for_county(county, today)
    assert first
    # The stamp (one statement of newest ids, the ledger's index-only stamps) and the two live
    # sources (a window counted from the clock's time) — none of the cached sources' queries.
    with django_assert_max_num_queries(8):
        again = items_for_county(county, today)
    assert again == first


def test_the_warm_milestones_endpoint_runs_a_handful_of_queries(admin, django_assert_max_num_queries):
    client = Client()
    client.force_login(admin)
    path = "/api/v1/workplan/milestones?year=2020"
    first = client.get(path).json()
    assert first
    with django_assert_max_num_queries(8):  # session, user, area, plan, the stamp; no rule runs
        assert client.get(path).json() == first


def test_every_source_but_the_clock_timed_ones_is_cached():
    """A source that declares no `reads` runs on every page view of every user: declare what it
    reads (docs/workplan.md, "Adding a source"), or `live=True` when it depends on the time of day."""
    live = sorted(name for name, source in registered().items() if not source.cacheable)
    assert live == ["accounts.unconfirmed_change", "registry.import_failed"]
    assert all(source.live for name, source in registered().items() if name in live)


def test_a_yulu_payment_recorded_shows_at_once_in_the_list_and_the_milestone(admin, county, today):
    from bangfu.registry.models import Member
    from bangfu.subsidies.models import YuluTerm
    from bangfu.subsidies.selectors import reconcile_yulu
    from bangfu.subsidies.services import record_payment

    assert _titles(admin, "subsidies.yulu_unpaid") == ["2020春季学期雨露计划应补未补2人"]
    milestones = _api(admin, "/api/v1/workplan/milestones?year=2020")
    (yulu,) = [m for m in milestones if m["rule"] == "subsidies.yulu_term_paid" and m["quarter"] == 2]
    assert yulu["evidence"]["counts"]["missing"] == 2
    term = YuluTerm.objects.get(code="2020-spring")
    student = Member.objects.get(pk=min(reconcile_yulu(term).missing))
    record_payment(actor=admin, term=term, member=student, amount=Decimal("1500"), paid_on=today)
    assert _titles(admin, "subsidies.yulu_unpaid") == ["2020春季学期雨露计划应补未补1人"]
    milestones = _api(admin, "/api/v1/workplan/milestones?year=2020")
    (yulu,) = [m for m in milestones if m["rule"] == "subsidies.yulu_term_paid" and m["quarter"] == 2]
    assert yulu["evidence"]["counts"]["missing"] == 1


def test_a_visit_recorded_takes_the_unit_off_the_list_at_once(admin, county, today):
    from bangfu.partners.models import Organisation, Pairing, PairingKind
    from bangfu.partners.services import record_visit

    due = [i for i in items_for_user(admin, today) if i.kind == "partners.visits_due"]
    assert due, "the demo has units with no team visit yet this quarter"
    org = Organisation.objects.get(pk=due[0].organisation_id)
    pairing = Pairing.objects.filter(
        county=county, kind=PairingKind.DESIGNATED, helper_organisation=org, end_date__isnull=True
    ).first()
    record_visit(
        actor=None,
        organisation=org,
        village=pairing.target_area,
        date=today,
        purpose="回头看、回头帮",
        guests=["甲", "乙", "丙"],
    )
    after = [i for i in items_for_user(admin, today) if i.kind == "partners.visits_due"]
    assert org.pk not in {i.organisation_id for i in after}
    assert len(after) == len(due) - 1


def test_a_report_accepted_leaves_the_review_count_at_once(admin, county, today):
    from bangfu.workplan.models import AWAITING_REVIEW, LedgerReport
    from bangfu.workplan.services import accept_report

    def waiting() -> dict[str, int]:
        return {
            i.extra["month"]: i.count
            for i in items_for_user(admin, today)
            if i.kind == "workplan.reports_to_review"
        }

    before = waiting()
    assert before, "the demo has reports waiting for review"
    report = (
        LedgerReport.objects.filter(county=county, status__in=AWAITING_REVIEW, month__lte=today)
        .order_by("month", "pk")
        .first()
    )
    accept_report(actor=admin, report=report)
    month = f"{report.month:%Y-%m}"
    after = waiting()
    assert after.get(month, 0) == before[month] - 1


def test_a_row_inserted_without_a_service_moves_the_stamp_too(admin, county, today):
    """Bulk paths (imports, seeding) insert rows: the newest id of the table moves the stamp."""
    from bangfu.projects.models import Disbursement, DisbursementStatus

    key = county_stamp(county, today)
    before = len([i for i in items_for_county(county, today) if i.kind == "projects.disbursement_unsigned"])
    pending = Disbursement.objects.filter(county=county, status=DisbursementStatus.PENDING).first()
    assert pending is not None, "the demo has a pending disbursement"
    Disbursement.objects.create(
        project=pending.project,
        county=county,
        amount=Decimal("800"),
        payee="收款方",
        purpose="测试",
        requested_by=admin,
    )
    assert county_stamp(county, today) != key
    after = len([i for i in items_for_county(county, today) if i.kind == "projects.disbursement_unsigned"])
    assert after > before


def test_the_list_is_cached_per_language_and_office_date(county, today):
    key = county_stamp(county, today)
    with translation.override("en"):
        assert county_stamp(county, today) != key
    assert county_stamp(county, date(2020, 7, 16)) != key


def test_the_county_s_audit_chain_length_moves_with_every_committed_write(
    admin, county, today, django_capture_on_commit_callbacks
):
    """Newest ids need not follow commit order (two writers on PostgreSQL); the audit chain's length
    does, and it is in the stamp."""
    from bangfu.lib.stampcache import audit_chain_stamp
    from bangfu.partners.models import Pairing, PairingKind
    from bangfu.partners.services import record_visit

    pairing = Pairing.objects.filter(county=county, kind=PairingKind.DESIGNATED).select_related(
        "helper_organisation", "target_area"
    )[0]
    before, key = audit_chain_stamp(county.county_code), county_stamp(county, today)
    with django_capture_on_commit_callbacks(execute=True):
        record_visit(
            actor=None,
            organisation=pairing.helper_organisation,
            village=pairing.target_area,
            date=today,
            purpose="回头看、回头帮",
            guests=["甲", "乙"],
        )
    assert audit_chain_stamp(county.county_code)[0] > before[0]
    assert county_stamp(county, today) != key
