"""Account changes that give a signing right are surfaced to every other admin and inspector and
confirmed by a second admin (docs/security.md, "Separation of duties")."""

from __future__ import annotations

import pytest

from bangfu.accounts.models import AccountChange, AccountChangeKind, Role, User
from bangfu.accounts.services import create_user, set_user_active, set_user_password, update_user
from bangfu.areas.models import Area
from bangfu.areas.services import load_areas_csv
from bangfu.audit.models import AuditRecord
from bangfu.lib import clock
from bangfu.lib.attention import items_for_user
from bangfu.partners.models import Organisation
from tests.conftest import PASSWORD, _persona

pytestmark = pytest.mark.django_db
COUNTY = "513325000000"


def _reporter(admin: User) -> User:
    return create_user(
        actor=admin,
        username="shunde-a",
        password=PASSWORD,
        role=Role.UNIT_REPORTER,
        area=Area.objects.get(code=COUNTY),
        organisation=Organisation.objects.get(code="E01"),
    )


def _kinds(user: User) -> list[str]:
    return [i.kind for i in items_for_user(user, clock.today())]


def test_every_change_that_lets_an_admin_act_through_an_account_is_recorded(county_admin) -> None:
    user = _reporter(county_admin)
    set_user_password(actor=county_admin, user=user, password="another-horse-battery")
    set_user_active(actor=county_admin, user=user, active=False)
    set_user_active(actor=county_admin, user=user, active=True)
    update_user(
        actor=county_admin,
        user=user,
        role=Role.TOWNSHIP_CLERK,
        area=Area.objects.get(code="513325100000"),
        organisation=None,
        full_name="",
    )
    kinds = list(AccountChange.objects.filter(user=user).order_by("made_at").values_list("kind", flat=True))
    assert kinds == [
        AccountChangeKind.CREATE,
        AccountChangeKind.PASSWORD,
        AccountChangeKind.REACTIVATE,
        AccountChangeKind.ROLE,
    ]
    makers = AccountChange.objects.filter(user=user).values_list("made_by__username", flat=True)
    assert set(makers) == {"admin"}


def test_an_unconfirmed_change_is_shown_to_other_admins_and_inspectors_until_confirmed(
    county_admin, client_for
) -> None:
    other_admin = _persona("admin2", Role.COUNTY_ADMIN, COUNTY)
    inspector = _persona("inspector2", Role.INSPECTOR, COUNTY)
    clerk = _persona("clerk-x", Role.TOWNSHIP_CLERK, "513325100000")
    user = _reporter(county_admin)
    assert "accounts.unconfirmed_change" in _kinds(other_admin)
    assert "accounts.unconfirmed_change" in _kinds(inspector)
    assert "accounts.unconfirmed_change" not in _kinds(clerk)

    page = client_for(inspector).get("/accounts/changes/").content.decode()
    assert "shunde-a" in page and "确认</button>" not in page
    assert client_for(clerk).get("/accounts/changes/").status_code == 403

    change = AccountChange.objects.get(user=user)
    response = client_for(county_admin).post(f"/accounts/changes/{change.pk}/confirm/", follow=True)
    assert "另一位县级管理员" in response.content.decode()
    assert AccountChange.objects.get(pk=change.pk).confirmed_by is None

    response = client_for(other_admin).post(f"/accounts/changes/{change.pk}/confirm/")
    assert response.status_code == 302
    assert AccountChange.objects.get(pk=change.pk).confirmed_by == other_admin
    assert AuditRecord.objects.filter(action="user.confirm_change", actor=other_admin).count() == 1
    assert "accounts.unconfirmed_change" not in _kinds(inspector)


def test_an_admin_of_another_county_cannot_confirm(county_admin, client_for) -> None:
    user = _reporter(county_admin)
    load_areas_csv(
        actor=None,
        data=b"code,name,level,parent_code,registered_poor\n"
        b"513326000000,Other county,county,513300000000,0\n",
    )
    stranger = _persona("admin-elsewhere", Role.COUNTY_ADMIN, "513326000000")
    change = AccountChange.objects.get(user=user)
    assert client_for(stranger).post(f"/accounts/changes/{change.pk}/confirm/").status_code == 404
    assert AccountChange.objects.get(pk=change.pk).confirmed_by is None
