from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.audit.models import AuditRecord
from bangfu.subsidies.models import ProgrammeMilestone, YuluTerm
from bangfu.subsidies.services import complete_milestone, create_term, ensure_plan_milestones


def test_it_opens_a_term_with_the_seasons_defaults(county_admin, county):
    spring = create_term(actor=county_admin, county=county, code="2020-spring")
    autumn = create_term(actor=county_admin, county=county, code="2020-autumn", amount="2500")
    assert (spring.start_date, spring.payment_deadline, spring.amount) == (
        date(2020, 3, 1),
        date(2020, 6, 30),
        Decimal("1500.00"),
    )
    assert (autumn.start_date, autumn.payment_deadline, autumn.amount) == (
        date(2020, 9, 1),
        date(2020, 12, 31),
        Decimal("2500.00"),
    )
    assert AuditRecord.objects.filter(action="subsidies.create_term").count() == 2


@pytest.mark.parametrize(
    ("code", "kwargs", "field"),
    [
        ("2020-summer", {}, "code"),
        ("20-spring", {}, "code"),
        ("2020-spring", {"payment_deadline": date(2020, 2, 1)}, "payment_deadline"),
        ("2020-spring", {"amount": "0"}, "amount"),
    ],
)
def test_it_refuses_bad_terms_and_changes_nothing(county_admin, county, code, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        create_term(actor=county_admin, county=county, code=code, **kwargs)
    assert field in exc.value.message_dict
    assert not YuluTerm.objects.exists()


def test_it_refuses_a_duplicate_term(county_admin, county):
    create_term(actor=county_admin, county=county, code="2020-spring")
    with pytest.raises(ValidationError):
        create_term(actor=county_admin, county=county, code="2020-spring")
    assert YuluTerm.objects.count() == 1


def test_it_lets_only_county_admins_open_terms(township_clerk, county):
    with pytest.raises(PermissionDenied):
        create_term(actor=township_clerk, county=county, code="2020-spring")
    assert not YuluTerm.objects.exists()


def test_it_creates_the_plan_schedule_as_milestones_once(county_admin, county):
    assert ensure_plan_milestones(actor=county_admin, county=county, year=2020) == 8
    assert ensure_plan_milestones(actor=county_admin, county=county, year=2020) == 0
    due = dict(ProgrammeMilestone.objects.filter(programme="technician").values_list("key", "due_date"))
    assert due == {
        "policy": date(2020, 6, 30),
        "review": date(2020, 9, 30),
        "follow_up": date(2020, 12, 31),
    }
    sanzhi = ProgrammeMilestone.objects.get(programme="sanzhi", key="recruit")
    assert (sanzhi.start_date, sanzhi.due_date) == (date(2020, 4, 1), date(2020, 9, 30))
    milestone = ProgrammeMilestone.objects.get(programme="sanzhi", key="plan")
    assert milestone.is_overdue(date(2020, 4, 1))
    complete_milestone(actor=county_admin, milestone=milestone, done_on=date(2020, 3, 20))
    milestone.refresh_from_db()
    assert milestone.done_on == date(2020, 3, 20)
    assert not milestone.is_overdue(date(2020, 4, 1))


def test_the_term_page_lists_terms_and_admins_open_them(county_admin, township_clerk, county, client_for):
    response = client_for(county_admin).post(
        "/subsidies/yulu/", {"code": "2020-autumn", "start_date": "", "payment_deadline": "", "amount": ""}
    )
    assert response.status_code == 302
    assert YuluTerm.objects.get().code == "2020-autumn"
    response = client_for(township_clerk).get("/subsidies/yulu/")
    assert response.status_code == 200
    assert "2020-autumn" in response.content.decode()
    response = client_for(township_clerk).post("/subsidies/yulu/", {"code": "2020-spring"})
    assert response.status_code == 403
    assert YuluTerm.objects.count() == 1


def test_the_admin_changes_a_terms_dates_and_amount_and_bad_input_changes_nothing(
    county_admin, county, client_for
):
    term = create_term(actor=county_admin, county=county, code="2020-autumn")
    client = client_for(county_admin)
    client.post(
        "/subsidies/yulu/2020-autumn/settings/",
        {"start_date": "2020-09-01", "payment_deadline": "2020-08-01", "amount": "2500"},
    )
    term.refresh_from_db()
    assert (term.payment_deadline, term.amount) == (date(2020, 12, 31), Decimal("1500.00"))
    client.post(
        "/subsidies/yulu/2020-autumn/settings/",
        {"start_date": "2020-09-07", "payment_deadline": "2020-12-20", "amount": "2500"},
    )
    term.refresh_from_db()
    assert (term.start_date, term.payment_deadline, term.amount) == (
        date(2020, 9, 7),
        date(2020, 12, 20),
        Decimal("2500.00"),
    )
    assert AuditRecord.objects.filter(action="subsidies.update_term").count() == 1
