from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from bangfu.audit.models import AuditRecord
from bangfu.lib.indicators import IndicatorQuery, get_indicator
from bangfu.network import selectors, services
from bangfu.network.models import Invitation, OrderStatus, Supporter
from bangfu.partners.models import Organisation
from tests.conftest import PASSWORD
from tests.network.conftest import register, verify


def test_units_get_invitation_codes_and_registrations_are_attributed(
    county, county_admin, unit_reporter, client_for, settings
) -> None:
    settings.BANGFU_TODAY = date(2020, 6, 10)
    assert (
        services.issue_invitations(actor=county_admin, county=county)
        == Organisation.objects.filter(county=county).count()
    )
    assert services.issue_invitations(actor=county_admin, county=county) == 0  # idempotent
    with pytest.raises(PermissionDenied):
        services.issue_invitations(actor=unit_reporter, county=county)
    invitation = Invitation.objects.get(organisation=unit_reporter.organisation)
    link = reverse("network:signup_with_code", args=[invitation.code])

    # The unit's link pre-fills its code; the registration counts for the unit.
    page = Client().get(link)
    assert invitation.organisation.name in page.content.decode()
    response = Client().post(
        link,
        {
            "kind": "person",
            "county": county.pk,
            "name": "赵爱心",
            "mobile": "13600000001",
            "password": PASSWORD,
            "password2": PASSWORD,
            "invitation_code": invitation.code.lower(),
        },
        REMOTE_ADDR="10.1.1.1",
    )
    assert response.status_code == 302
    supporter = Supporter.objects.get(mobile="13600000001")
    assert supporter.invited_by == unit_reporter.organisation
    register(county, "13600000002")  # no code: unattributed

    stats = selectors.registration_stats(county, 2020)
    assert stats.total == 2
    assert stats.by_unit == [{"code": "P02", "name": "省机关事务管理局", "count": 1}]
    assert stats.unattributed == 1

    # The unit reporter sees its own code and count, and only its own supporters.
    reporter = client_for(unit_reporter)
    page = reporter.get(reverse("network:invitations")).content.decode()
    assert invitation.code in page
    assert page.count("<code>") == 2  # its one code and its one link
    listed = reporter.get(reverse("network:supporters")).content.decode()
    assert "赵爱心" in listed
    assert "136****0001" in listed
    assert "13600000001" not in listed
    assert "13600000002" not in listed and "136****0002" not in listed

    query = IndicatorQuery(county=county, start=date(2020, 6, 1), end=date(2020, 7, 1))
    assert get_indicator("network.supporter_registrations").value(query) == 2
    unit_query = IndicatorQuery(
        county=county, start=date(2020, 6, 1), end=date(2020, 7, 1), organisation=unit_reporter.organisation
    )
    assert get_indicator("network.supporter_registrations").value(unit_query) == 1


def test_a_unit_reporter_creates_its_own_code(unit_reporter, client_for) -> None:
    client = client_for(unit_reporter)
    assert client.post(reverse("network:invitations")).status_code == 302
    assert Invitation.objects.filter(organisation=unit_reporter.organisation).count() == 1
    client.post(reverse("network:invitations"))
    assert Invitation.objects.filter(organisation=unit_reporter.organisation).count() == 1
    assert AuditRecord.objects.filter(action="network.invitation.create").count() == 1


def test_registrations_by_month_against_the_baseline(county, county_admin, settings, client_for) -> None:
    for day, mobile in [
        (date(2019, 12, 30), "13600000010"),
        (date(2020, 3, 1), "13600000011"),
        (date(2020, 3, 31), "13600000012"),
        (date(2020, 6, 15), "13600000013"),
    ]:
        settings.BANGFU_TODAY = day
        register(county, mobile)
    services.update_network_settings(
        actor=county_admin, county=county, baseline_registrations=2, claim_days=14
    )
    stats = selectors.registration_stats(county, 2020)
    assert stats.by_month == [0, 0, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert (stats.total, stats.baseline, stats.growth_percent) == (3, 2, Decimal("50.0"))

    response = client_for(county_admin).get("/api/v1/network/stats?year=2020")
    assert response.status_code == 200
    data = response.json()
    assert (data["registrations"], data["baseline"], data["growth_percent"]) == (3, 2, "50.0")
    assert data["registrations_by_month"][2] == 2
    page = client_for(county_admin).get(reverse("network:stats") + "?year=2020")
    assert page.status_code == 200
    assert "50.0%" in page.content.decode()


def test_the_baseline_is_a_county_setting_for_county_admins_only(
    county, county_admin, township_clerk, client_for
) -> None:
    response = client_for(county_admin).post(
        reverse("network:stats"), {"baseline_registrations": "1200", "claim_days": "10"}
    )
    assert response.status_code == 302
    conf = services.settings_for(county)
    assert (conf.baseline_registrations, conf.claim_days) == (1200, 10)
    response = client_for(township_clerk).post(
        reverse("network:stats"), {"baseline_registrations": "1", "claim_days": "1"}
    )
    assert response.status_code == 403
    assert services.settings_for(county).baseline_registrations == 1200
    response = client_for(county_admin).post(
        reverse("network:stats"), {"baseline_registrations": "5", "claim_days": "0"}
    )
    assert response.status_code == 200
    assert services.settings_for(county).claim_days == 10


def test_the_stats_api_is_for_staff(supporter, client_for, client) -> None:
    assert client.get("/api/v1/network/stats").status_code == 401
    assert client_for(supporter.user).get("/api/v1/network/stats").status_code == 403


def test_sales_totals_by_month_product_and_buyer_type(
    supporter, org_supporter, unit_reporter, product, county, county_admin, settings
) -> None:
    settings.BANGFU_TODAY = date(2020, 3, 5)
    services.place_order(actor=supporter.user, product=product, quantity=2, delivery_address="成都")
    cancelled = services.place_order(
        actor=org_supporter.user, product=product, quantity=1, delivery_address="成都"
    )
    services.transition_order(actor=county_admin, order=cancelled, to=OrderStatus.CANCELLED, reason="缺货")
    settings.BANGFU_TODAY = date(2020, 6, 5)
    services.place_order(actor=unit_reporter, product=product, quantity=3, delivery_address="县机关食堂")
    services.place_order(actor=org_supporter.user, product=product, quantity=1, delivery_address="成都")

    sales = selectors.sales_stats(county, 2020)
    assert sales.amount == Decimal("408.00")
    assert sales.orders == 3
    assert sales.certified_amount == Decimal("408.00")
    assert sales.by_month[2] == Decimal("136.00")
    assert sales.by_month[5] == Decimal("272.00")
    assert sales.by_product == [
        {"id": product.pk, "name": "牦牛肉干", "quantity": 6, "amount": Decimal("408.00")}
    ]
    kinds = {k["kind"]: (k["orders"], k["amount"]) for k in sales.by_buyer_kind}
    assert kinds == {
        "person": (1, Decimal("136.00")),
        "organisation": (1, Decimal("68.00")),
        "unit": (1, Decimal("204.00")),
    }
    june = IndicatorQuery(county=county, start=date(2020, 6, 1), end=date(2020, 7, 1))
    assert get_indicator("network.product_sales_amount").value(june) == Decimal("272.00")
    unit_june = IndicatorQuery(
        county=county, start=date(2020, 6, 1), end=date(2020, 7, 1), organisation=unit_reporter.organisation
    )
    assert get_indicator("network.product_sales_amount").value(unit_june) == Decimal("204.00")
    assert get_indicator("network.product_orders").value(june) == 2


def test_need_figures(published_need, supporter, village_officer, county, settings) -> None:
    claim = services.claim_need(actor=supporter.user, need=published_need)
    services.deliver_claim(actor=supporter.user, claim=claim, note="已送达")
    services.confirm_claim(actor=village_officer, claim=claim, note="已收到")
    today = published_need.published_on
    stats = selectors.need_stats(county, today.year)
    assert (stats.posted, stats.matched, stats.fulfilled, stats.match_rate) == (1, 1, 1, Decimal("100.0"))
    month = IndicatorQuery(county=county, start=today.replace(day=1), end=date(today.year + 1, 1, 1))
    assert get_indicator("network.needs_posted").value(month) == 1
    assert get_indicator("network.needs_fulfilled").value(month) == 1
    assert get_indicator("network.need_match_rate").value(month) == Decimal("100.0")


def test_verify_helper_works(county) -> None:
    assert verify(register(county, "13600000099")).mobile_verified_at is not None
