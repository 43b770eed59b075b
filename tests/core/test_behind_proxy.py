"""Behind nginx (BANGFU_BEHIND_PROXY) every connection comes from 127.0.0.1; the visitor's address
is the X-Real-IP header nginx sets. The public sign-up throttle and the login lockout count by
that address, and a visitor cannot choose it when bangfu is not behind the proxy."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse

from bangfu.core.middleware import client_ip
from bangfu.network.models import SignupAttempt

pytestmark = pytest.mark.django_db


def test_behind_the_proxy_the_sign_up_throttle_counts_the_visitors_address(client, demo):
    with override_settings(BEHIND_PROXY=True):
        client.post(reverse("network:signup"), {}, REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="10.20.30.40")
        client.post(reverse("network:signup"), {}, REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="10.20.30.41")
    assert sorted(SignupAttempt.objects.values_list("ip", flat=True)) == ["10.20.30.40", "10.20.30.41"]


def test_without_the_proxy_a_visitor_cannot_choose_the_address_that_is_counted(client, demo):
    client.post(reverse("network:signup"), {}, REMOTE_ADDR="192.0.2.7", HTTP_X_REAL_IP="10.20.30.40")
    assert list(SignupAttempt.objects.values_list("ip", flat=True)) == ["192.0.2.7"]


def test_the_login_lockout_asks_the_same_helper():
    from django.conf import settings

    assert settings.AXES_CLIENT_IP_CALLABLE == "bangfu.core.middleware.client_ip"
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="10.9.8.7")
    with override_settings(BEHIND_PROXY=True):
        assert client_ip(request) == "10.9.8.7"
    assert client_ip(request) == "127.0.0.1"
