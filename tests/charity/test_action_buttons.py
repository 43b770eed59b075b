"""A button is shown exactly when its POST would succeed (issue #17): on a donation spending's page
同意 / 驳回 / 冲正 match what the POST does, for each role and each state of the request, including
the separation-of-duties refusal (an admin account made by another admin after the request) and a
final approval the balance no longer covers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client

from bangfu.accounts.models import Role, User
from bangfu.accounts.services import create_user
from bangfu.areas.models import Area
from bangfu.charity import services
from bangfu.charity.models import Spending, SpendingApproval
from tests.charity.conftest import COUNTY, PASSWORD, RANBU, give

pytestmark = pytest.mark.django_db
ACTIONS = ("approve", "reject", "reverse")


def _request(requester: User, campaign, amount: str) -> Spending:
    return services.request_spending(
        actor=requester,
        campaign=campaign,
        earmark="general",
        recipient_kind="village",
        village=Area.objects.get(code=RANBU),
        purpose="村道路灯",
        amount=Decimal(amount),
    )


def _state(s: Spending) -> tuple[object, ...]:
    return (Spending.objects.get(pk=s.pk).status, SpendingApproval.objects.filter(spending=s).count())


def _shown(client: Client, s: Spending) -> dict[str, bool]:
    response = client.get(f"/charity/spending/{s.pk}/")
    html = response.content.decode() if response.status_code == 200 else ""
    return {
        "approve": 'name="decision" value="approve"' in html,
        "reject": 'name="decision" value="reject"' in html,
        "reverse": f'action="/charity/spending/{s.pk}/reverse/"' in html,
    }


def _works(client: Client, s: Spending, action: str) -> bool:
    before = _state(s)
    with transaction.atomic():
        point = transaction.savepoint()
        if action == "reverse":
            client.post(f"/charity/spending/{s.pk}/reverse/", {"reason": "资金退回"})
        else:
            client.post(f"/charity/spending/{s.pk}/", {"decision": action, "comment": "用途不明"})
        after = _state(s)
        transaction.savepoint_rollback(point)
    return after != before


def test_spending_buttons_match_what_the_post_would_do(county_admin, approvers, campaign) -> None:
    give(county_admin, campaign, amount="1000")
    first, second = approvers
    fresh = _request(county_admin, campaign, "100.00")
    half = _request(county_admin, campaign, "200.00")
    services.decide_spending(actor=first, spending=half, approve=True)
    paid = _request(county_admin, campaign, "300.00")
    for approver in approvers:
        services.decide_spending(actor=approver, spending=paid, approve=True)
    rejected = _request(county_admin, campaign, "50.00")
    services.decide_spending(actor=first, spending=rejected, approve=False, comment="重复申请")
    # 1000 given, 300 paid: 700 left when `short` is asked; a payment of 100 then leaves 600, so
    # its second (final) approval is no longer covered
    short = _request(first, campaign, "700.00")
    services.decide_spending(actor=county_admin, spending=short, approve=True)
    drain = _request(county_admin, campaign, "100.00")
    for approver in approvers:
        services.decide_spending(actor=approver, spending=drain, approve=True)
    # an admin account made by the requester after the requests: separation of duties refuses it
    puppet = create_user(
        actor=county_admin,
        username="admin-x",
        password=PASSWORD,
        role=Role.COUNTY_ADMIN,
        area=Area.objects.get(code=COUNTY),
    )
    spendings = {"fresh": fresh, "half": half, "paid": paid, "rejected": rejected, "short": short}
    others = User.objects.filter(username__in=["inspector", "township", "unit"])
    users = [county_admin, *approvers, puppet, *others]
    seen: set[tuple[str, bool]] = set()
    for user in users:
        client = Client()
        client.force_login(user)
        for name, s in spendings.items():
            shown = _shown(client, s)
            for action in ACTIONS:
                works = _works(client, s, action)
                assert shown[action] == works, (user.username, name, action, shown[action], works)
                seen.add((action, works))
    assert seen == {(a, w) for a in ACTIONS for w in (True, False)}
    admin = Client()
    admin.force_login(county_admin)
    assert not any(_shown(admin, fresh).values())  # the requester decides nothing on her request
    other = Client()
    other.force_login(first)
    assert not _shown(other, half)["approve"]  # she has signed already
    assert _shown(other, paid)["reverse"]
    last = Client()
    last.force_login(second)
    assert not _shown(last, short)["approve"] and _shown(last, short)["reject"]  # balance short
    made = Client()
    made.force_login(puppet)
    assert not _shown(made, fresh)["approve"] and _shown(made, fresh)["reject"]  # duties
