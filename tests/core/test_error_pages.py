"""403 / 404 / 500 pages render in the site frame, in Chinese and in English, say why and offer the
way back (home; log in as someone else)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import path

from bangfu import urls as site_urls


def _english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_403_in_frame_chinese(township_clerk, client_for):
    response = client_for(township_clerk).get("/audit/")
    assert response.status_code == 403
    html = response.content.decode()
    assert 'class="topbar"' in html and 'class="mainnav"' in html  # the site frame, with the menu
    assert "无权访问" in html and "返回首页" in html and "以其他身份登录" in html
    assert 'name="next" value="/accounts/login/?next=/audit/"' in html


def test_403_in_frame_english(township_clerk, client_for):
    response = _english(client_for(township_clerk)).get("/audit/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Access denied" in html and "Back to home" in html and "Log in as someone else" in html
    assert "无权访问" not in html


def test_404_in_frame_both_languages(township_clerk, client_for):
    client = client_for(township_clerk)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'class="topbar"' in html and "页面不存在" in html and "返回首页" in html
    response = _english(client).get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404 and "Page not found" in html and "Back to home" in html


def test_404_for_anonymous_offers_login(db):
    response = Client().get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404 and "页面不存在" in html and 'href="/accounts/login/?next=' in html


def test_api_404_stays_json(db):
    response = Client().get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.json()["detail"]


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom), *site_urls.urlpatterns]
handler500 = site_urls.handler500
handler404 = site_urls.handler404
handler403 = site_urls.handler403


@pytest.mark.urls(__name__)
@override_settings(DEBUG=False)
def test_500_in_frame_both_languages(township_clerk):
    client = Client(raise_request_exception=False)
    client.force_login(township_clerk)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统出错" in html and "返回首页" in html and 'class="topbar"' in html
    response = _english(client).get("/boom/")
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()
