"""One frame for every page: the public pages share the header and footer, which names the
publishing office; the public pages stay script-free and cookie-free."""

from __future__ import annotations

from django.test import Client

PUBLIC_LINKS = ('href="/disclosure/"', 'href="/awards/public/"')


def test_public_pages_share_one_header_and_name_the_office(demo) -> None:
    client = Client()
    for url in ("/disclosure/", "/awards/public/", "/accounts/login/"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert 'class="topbar"' in html and 'class="mainnav public-nav"' in html, url
        assert all(link in html for link in PUBLIC_LINKS), url
        assert "发布单位：" in html and "脱贫攻坚领导小组办公室" in html, url


def test_public_disclosure_pages_have_no_script_and_no_user(demo, county_admin) -> None:
    client = Client()
    client.force_login(county_admin)
    html = client.get("/disclosure/").content.decode()
    assert "<script" not in html and "退出" not in html and str(county_admin) not in html
