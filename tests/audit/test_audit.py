from __future__ import annotations

import pytest
from django.test import Client

from bangfu.accounts.models import User
from bangfu.areas.models import Area
from bangfu.areas.services import set_registered_poor
from bangfu.audit.models import AuditRecord
from bangfu.partners.services import upsert_organisation

pytestmark = pytest.mark.django_db


def test_organisation_writes_are_audited(county_admin: User) -> None:
    county = Area.objects.get(code="513325000000")
    org, created = upsert_organisation(
        actor=county_admin, county=county, code="N1", name="新单位", org_type="other", admin_level="county"
    )
    assert created
    upsert_organisation(
        actor=county_admin,
        county=county,
        code="N1",
        name="新单位（改）",
        org_type="other",
        admin_level="county",
    )
    actions = list(
        AuditRecord.objects.filter(target_id=str(org.pk), target_type="partners.organisation")
        .order_by("id")
        .values_list("action", "before", "after")
    )
    assert actions[0][0] == "organisation.create"
    assert actions[1] == ("organisation.update", {"name": "新单位"}, {"name": "新单位（改）"})


def test_flagging_a_poor_village_is_audited_and_villages_only(county_admin: User) -> None:
    from django.core.exceptions import ValidationError

    village = Area.objects.get(code="513325100201")
    set_registered_poor(actor=county_admin, area=village, registered_poor=True)
    assert (
        AuditRecord.objects.filter(action="area.set_registered_poor", target_id=str(village.pk)).count() == 1
    )
    with pytest.raises(ValidationError):
        set_registered_poor(
            actor=county_admin, area=Area.objects.get(code="513325100000"), registered_poor=True
        )


def test_audit_rows_carry_the_request_id(county_admin: User, township_clerk: User) -> None:
    client = Client()
    client.force_login(county_admin)
    response = client.post(
        f"/accounts/users/{township_clerk.pk}/active/0/", HTTP_X_REQUEST_ID="req-1234567890"
    )
    assert response["X-Request-Id"] == "req-1234567890"
    assert AuditRecord.objects.get(action="user.deactivate").request_id == "req-1234567890"


def test_county_admin_browses_and_filters_the_audit_log(
    county_admin: User, township_clerk: User, client_for
) -> None:
    client = client_for(county_admin)
    client.post(f"/accounts/users/{township_clerk.pk}/active/0/")
    page = client.get("/audit/?action=user.deactivate")
    assert page.status_code == 200
    rows = list(page.context["page"])
    assert [r.action for r in rows] == ["user.deactivate"]
    assert client.get("/audit/?actor=nobody").context["page"].paginator.count == 0


def test_only_county_admins_read_the_audit_log(township_clerk: User, client_for) -> None:
    assert client_for(township_clerk).get("/audit/").status_code == 403


@pytest.mark.django_db
def test_a_record_given_any_area_lands_on_its_countys_chain() -> None:
    from bangfu.audit.services import record_audit

    village = Area.objects.create(code="513325100201", name="测试村", level="village")
    record = record_audit(actor=None, action="test.touch", county=village)
    assert AuditRecord.objects.get(pk=record.pk).county_code == "513325"
