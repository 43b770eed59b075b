from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from bangfu.accounts.models import User
from bangfu.core.context_processors import nav_items

pytestmark = pytest.mark.django_db


def test_it_reports_healthy_with_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_it_sends_anonymous_visitors_to_login(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_home_shows_the_county_figures(county_admin: User, client_for) -> None:
    response = client_for(county_admin).get("/")
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures == {"townships": 7, "villages": 45, "poor_villages": 14, "organisations": 56, "users": 7}
    assert "建档立卡贫困村" in response.content.decode()
    assert response.context["chart"]["names"][0] == "雪岭镇"
    assert '"names": ["雪岭镇"' in response.content.decode().replace("\\u96ea\\u5cad\\u9547", "雪岭镇")


def test_home_figures_of_a_township_clerk_cover_only_its_township(township_clerk: User, client_for) -> None:
    figures = client_for(township_clerk).get("/").context["figures"]
    assert figures["townships"] == 1
    assert figures["villages"] == 7
    assert figures["poor_villages"] == 3


@pytest.mark.parametrize("username", ["admin", "township", "village", "unit", "inspector", "supporter"])
def test_every_navigation_link_works_for_every_demo_role(demo, username: str) -> None:
    client = Client()
    client.force_login(User.objects.get(username=username))
    home = client.get("/")
    assert home.status_code == 200
    for item in home.context["nav_items"]:
        assert client.get(item["url"]).status_code == 200, item["url"]
    assert client.get(reverse("accounts:password_change")).status_code == 200


def test_navigation_shows_admin_links_only_to_county_admins(demo) -> None:
    admin_only = {reverse(name) for name, _label, roles in nav_items() if roles == ("county_admin",)}
    client = Client()
    client.force_login(User.objects.get(username="township"))
    urls = {item["url"] for item in client.get("/").context["nav_items"]}
    assert urls and not (urls & admin_only)
    for url in admin_only:
        assert client.get(url).status_code == 403


def test_pages_are_chinese_by_default_and_english_when_switched(county_admin: User, client_for) -> None:
    client = client_for(county_admin)
    # An English browser still gets Chinese until the user switches.
    assert "工作概况" in client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "Overview" in page
    assert "工作概况" not in page


def test_responses_carry_security_headers(client: Client) -> None:
    response = client.get("/accounts/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Request-Id"]


def test_the_openapi_docs_and_schema_are_served_locally(client: Client) -> None:
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert "cdn." not in docs.content.decode()
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/areas/" in schema["paths"]


def test_the_pages_assets_are_served_locally(client: Client) -> None:
    for path in (
        "/static/bangfu/app.css",
        "/static/bangfu/charts.js",
        "/static/vendor/htmx.min.js",
        "/static/vendor/echarts.min.js",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        b"".join(response.streaming_content if response.streaming else [response.content])


def test_every_page_links_the_public_information(client: Client) -> None:
    page = client.get("/accounts/login/").content.decode()
    for path in (
        "/disclosure/",
        "/awards/public/",
        "/network/products/",
        "/network/needs/",
        "/network/join/",
    ):
        assert f'href="{path}"' in page
        assert client.get(path).status_code == 200, path


def test_the_menu_groups_each_apps_pages(county_admin: User, client_for) -> None:
    response = client_for(county_admin).get("/")
    groups = {str(g["label"]): [i["url"] for i in g["items"]] for g in response.context["nav_groups"]}
    assert groups["系统管理"] == ["/accounts/users/", "/audit/"]
    flat = [i["url"] for i in response.context["nav_items"]]
    assert sorted(url for urls in groups.values() for url in urls) == sorted(flat)
    assert 'class="navmenu"' in response.content.decode()
