from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bangfu.lib.indicators import IndicatorQuery, all_indicators, get_indicator
from bangfu.partners.models import Organisation
from bangfu.projects.models import FundSource, ProjectKind, ProjectStatus
from bangfu.projects.services import (
    approve_disbursement,
    change_project_status,
    record_allocation,
    request_disbursement,
)

from .conftest import new_project

pytestmark = pytest.mark.django_db


def test_project_figures_are_computed_per_period_kind_and_organisation(
    county, county_admin, township_clerk, funder_reporter, settings
) -> None:
    settings.BANGFU_TODAY = date(2020, 6, 10)
    east = new_project(county_admin, county)
    counterpart = new_project(
        county_admin,
        county,
        code="DK-2020-001",
        kind=ProjectKind.COUNTERPART,
        funders=[Organisation.objects.get(code="K01")],
    )
    for p in (east, counterpart):
        change_project_status(actor=county_admin, project=p, to=ProjectStatus.APPROVED)
        change_project_status(actor=county_admin, project=p, to=ProjectStatus.IN_PROGRESS)
        record_allocation(actor=county_admin, project=p, amount=Decimal("1000.00"), source=FundSource.PARTNER)
    d = request_disbursement(
        actor=township_clerk, project=east, amount=Decimal("300.00"), payee="甲", purpose="乙"
    )
    approve_disbursement(actor=funder_reporter, disbursement=d)
    approve_disbursement(actor=county_admin, disbursement=d)
    settings.BANGFU_TODAY = date(2020, 7, 2)
    change_project_status(actor=county_admin, project=counterpart, to=ProjectStatus.COMPLETED)

    june = IndicatorQuery(county=county, start=date(2020, 6, 1), end=date(2020, 7, 1))
    july = IndicatorQuery(county=county, start=date(2020, 7, 1), end=date(2020, 8, 1))
    e01 = IndicatorQuery(
        county=county,
        start=date(2020, 1, 1),
        end=date(2021, 1, 1),
        organisation=Organisation.objects.get(code="E01"),
    )

    def value(name: str, query: IndicatorQuery) -> Decimal:
        return get_indicator(name).value(query)

    assert "projects.funds_paid.east_west" in all_indicators()
    assert value("projects.funds_allocated", june) == Decimal("2000.00")
    assert value("projects.funds_allocated.east_west", june) == Decimal("1000.00")
    assert value("projects.funds_paid", june) == Decimal("300.00")
    assert value("projects.funds_paid.counterpart", june) == Decimal("0")
    assert value("projects.funds_paid", july) == Decimal("0")
    assert value("projects.projects_started", june) == 2
    assert value("projects.projects_completed", june) == 0
    assert value("projects.projects_completed", july) == 1
    assert value("projects.funds_allocated", e01) == Decimal("1000.00")
    assert value("projects.projects_started", e01) == 1
