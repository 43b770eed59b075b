from __future__ import annotations

import pytest
from django.test import Client

from bangfu.accounts.models import User
from bangfu.accounts.services import create_api_token
from tests.conftest import OTHER_TOWNSHIP, OTHER_VILLAGE, OWN_TOWNSHIP

pytestmark = pytest.mark.django_db


def test_a_township_clerk_lists_only_its_own_villages_by_api(township_clerk: User) -> None:
    _t, raw = create_api_token(actor=None, user=township_clerk)
    response = Client().get("/api/v1/areas/?level=village", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    codes = [a["code"] for a in response.json()]
    assert len(codes) == 7
    assert all(code.startswith(OWN_TOWNSHIP[:9]) for code in codes)


def test_another_townships_area_is_404_by_api(township_clerk: User) -> None:
    _t, raw = create_api_token(actor=None, user=township_clerk)
    for code in (OTHER_TOWNSHIP, OTHER_VILLAGE, "513325000000"):
        response = Client().get(f"/api/v1/areas/{code}", HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code == 404, code
        assert response.json() == {"detail": "未找到。"}


def test_another_townships_area_is_404_in_the_ui(township_clerk: User, client_for) -> None:
    client = client_for(township_clerk)
    assert client.get(f"/areas/{OWN_TOWNSHIP}/").status_code == 200
    assert client.get(f"/areas/{OTHER_TOWNSHIP}/").status_code == 404
    assert client.get(f"/areas/{OTHER_VILLAGE}/").status_code == 404
    listing = client.get("/areas/?level=village").content.decode()
    assert "扎西村" not in listing and "然布村" in listing


def test_the_county_admin_sees_every_township(county_admin: User, client_for) -> None:
    response = client_for(county_admin).get("/api/v1/areas/?level=township")
    assert len(response.json()) == 7
    assert client_for(county_admin).get(f"/areas/{OTHER_VILLAGE}/").status_code == 200


def test_a_supporter_reaches_no_area(demo) -> None:
    client = Client()
    client.force_login(User.objects.get(username="supporter"))
    assert client.get("/api/v1/areas/").json() == []
    assert client.get(f"/areas/{OWN_TOWNSHIP}/").status_code == 404


def test_registered_poor_filter(county_admin: User, client_for) -> None:
    response = client_for(county_admin).get("/api/v1/areas/?level=village&registered_poor=true")
    assert len(response.json()) == 14
