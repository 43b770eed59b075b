from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.urls import reverse

from bangfu.areas.models import Area
from bangfu.audit.models import AuditRecord
from bangfu.network import services
from bangfu.network.models import BuyerKind, Order, OrderStatus, Product
from tests.network.conftest import OTHER_VILLAGE, VILLAGE, register


def _order(actor, product, quantity=1):
    return services.place_order(
        actor=actor, product=product, quantity=quantity, delivery_address="成都市锦江区某路1号"
    )


def test_it_places_an_order_taking_stock_and_pricing_in_decimal(supporter, product) -> None:
    order = _order(supporter.user, product, quantity=3)
    product.refresh_from_db()
    assert product.stock == 7
    assert order.amount == Decimal("204.00")
    assert order.unit_price == Decimal("68.00")
    assert (order.status, order.buyer_kind, order.county_id) == (
        OrderStatus.PLACED,
        BuyerKind.PERSON,
        product.county_id,
    )
    assert AuditRecord.objects.filter(action="network.order.place", target_id=str(order.pk)).exists()


def test_it_records_organisation_and_unit_buyers(org_supporter, unit_reporter, product) -> None:
    assert _order(org_supporter.user, product).buyer_kind == BuyerKind.ORGANISATION
    unit_order = _order(unit_reporter, product)
    assert unit_order.buyer_kind == BuyerKind.UNIT
    assert unit_order.buyer_organisation == unit_reporter.organisation


def test_it_refuses_more_than_the_stock_and_changes_nothing(supporter, product) -> None:
    with pytest.raises(ValidationError) as exc:
        _order(supporter.user, product, quantity=11)
    assert "库存不足" in str(exc.value)
    assert "10" in str(exc.value)
    product.refresh_from_db()
    assert product.stock == 10
    assert not Order.objects.exists()


def test_an_unverified_supporter_cannot_order(county, product) -> None:
    unverified = register(county, "13700000001")
    with pytest.raises(ValidationError):
        _order(unverified.user, product)
    assert not Order.objects.exists()


def test_staff_cannot_order(township_clerk, product) -> None:
    with pytest.raises(PermissionDenied):
        _order(township_clerk, product)


def test_it_moves_an_order_through_its_states(supporter, product, village_officer) -> None:
    order = _order(supporter.user, product, quantity=2)
    with pytest.raises(PermissionDenied):
        services.transition_order(actor=supporter.user, order=order, to=OrderStatus.CONFIRMED)
    services.transition_order(
        actor=village_officer, order=order, to=OrderStatus.CONFIRMED, payment_reference="TRX-1"
    )
    with pytest.raises(ValidationError):
        services.transition_order(actor=village_officer, order=order, to=OrderStatus.RECEIVED)
    services.transition_order(actor=village_officer, order=order, to=OrderStatus.SHIPPED)
    order = services.transition_order(actor=supporter.user, order=order, to=OrderStatus.RECEIVED)
    assert order.status == OrderStatus.RECEIVED
    assert order.payment_reference == "TRX-1"
    assert order.confirmed_at and order.shipped_at and order.received_at
    with pytest.raises(ValidationError):
        services.transition_order(actor=village_officer, order=order, to=OrderStatus.CANCELLED, reason="x")


def test_cancelling_gives_the_stock_back_once(supporter, product) -> None:
    order = _order(supporter.user, product, quantity=4)
    stale = Order.objects.get(pk=order.pk)
    services.transition_order(actor=supporter.user, order=order, to=OrderStatus.CANCELLED, reason="买错了")
    product.refresh_from_db()
    assert product.stock == 10
    # A second cancel (e.g. a double click with a stale copy) is refused and the stock stays.
    with pytest.raises(ValidationError):
        services.transition_order(actor=supporter.user, order=stale, to=OrderStatus.CANCELLED, reason="again")
    product.refresh_from_db()
    assert product.stock == 10


def test_a_buyer_cannot_cancel_after_confirmation(supporter, product, county_admin) -> None:
    order = _order(supporter.user, product)
    services.transition_order(actor=county_admin, order=order, to=OrderStatus.CONFIRMED)
    with pytest.raises(PermissionDenied):
        services.transition_order(
            actor=supporter.user, order=order, to=OrderStatus.CANCELLED, reason="不要了"
        )


def test_stock_adjustments_never_go_below_zero(product, village_officer) -> None:
    with pytest.raises(ValidationError) as exc:
        services.adjust_stock(actor=village_officer, product=product, delta=-11, reason="损耗")
    assert "库存不足" in str(exc.value)
    services.adjust_stock(actor=village_officer, product=product, delta=-10, reason="损耗")
    product.refresh_from_db()
    assert product.stock == 0


def test_a_certified_product_needs_its_certificate_number(county_admin) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_product(
            actor=county_admin,
            village=Area.objects.get(code=VILLAGE),
            name="青稞",
            producer_kind="enterprise",
            producer_name="雪域青稞食品有限公司",
            price=Decimal("12.50"),
            unit="斤",
            certified=True,
        )
    assert "certificate_number" in exc.value.message_dict
    assert not Product.objects.exists()


def test_a_village_officer_manages_only_its_village(product, other_village_officer, client_for) -> None:
    with pytest.raises(PermissionDenied):
        services.adjust_stock(actor=other_village_officer, product=product, delta=5, reason="入库")
    client = client_for(other_village_officer)
    assert client.get(reverse("network:product_edit", args=[product.pk])).status_code == 404
    with pytest.raises(PermissionDenied):  # refused first, at the service boundary
        services.create_product(
            actor=other_village_officer,
            village=Area.objects.get(code=VILLAGE),
            name="青稞",
            producer_kind="cooperative",
            producer_name="合作社",
            price=Decimal("1"),
            unit="斤",
        )
    assert Product.objects.filter(village__code=OTHER_VILLAGE).count() == 0


def test_orders_are_scoped(
    supporter, org_supporter, product, other_village_officer, village_officer, client_for
) -> None:
    order = _order(supporter.user, product)
    assert client_for(org_supporter.user).get(reverse("network:order", args=[order.pk])).status_code == 404
    assert client_for(other_village_officer).get(reverse("network:order", args=[order.pk])).status_code == 404
    assert client_for(village_officer).get(reverse("network:order", args=[order.pk])).status_code == 200
    assert client_for(supporter.user).get(reverse("network:order", args=[order.pk])).status_code == 200


def test_ordering_through_the_page_and_the_api(supporter, product, client_for) -> None:
    client = client_for(supporter.user)
    response = client.post(
        reverse("network:product", args=[product.pk]),
        {
            "quantity": "2",
            "delivery_address": "成都市",
            "payment_method": "bank_transfer",
            "payment_reference": "",
        },
    )
    assert response.status_code == 302
    response = client.post(
        f"/api/v1/network/products/{product.pk}/orders",
        {"quantity": 20, "delivery_address": "成都市"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "库存不足" in str(response.json()["detail"])
    response = client.post(
        f"/api/v1/network/products/{product.pk}/orders",
        {"quantity": 3, "delivery_address": "成都市"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["amount"] == "204.00"
    product.refresh_from_db()
    assert product.stock == 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locking needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_orders_never_oversell(demo) -> None:
    from tests.network.conftest import make_product_and_buyers

    product, buyers = make_product_and_buyers(stock=5, buyers=8)
    barrier = threading.Barrier(len(buyers))
    results: list[str] = []
    lock = threading.Lock()

    def buy(user) -> None:
        try:
            barrier.wait()
            services.place_order(actor=user, product=product, quantity=1, delivery_address="成都市")
            outcome = "ok"
        except ValidationError:
            outcome = "refused"
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=buy, args=(u,)) for u in buyers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    product.refresh_from_db()
    assert results.count("ok") == 5
    assert results.count("refused") == 3
    assert product.stock == 0
    assert Order.objects.filter(product=product).count() == 5


def test_a_household_product_links_its_registered_household(
    household, other_household, village_officer, client_for
) -> None:
    client = client_for(village_officer)
    data = {
        "name": "手工酥油",
        "description": "",
        "village": Area.objects.get(code=VILLAGE).pk,
        "producer_kind": "household",
        "producer_name": "然布村某户",
        "producer_organisation": "",
        "producer_household": other_household.number,
        "price": "45.00",
        "unit": "斤",
        "is_listed": "on",
        "stock": "10",
    }
    response = client.post(reverse("network:product_new"), data)
    assert response.status_code == 200
    assert "找不到户编号" in str(response.context["form"].errors["producer_household"])
    assert not Product.objects.exists()
    data["producer_household"] = household.number
    assert client.post(reverse("network:product_new"), data).status_code == 302
    product = Product.objects.get()
    assert product.producer_household == household
    assert product.public_producer == "建档立卡户"
    with pytest.raises(ValidationError):
        services.update_product(actor=village_officer, product=product, producer_kind="cooperative")


def test_absurd_inputs_are_refused_cleanly(supporter, product, client_for, client) -> None:
    buyer = client_for(supporter.user)
    response = buyer.post(
        f"/api/v1/network/products/{product.pk}/orders",
        {"quantity": 10**20, "delivery_address": "成都"},
        content_type="application/json",
    )
    assert response.status_code == 422
    with pytest.raises(ValidationError):
        _order(supporter.user, product, quantity=10**20)
    assert client.get("/api/v1/network/products?offset=-5").status_code == 422
    assert client.get("/api/v1/network/needs?limit=0").status_code == 422
    product.refresh_from_db()
    assert product.stock == 10
    assert not Order.objects.exists()
