from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from bangfu.accounts.models import Role, User
from bangfu.audit.models import AuditRecord
from bangfu.network import services
from bangfu.network.models import SignupAttempt, Supporter, SupporterKind
from bangfu.network.verification import MemoryBackend
from tests.conftest import PASSWORD
from tests.network.conftest import COUNTY, VALID_USCC, register, send_code


def _post(client: Client, url: str | None = None, **overrides: str):
    data = {
        "kind": "person",
        "county": overrides.pop("county_pk", ""),
        "name": "李爱心",
        "mobile": "13900000001",
        "uscc": "",
        "password": PASSWORD,
        "password2": PASSWORD,
        "invitation_code": "",
    }
    data.update(overrides)
    return client.post(url or reverse("network:signup"), data, REMOTE_ADDR=overrides.get("ip", "10.0.0.1"))


@pytest.fixture
def county_pk(county) -> str:
    return str(county.pk)


def test_it_registers_a_person_and_sends_a_verification_code(
    client: Client, county, county_pk, settings, django_capture_on_commit_callbacks
) -> None:
    settings.BANGFU_TODAY = date(2020, 3, 15)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, county_pk=county_pk)
    assert response.status_code == 302
    assert response["Location"] == reverse("network:me")
    supporter = Supporter.objects.get(mobile="13900000001")
    assert supporter.kind == SupporterKind.PERSON
    assert supporter.registered_on == date(2020, 3, 15)
    assert supporter.invited_by is None
    assert supporter.mobile_verified_at is None
    user = supporter.user
    assert (user.role, user.username, user.area, user.full_name) == (
        Role.SUPPORTER,
        "13900000001",
        county,
        "李爱心",
    )
    assert user.check_password(PASSWORD)
    assert MemoryBackend.outbox[-1][0] == "13900000001"
    audit = AuditRecord.objects.get(action="network.supporter.register")
    assert "13900000001" not in str(audit.after)  # masked in the audit trail
    # Logged in: the supporter's page answers.
    assert client.get(reverse("network:me")).status_code == 200


def test_it_registers_an_organisation_with_a_valid_uscc(client: Client, county, county_pk) -> None:
    response = _post(
        client, county_pk=county_pk, kind="organisation", name="格桑爱心企业", uscc=VALID_USCC.lower()
    )
    assert response.status_code == 302
    supporter = Supporter.objects.get(uscc=VALID_USCC)
    assert supporter.kind == SupporterKind.ORGANISATION
    assert supporter.user.username == VALID_USCC


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"mobile": "1380000000"}, "mobile", "手机号必须是11位中国大陆手机号码"),
        ({"mobile": "23800000000"}, "mobile", "手机号必须是11位中国大陆手机号码"),
        ({"name": "李"}, "name", "名称须为 2 到 120 个字符"),
        ({"kind": "organisation"}, "uscc", "必须填写统一社会信用代码"),
        ({"kind": "organisation", "uscc": "91513325MA6200001X"}, "uscc", "校验位不正确"),
        ({"kind": "organisation", "uscc": "91513325MA620000"}, "uscc", "必须是18位"),
        ({"uscc": VALID_USCC}, "uscc", "个人注册不填写统一社会信用代码"),
        ({"invitation_code": "NOSUCH99"}, "invitation_code", "邀请码“NOSUCH99”无效"),
        ({"password": "short", "password2": "short"}, "password", ""),
        ({"password2": "different-password-1"}, "password2", "两次输入的密码不一致"),
    ],
)
def test_it_rejects_bad_sign_ups_and_changes_nothing(
    client: Client, county, county_pk, overrides, field, message
) -> None:
    users_before = User.objects.count()
    response = _post(client, county_pk=county_pk, **overrides)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert User.objects.count() == users_before
    assert not Supporter.objects.exists()
    assert not AuditRecord.objects.filter(action="network.supporter.register").exists()


def test_it_rejects_a_mobile_or_uscc_that_is_already_registered(county) -> None:
    register(county, "13900000009", kind="organisation", name="甲企业", uscc=VALID_USCC)
    with pytest.raises(ValidationError) as exc:
        register(county, "13900000009")
    assert "该手机号已注册。" in exc.value.message_dict["mobile"]
    with pytest.raises(ValidationError) as exc:
        register(county, "13900000010", kind="organisation", name="乙企业", uscc=VALID_USCC)
    assert "该统一社会信用代码已注册。" in exc.value.message_dict["uscc"]
    assert Supporter.objects.count() == 1


def test_it_throttles_sign_ups_per_mobile(client: Client, county, county_pk) -> None:
    for i in range(services.SIGNUP_LIMIT_PER_MOBILE):
        response = _post(client, county_pk=county_pk, mobile="13900000002", name="李", ip=f"10.0.1.{i}")
        assert response.status_code == 400  # bad name: a failed attempt still counts
    response = _post(client, county_pk=county_pk, mobile="13900000002", ip="10.0.2.1")
    assert response.status_code == 429
    assert "注册尝试过于频繁" in response.content.decode()
    assert not Supporter.objects.exists()
    # The mobile is not stored in the throttle table, only its keyed hash.
    assert not SignupAttempt.objects.filter(mobile_hash__contains="13900000002").exists()


def test_it_throttles_sign_ups_per_ip_and_lets_them_through_after_the_window(
    client: Client, county, county_pk, settings
) -> None:
    settings.BANGFU_NETWORK_SIGNUP_LIMIT_PER_IP = 2
    settings.BANGFU_TODAY = date(2020, 5, 1)
    assert _post(client, county_pk=county_pk, mobile="13900000003", ip="10.9.9.9").status_code == 302
    client.logout()
    assert _post(client, county_pk=county_pk, mobile="13900000004", ip="10.9.9.9").status_code == 302
    client.logout()
    response = _post(client, county_pk=county_pk, mobile="13900000005", ip="10.9.9.9")
    assert response.status_code == 429
    assert not Supporter.objects.filter(mobile="13900000005").exists()
    # Another IP is not affected.
    assert _post(client, county_pk=county_pk, mobile="13900000006", ip="10.9.9.8").status_code == 302
    client.logout()
    # A day later the window has passed.
    settings.BANGFU_TODAY = date(2020, 5, 2)
    assert _post(client, county_pk=county_pk, mobile="13900000005", ip="10.9.9.9").status_code == 302


def test_it_verifies_the_mobile_with_the_sent_code_and_counts_wrong_codes(county) -> None:
    supporter = register(county, "13900000007")
    code = send_code(supporter)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ValidationError):
        services.verify_mobile(actor=supporter.user, supporter=supporter, code=wrong)
    assert supporter.verification_codes.get().attempts == 1
    supporter.refresh_from_db()
    assert supporter.mobile_verified_at is None
    services.verify_mobile(actor=supporter.user, supporter=supporter, code=code)
    supporter.refresh_from_db()
    assert supporter.mobile_verified_at is not None


def test_it_locks_a_code_after_too_many_wrong_guesses(county) -> None:
    supporter = register(county, "13900000008")
    code = send_code(supporter)
    wrong = "000000" if code != "000000" else "111111"
    for _i in range(services.CODE_MAX_ATTEMPTS):
        with pytest.raises(ValidationError):
            services.verify_mobile(actor=supporter.user, supporter=supporter, code=wrong)
    with pytest.raises(ValidationError) as exc:
        services.verify_mobile(actor=supporter.user, supporter=supporter, code=code)
    assert "验证码已失效" in str(exc.value)
    supporter.refresh_from_db()
    assert supporter.mobile_verified_at is None


def test_the_console_backend_logs_the_masked_mobile(
    county, settings, caplog, django_capture_on_commit_callbacks
) -> None:
    settings.BANGFU_NETWORK_VERIFICATION_BACKEND = "bangfu.network.verification.ConsoleBackend"
    supporter = register(county, "13912345678")
    with caplog.at_level("INFO"), django_capture_on_commit_callbacks(execute=True):
        services.send_verification_code(actor=supporter.user, supporter=supporter)
    assert "139****5678" in caplog.text
    assert "13912345678" not in caplog.text


def test_the_sign_up_page_is_public(client: Client, county) -> None:
    response = client.get(reverse("network:signup"))
    assert response.status_code == 200
    assert "爱心人士注册" in response.content.decode()
    assert COUNTY in response.content.decode() or "格桑县" in response.content.decode()


def test_a_county_admin_can_vouch_for_a_mobile(county, county_admin, township_clerk) -> None:
    supporter = register(county, "13900000011")
    with pytest.raises(PermissionDenied):
        services.mark_mobile_verified(actor=township_clerk, supporter=supporter, reason="电话")
    with pytest.raises(ValidationError):
        services.mark_mobile_verified(actor=county_admin, supporter=supporter, reason=" ")
    supporter.refresh_from_db()
    assert supporter.mobile_verified_at is None
    services.mark_mobile_verified(actor=county_admin, supporter=supporter, reason="电话回访核实")
    supporter.refresh_from_db()
    assert supporter.mobile_verified_at is not None
    assert AuditRecord.objects.get(action="network.supporter.verify_by_admin").reason == "电话回访核实"


def test_the_daily_command_prunes_old_throttle_counters(county, settings) -> None:
    settings.BANGFU_TODAY = date(2020, 5, 1)
    services.record_signup_attempt(ip="10.0.0.9", mobile="13900000012")
    settings.BANGFU_TODAY = date(2020, 5, 3)
    services.record_signup_attempt(ip="10.0.0.9", mobile="13900000013")
    from django.core.management import call_command

    call_command("network_expire_claims")
    assert SignupAttempt.objects.count() == 1
