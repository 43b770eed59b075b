from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client

from bangfu.accounts.models import User
from bangfu.audit.models import AuditRecord
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_logs_in_with_the_standard_form_fields(township_clerk: User) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "clerk-xueling", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_it_rejects_a_wrong_password_in_chinese(township_clerk: User) -> None:
    response = Client().post("/accounts/login/", {"username": "clerk-xueling", "password": "wrong-password"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_it_throttles_repeated_wrong_passwords(township_clerk: User, settings) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "clerk-xueling", "password": "wrong-password"})
    # Even the right password is refused while locked out.
    response = client.post("/accounts/login/", {"username": "clerk-xueling", "password": PASSWORD})
    assert response.status_code == 429
    assert "登录已暂停" in response.content.decode()
    assert AccessAttempt.objects.filter(username="clerk-xueling").exists()
    assert client.get("/").status_code == 302


def test_it_logs_out_by_post(township_clerk: User, client_for) -> None:
    client = client_for(township_clerk)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_it_changes_the_password_and_audits_it(township_clerk: User) -> None:
    client = Client()
    client.post("/accounts/login/", {"username": "clerk-xueling", "password": PASSWORD})
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 302
    township_clerk.refresh_from_db()
    assert township_clerk.check_password("a-new-long-passphrase")
    assert (
        AuditRecord.objects.filter(action="user.change_password", target_id=str(township_clerk.pk)).count()
        == 1
    )


def test_it_refuses_a_password_change_with_the_wrong_old_password(township_clerk: User) -> None:
    client = Client()
    client.post("/accounts/login/", {"username": "clerk-xueling", "password": PASSWORD})
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "not-it-at-all",
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 200
    township_clerk.refresh_from_db()
    assert township_clerk.check_password(PASSWORD)
    assert not AuditRecord.objects.filter(action="user.change_password").exists()


def test_a_deactivated_user_cannot_log_in(township_clerk: User) -> None:
    User.objects.filter(pk=township_clerk.pk).update(is_active=False)
    response = Client().post("/accounts/login/", {"username": "clerk-xueling", "password": PASSWORD})
    assert response.status_code == 200
