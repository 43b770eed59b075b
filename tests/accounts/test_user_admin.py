from __future__ import annotations

import pytest

from bangfu.accounts.models import User
from bangfu.areas.models import Area
from bangfu.audit.models import AuditRecord
from bangfu.partners.models import Organisation
from tests.conftest import OTHER_TOWNSHIP, OWN_TOWNSHIP

pytestmark = pytest.mark.django_db


def test_county_admin_creates_a_township_clerk(county_admin: User, client_for) -> None:
    area = Area.objects.get(code=OTHER_TOWNSHIP)
    response = client_for(county_admin).post(
        "/accounts/users/new/",
        {
            "username": "zhaxi-clerk",
            "full_name": "扎西",
            "role": "township_clerk",
            "area": area.pk,
            "password": "a-long-initial-pass",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="zhaxi-clerk")
    assert (user.role, user.area, user.is_active) == ("township_clerk", area, True)
    assert user.check_password("a-long-initial-pass")
    record = AuditRecord.objects.get(action="user.create", target_id=str(user.pk))
    assert record.actor == county_admin
    assert record.after["area"] == OTHER_TOWNSHIP
    assert "password" not in record.after


def test_it_refuses_a_role_whose_area_level_does_not_fit(county_admin: User, client_for) -> None:
    village = Area.objects.get(code="513325100202")
    before = User.objects.count()
    response = client_for(county_admin).post(
        "/accounts/users/new/",
        {
            "username": "wrong",
            "role": "township_clerk",
            "area": village.pk,
            "password": "a-long-initial-pass",
        },
    )
    assert response.status_code == 200
    assert "管辖区域必须是乡（镇）级" in response.content.decode()
    assert User.objects.count() == before
    assert not AuditRecord.objects.filter(action="user.create", target_repr="wrong").exists()


def test_a_unit_reporter_needs_an_organisation(county_admin: User, client_for) -> None:
    county = Area.objects.get(code="513325000000")
    response = client_for(county_admin).post(
        "/accounts/users/new/",
        {"username": "nounit", "role": "unit_reporter", "area": county.pk, "password": "a-long-initial-pass"},
    )
    assert "单位填报员必须指定所属单位" in response.content.decode()
    assert not User.objects.filter(username="nounit").exists()


def test_it_refuses_a_duplicate_username(county_admin: User, client_for) -> None:
    county = Area.objects.get(code="513325000000")
    response = client_for(county_admin).post(
        "/accounts/users/new/",
        {"username": "Admin", "role": "inspector", "area": county.pk, "password": "a-long-initial-pass"},
    )
    assert "已存在" in response.content.decode()
    assert User.objects.filter(username__iexact="admin").count() == 1


def test_county_admin_changes_role_and_scope_with_history(
    county_admin: User, township_clerk: User, client_for
) -> None:
    other = Area.objects.get(code=OTHER_TOWNSHIP)
    response = client_for(county_admin).post(
        f"/accounts/users/{township_clerk.pk}/",
        {"full_name": "改名", "role": "township_clerk", "area": other.pk},
    )
    assert response.status_code == 302
    township_clerk.refresh_from_db()
    assert township_clerk.area == other
    record = AuditRecord.objects.get(action="user.update", target_id=str(township_clerk.pk))
    assert record.before == {"area": OWN_TOWNSHIP, "full_name": ""}
    assert record.after == {"area": OTHER_TOWNSHIP, "full_name": "改名"}


def test_deactivating_keeps_the_user_and_revokes_its_tokens(
    county_admin: User, township_clerk: User, client_for
) -> None:
    from bangfu.accounts.services import create_api_token

    token, _raw = create_api_token(actor=None, user=township_clerk)
    response = client_for(county_admin).post(
        f"/accounts/users/{township_clerk.pk}/active/0/", {"reason": "调离"}
    )
    assert response.status_code == 302
    township_clerk.refresh_from_db()
    token.refresh_from_db()
    assert township_clerk.is_active is False
    assert token.revoked_at is not None
    record = AuditRecord.objects.get(action="user.deactivate")
    assert record.reason == "调离"
    # Reactivation brings the same row back.
    client_for(county_admin).post(f"/accounts/users/{township_clerk.pk}/active/1/")
    township_clerk.refresh_from_db()
    assert township_clerk.is_active is True


def test_an_admin_cannot_deactivate_itself(county_admin: User, client_for) -> None:
    client_for(county_admin).post(f"/accounts/users/{county_admin.pk}/active/0/")
    county_admin.refresh_from_db()
    assert county_admin.is_active is True
    assert not AuditRecord.objects.filter(action="user.deactivate").exists()


def test_there_is_no_way_to_delete_a_user(county_admin: User, township_clerk: User, client_for) -> None:
    client = client_for(county_admin)
    response = client.delete(f"/accounts/users/{township_clerk.pk}/")
    assert response.status_code == 405
    assert User.objects.filter(pk=township_clerk.pk).exists()


def test_admin_resets_a_password(county_admin: User, township_clerk: User, client_for) -> None:
    response = client_for(county_admin).post(
        f"/accounts/users/{township_clerk.pk}/password/", {"password": "brand-new-secret-1"}
    )
    assert response.status_code == 302
    township_clerk.refresh_from_db()
    assert township_clerk.check_password("brand-new-secret-1")
    assert AuditRecord.objects.filter(action="user.set_password", target_id=str(township_clerk.pk)).exists()


def test_other_roles_cannot_manage_users(township_clerk: User, unit_reporter: User, client_for) -> None:
    for user in (township_clerk, unit_reporter):
        client = client_for(user)
        assert client.get("/accounts/users/").status_code == 403
        assert client.post("/accounts/users/new/", {"username": "x"}).status_code == 403
    assert not User.objects.filter(username="x").exists()


def test_an_admin_cannot_assign_an_organisation_of_another_county(county_admin: User) -> None:
    from django.core.exceptions import ValidationError

    from bangfu.accounts.services import create_user
    from bangfu.areas.services import load_areas_csv

    load_areas_csv(
        actor=None,
        data=b"code,name,level,parent_code,registered_poor\n"
        b"513326000000,Other county,county,513300000000,0\n",
    )
    other_county = Area.objects.get(code="513326000000")
    foreign = Organisation.objects.create(
        county=other_county, code="X1", name="外县单位", org_type="other", admin_level="county"
    )
    with pytest.raises(ValidationError) as exc:
        create_user(
            actor=county_admin,
            username="foreign",
            password="a-long-initial-pass",
            role="unit_reporter",
            area=Area.objects.get(code="513325000000"),
            organisation=foreign,
        )
    assert "organisation" in exc.value.message_dict
    assert not User.objects.filter(username="foreign").exists()


def test_edit_page_of_a_user_outside_scope_is_404(demo, client_for) -> None:
    from bangfu.accounts.services import create_user
    from bangfu.areas.services import load_areas_csv

    load_areas_csv(
        actor=None,
        data=b"code,name,level,parent_code,registered_poor\n"
        b"513326000000,Other county,county,513300000000,0\n",
    )
    other_admin = create_user(
        actor=None,
        username="other-admin",
        password="a-long-initial-pass",
        role="county_admin",
        area=Area.objects.get(code="513326000000"),
    )
    target = User.objects.get(username="township")
    assert client_for(other_admin).get(f"/accounts/users/{target.pk}/").status_code == 404
