"""API tokens expire, are listed and revoked by their owner (page and CLI) or an admin in scope,
and die with a password or role change (docs/security.md, "API tokens")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from bangfu.accounts.models import ApiToken, Role, User
from bangfu.accounts.services import (
    create_api_token,
    revoke_api_token,
    set_user_password,
    update_user,
)
from bangfu.areas.models import Area
from bangfu.audit.models import AuditRecord
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _me(raw: str) -> int:
    return Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code


def test_a_token_expires_after_the_configured_days(township_clerk, settings) -> None:
    settings.API_TOKEN_DAYS = 30
    token, raw = create_api_token(actor=None, user=township_clerk)
    assert token.expires_at is not None
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert _me(raw) == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _me(raw) == 401


def test_an_admin_password_reset_revokes_the_users_tokens(county_admin, township_clerk) -> None:
    _token, raw = create_api_token(actor=None, user=township_clerk)
    set_user_password(actor=county_admin, user=township_clerk, password="another-horse-battery")
    assert _me(raw) == 401


def test_changing_ones_own_password_revokes_ones_tokens(township_clerk, client_for) -> None:
    _token, raw = create_api_token(actor=None, user=township_clerk)
    response = client_for(township_clerk).post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-horse-battery",
            "new_password2": "another-horse-battery",
        },
    )
    assert response.status_code == 302
    assert _me(raw) == 401
    assert User.objects.get(pk=township_clerk.pk).check_password("another-horse-battery")
    assert AuditRecord.objects.filter(action="user.change_password").count() == 1


def test_a_wrong_old_password_changes_nothing(township_clerk, client_for) -> None:
    _token, raw = create_api_token(actor=None, user=township_clerk)
    response = client_for(township_clerk).post(
        "/accounts/password/",
        {
            "old_password": "wrong",
            "new_password1": "another-horse-battery",
            "new_password2": "another-horse-battery",
        },
    )
    assert response.status_code == 200
    assert _me(raw) == 200
    assert User.objects.get(pk=township_clerk.pk).check_password(PASSWORD)


def test_a_role_change_revokes_the_users_tokens_a_name_change_does_not(county_admin, township_clerk) -> None:
    _token, raw = create_api_token(actor=None, user=township_clerk)
    fields = {"role": Role.TOWNSHIP_CLERK, "area": township_clerk.area, "organisation": None}
    update_user(actor=county_admin, user=township_clerk, full_name="新名字", **fields)
    assert _me(raw) == 200
    fields = {
        "role": Role.VILLAGE_OFFICER,
        "area": Area.objects.get(code="513325100202"),
        "organisation": None,
    }
    update_user(actor=county_admin, user=township_clerk, full_name="新名字", **fields)
    assert _me(raw) == 401


def test_the_token_page_lists_and_revokes_ones_own(township_clerk, other_township_clerk, client_for) -> None:
    mine, raw = create_api_token(actor=None, user=township_clerk, name="报表脚本")
    theirs, their_raw = create_api_token(actor=None, user=other_township_clerk)
    client = client_for(township_clerk)
    page = client.get("/accounts/tokens/").content.decode()
    assert "报表脚本" in page and f"…{mine.hint}" in page and f"…{theirs.hint}" not in page
    # Another user's token is not in reach: 404, still live.
    assert client.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    assert _me(their_raw) == 200
    assert client.post(f"/accounts/tokens/{mine.pk}/revoke/").status_code == 302
    assert _me(raw) == 401
    assert AuditRecord.objects.filter(action="token.revoke", actor=township_clerk).count() == 1


def test_an_admin_revokes_any_token_in_scope_and_no_other(county_admin, township_clerk, client_for) -> None:
    token, raw = create_api_token(actor=None, user=township_clerk)
    page = client_for(county_admin).get("/accounts/tokens/").content.decode()
    assert "clerk-xueling" in page
    assert client_for(county_admin).post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    assert _me(raw) == 401
    # A township clerk cannot revoke the admin's token through the service either.
    admin_token, admin_raw = create_api_token(actor=None, user=county_admin)
    with pytest.raises(PermissionDenied):
        revoke_api_token(actor=township_clerk, token=admin_token)
    assert _me(admin_raw) == 200


def test_the_tokens_command_lists_and_revokes(township_clerk, capsys) -> None:
    token, raw = create_api_token(actor=None, user=township_clerk, name="cli")
    call_command("tokens", "list", "clerk-xueling")
    out = capsys.readouterr().out
    assert f"{token.pk}\tcli\t…{token.hint}" in out and "有效" in out
    call_command("tokens", "revoke", str(token.pk))
    assert _me(raw) == 401
    call_command("tokens", "list", "clerk-xueling")
    assert "已撤销" in capsys.readouterr().out
