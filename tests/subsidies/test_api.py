from __future__ import annotations

from datetime import date

from bangfu.registry.models import Schooling
from bangfu.subsidies.services import record_payment

from .conftest import OTHER_VILLAGE, make_household, make_member


def test_the_api_reports_the_reconciliation_in_scope(spring, county_admin, township_clerk, client_for):
    paid = make_member(make_household("H1"), 1, schooling=Schooling.SECONDARY_VOCATIONAL_1)
    make_member(make_household("H2", OTHER_VILLAGE), 2, schooling=Schooling.SECONDARY_VOCATIONAL_1)
    record_payment(actor=None, term=spring, member=paid, amount="1500", paid_on=date(2020, 7, 2))
    body = client_for(county_admin).get("/api/v1/subsidies/yulu/terms/2020-spring/reconciliation").json()
    assert (body["eligible"], body["paid"], body["missing"], body["late"]) == (2, 1, 1, 1)
    assert [t["township_code"] for t in body["townships"]] == ["513325100000", "513325200000"]
    body = client_for(township_clerk).get("/api/v1/subsidies/yulu/terms/2020-spring/reconciliation").json()
    assert (body["eligible"], body["missing"]) == (1, 0)
    assert (
        client_for(county_admin).get("/api/v1/subsidies/yulu/terms/2031-spring/reconciliation").status_code
        == 404
    )
    terms = client_for(township_clerk).get("/api/v1/subsidies/yulu/terms").json()
    assert [t["code"] for t in terms] == ["2020-spring"]
