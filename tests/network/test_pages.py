"""Every network page renders for the roles that use it, on the demo data."""

from __future__ import annotations

from datetime import date

import pytest

from bangfu.accounts.models import User
from bangfu.network import demo
from bangfu.network.models import Need, Order, Product
from tests.network.conftest import make_household


@pytest.fixture
def demo_network(county, settings):
    settings.BANGFU_TODAY = date(2020, 7, 15)
    make_household("5133251002020001", "513325100202")
    demo.seed_demo(county)


def test_every_network_page_renders_for_its_roles(demo_network, client_for, client) -> None:
    product = Product.objects.first()
    order = Order.objects.first()
    needs = list(Need.objects.all())
    assert product and order and needs
    pages = {
        None: [
            "/network/needs/",
            "/network/needs/?open=1&category=education",
            "/network/products/?q=牦牛&certified=1",
            "/network/join/",
            f"/network/products/{product.pk}/",
            *[f"/network/needs/{n.pk}/" for n in needs if n.status != "pending"],
        ],
        "admin": [
            "/network/stats/",
            "/network/stats/?year=2019",
            "/network/invitations/",
            "/network/supporters/",
            "/network/manage/products/",
            "/network/manage/products/new/",
            f"/network/manage/products/{product.pk}/",
            "/network/orders/?status=placed",
            f"/network/orders/{order.pk}/",
            "/network/manage/needs/?status=pending",
        ],
        "village": ["/network/manage/needs/new/", *[f"/network/manage/needs/{n.pk}/" for n in needs]],
        "township": ["/network/manage/needs/", *[f"/network/manage/needs/{n.pk}/" for n in needs]],
        "unit": ["/network/invitations/", "/network/supporters/", "/network/orders/", "/network/stats/"],
        "supporter": ["/network/me/", "/network/orders/", f"/network/products/{product.pk}/"],
        "inspector": ["/network/manage/products/", "/network/manage/needs/", "/network/invitations/"],
    }
    for username, urls in pages.items():
        browser = client_for(User.objects.get(username=username)) if username else client
        for url in urls:
            assert browser.get(url).status_code == 200, (username, url)


def test_a_village_officer_posts_a_need_through_the_form(demo_network, client_for) -> None:
    officer = User.objects.get(username="village")
    household = Need.objects.first().household  # type: ignore[union-attr]
    before = Need.objects.count()
    response = client_for(officer).post(
        "/network/manage/needs/new/",
        {
            "household": household.pk,
            "category": "training",
            "title": "厨师技能培训名额",
            "description": "",
            "quantity": "1人",
            "amount": "",
            "deadline": "2020-09-30",
        },
    )
    assert response.status_code == 302
    assert Need.objects.count() == before + 1
    assert Need.objects.latest("id").status == "pending"
    response = client_for(officer).post(
        "/network/manage/needs/new/",
        {
            "household": household.pk,
            "category": "training",
            "title": "",
            "quantity": "",
            "deadline": "2020-01-01",
        },
    )
    assert response.status_code == 200
    assert Need.objects.count() == before + 1


def test_staff_pages_are_closed_to_the_public_and_to_supporters(demo_network, client, client_for) -> None:
    assert client.get("/network/manage/needs/").status_code == 302  # to the login page
    supporter = client_for(User.objects.get(username="supporter"))
    for url in [
        "/network/manage/needs/",
        "/network/manage/products/",
        "/network/stats/",
        "/network/invitations/",
    ]:
        assert supporter.get(url).status_code == 403, url
    need = Need.objects.first()
    assert supporter.get(f"/network/manage/needs/{need.pk}/").status_code == 404  # type: ignore[union-attr]
