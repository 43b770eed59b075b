from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from bangfu.accounts.models import ApiToken, User, hash_token
from bangfu.accounts.services import create_api_token, revoke_api_token
from bangfu.audit.models import AuditRecord

pytestmark = pytest.mark.django_db


def _get(path: str, token: str) -> object:
    return Client().get(path, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_token_authenticates_api_calls(township_clerk: User) -> None:
    _token, raw = create_api_token(actor=None, user=township_clerk)
    response = _get("/api/v1/me", raw)
    assert response.status_code == 200
    assert response.json()["username"] == "clerk-xueling"


def test_only_the_hash_of_a_token_is_stored(township_clerk: User) -> None:
    token, raw = create_api_token(actor=None, user=township_clerk)
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hash_token(raw)
    assert raw not in {stored.key_hash, stored.hint, stored.name}
    assert AuditRecord.objects.filter(action="token.create", target_id=str(token.pk)).exists()


def test_unknown_revoked_and_missing_tokens_are_refused(township_clerk: User) -> None:
    token, raw = create_api_token(actor=None, user=township_clerk)
    assert _get("/api/v1/me", "bf_not-a-real-token").status_code == 401
    assert Client().get("/api/v1/me").status_code == 401
    revoke_api_token(actor=township_clerk, token=token)
    assert _get("/api/v1/me", raw).status_code == 401


def test_a_deactivated_users_token_is_refused(township_clerk: User) -> None:
    _token, raw = create_api_token(actor=None, user=township_clerk)
    User.objects.filter(pk=township_clerk.pk).update(is_active=False)
    assert _get("/api/v1/me", raw).status_code == 401


def test_create_token_command_prints_a_working_token(township_clerk: User, capsys) -> None:
    call_command("create_token", "clerk-xueling")
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("bf_")
    assert _get("/api/v1/me", raw).status_code == 200


def test_the_session_also_authenticates_the_api(township_clerk: User, client_for) -> None:
    response = client_for(township_clerk).get("/api/v1/me")
    assert response.status_code == 200
