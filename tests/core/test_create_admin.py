"""`bangfu create-admin`: the first county administrator of a new installation."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from bangfu.accounts.models import Role, User
from bangfu.audit.models import AuditRecord

pytestmark = pytest.mark.django_db


def test_it_creates_a_county_administrator_who_can_log_in(demo, client, monkeypatch):
    monkeypatch.setenv("BANGFU_ADMIN_PASSWORD", "Gesang-county-2020!")
    out = io.StringIO()
    call_command("create_admin", "gesang-admin", "--county", "513325000000", stdout=out)
    user = User.objects.get(username="gesang-admin")
    assert user.role == Role.COUNTY_ADMIN and user.area.code == "513325000000"
    assert AuditRecord.objects.filter(action="user.create").exists()
    assert "已创建县级管理员 gesang-admin（格桑县）" in out.getvalue()
    login = {"username": "gesang-admin", "password": "Gesang-county-2020!"}
    response = client.post("/accounts/login/", login)
    assert response.status_code == 302 and client.get("/").status_code == 200


def test_it_refuses_an_unknown_county_and_a_weak_password_creating_nobody(demo, monkeypatch):
    before = User.objects.count()
    monkeypatch.setenv("BANGFU_ADMIN_PASSWORD", "Gesang-county-2020!")
    with pytest.raises(CommandError, match="没有代码为 999999000000 的区域"):
        call_command("create_admin", "someone", "--county", "999999000000")
    monkeypatch.setenv("BANGFU_ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError, match="密码"):
        call_command("create_admin", "someone", "--county", "513325000000")
    assert User.objects.count() == before
