"""A button is shown exactly when its POST would succeed (issue #17): for each role and each state
of a disbursement request, the list page's 审批通过 / 驳回 buttons match what the POST does."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client

from bangfu.accounts.models import Role, User
from bangfu.projects.models import Disbursement, DisbursementApproval
from bangfu.projects.services import approve_disbursement, request_disbursement
from tests.projects.conftest import COUNTY_CODE, make_user

pytestmark = pytest.mark.django_db


def _shown(client: Client, d: Disbursement) -> dict[str, bool]:
    html = client.get("/projects/disbursements/?status=all").content.decode()
    return {
        "approve": f'action="/projects/disbursements/{d.pk}/approve/"' in html,
        "reject": f'action="/projects/disbursements/{d.pk}/reject/"' in html,
    }


def _post_succeeds(client: Client, d: Disbursement, action: str) -> bool:
    """POST the action inside a savepoint rolled back afterwards: did it change the request?"""
    before = (
        Disbursement.objects.get(pk=d.pk).status,
        DisbursementApproval.objects.filter(disbursement=d).count(),
    )
    with transaction.atomic():
        point = transaction.savepoint()
        client.post(f"/projects/disbursements/{d.pk}/{action}/", {"reason": "材料不全"})
        after = (
            Disbursement.objects.get(pk=d.pk).status,
            DisbursementApproval.objects.filter(disbursement=d).count(),
        )
        transaction.savepoint_rollback(point)
    return after != before


def test_buttons_match_what_the_post_would_do_for_every_role(
    project, county_admin, township_clerk, funder_reporter, counterpart_reporter
) -> None:
    inspector = make_user("inspector2", Role.INSPECTOR, COUNTY_CODE)
    users: list[User] = [county_admin, township_clerk, funder_reporter, counterpart_reporter, inspector]
    fresh = request_disbursement(
        actor=township_clerk, project=project, amount=Decimal("100.00"), payee="然布村合作社", purpose="种牛"
    )
    half = request_disbursement(
        actor=township_clerk, project=project, amount=Decimal("200.00"), payee="然布村合作社", purpose="饲料"
    )
    approve_disbursement(actor=county_admin, disbursement=half)  # the recipient side has signed
    seen = set()
    for user in users:
        client = Client()
        client.force_login(user)
        for d in (fresh, half):
            shown = _shown(client, d)
            for action in ("approve", "reject"):
                works = _post_succeeds(client, d, action)
                assert shown[action] == works, (user.username, d.purpose, action, shown[action], works)
                seen.add((action, works))
    # the enumeration covered both outcomes of both actions
    assert seen == {("approve", True), ("approve", False), ("reject", True), ("reject", False)}
    # e.g. the applicant never sees 审批通过 on her own request; the admin who signed no longer does
    assert not _shown(_client(township_clerk), fresh)["approve"]
    assert not _shown(_client(county_admin), half)["approve"]
    assert not any(_shown(_client(inspector), fresh).values())


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
