from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.partners.models import Organisation
from bangfu.projects.models import FundSource, InvestmentPlan, ProjectStatus
from bangfu.projects.scopes import investment_plans_for_user
from bangfu.projects.selectors import plan_progress
from bangfu.projects.services import change_project_status, record_allocation, save_investment_plan

from .conftest import new_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(county, county_admin, settings) -> InvestmentPlan:
    settings.BANGFU_TODAY = date(2020, 4, 15)
    return save_investment_plan(
        actor=county_admin,
        county=county,
        partner=Organisation.objects.get(code="E01"),
        year=2020,
        title="2020 年顺德区帮扶格桑县项目投资计划",
        planned_amount=Decimal("2000000.00"),
        planned_projects=4,
        issued_on=date(2020, 3, 5),
    )


def test_actual_against_planned(plan, county, county_admin) -> None:
    assert plan.issued_in_q1
    project = new_project(county_admin, county, investment_plan=plan)
    change_project_status(actor=county_admin, project=project, to=ProjectStatus.APPROVED)
    record_allocation(
        actor=county_admin, project=project, amount=Decimal("500000.00"), source=FundSource.PARTNER
    )
    [progress] = plan_progress([plan])
    assert progress.projects == 1
    assert progress.budgeted == Decimal("550000.00")
    assert progress.allocated == Decimal("500000.00")
    assert progress.allocated_ratio == Decimal("25.0")


def test_a_plan_issued_after_q1_is_flagged(plan, county_admin, county) -> None:
    late = save_investment_plan(
        actor=county_admin,
        county=county,
        partner=Organisation.objects.get(code="E01"),
        year=2020,
        title=plan.title,
        planned_amount=plan.planned_amount,
        issued_on=date(2020, 4, 2),
    )
    assert late.pk == plan.pk and not late.issued_in_q1


def test_a_partner_files_only_its_own_plan(plan, county, funder_reporter, counterpart_reporter) -> None:
    with pytest.raises(PermissionDenied):
        save_investment_plan(
            actor=counterpart_reporter,
            county=county,
            partner=Organisation.objects.get(code="E01"),
            year=2020,
            title="x",
            planned_amount=Decimal("1"),
        )
    assert InvestmentPlan.objects.get().planned_amount == Decimal("2000000.00")
    assert list(investment_plans_for_user(funder_reporter)) == [plan]
    assert not investment_plans_for_user(counterpart_reporter).exists()


def test_it_refuses_a_project_linked_to_another_partners_plan(plan, county, county_admin) -> None:
    with pytest.raises(ValidationError) as excinfo:
        new_project(
            county_admin, county, funders=[Organisation.objects.get(code="K01")], investment_plan=plan
        )
    assert "investment_plan" in excinfo.value.message_dict


def test_it_refuses_bad_plan_fields(county, county_admin) -> None:
    with pytest.raises(ValidationError) as excinfo:
        save_investment_plan(
            actor=county_admin,
            county=county,
            partner=Organisation.objects.get(code="E01"),
            year=1990,
            title="",
            planned_amount=Decimal("-5"),
        )
    assert set(excinfo.value.message_dict) == {"year", "title", "planned_amount"}
    assert not InvestmentPlan.objects.exists()
