from __future__ import annotations

import pytest
from django.core.management import call_command

from bangfu.accounts.models import Role, User
from bangfu.areas.models import Area
from bangfu.audit.models import AuditRecord
from bangfu.partners.models import Organisation

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent(capsys) -> None:
    call_command("seed_demo")
    counts = (
        Area.objects.count(),
        Organisation.objects.count(),
        User.objects.count(),
        AuditRecord.objects.count(),
    )
    call_command("seed_demo")
    assert (
        Area.objects.count(),
        Organisation.objects.count(),
        User.objects.count(),
        AuditRecord.objects.count(),
    ) == counts
    out = capsys.readouterr().out
    assert "admin" in out and "bangfu-demo" in out


def test_the_demo_county_has_what_the_plan_names(demo) -> None:
    county = Area.objects.get(code="513325000000")
    assert county.children.count() >= 6
    assert Area.objects.filter(level="village", code__startswith="513325").count() >= 40
    assert Area.objects.filter(level="village", registered_poor=True).count() >= 10
    names = set(Organisation.objects.values_list("name", flat=True))
    for name in ("省总工会", "大连银行成都分行", "州政府办公室", "县工商联", "县扶贫开发局", "成都市锦江区"):
        assert name in names
    assert Organisation.objects.filter(admin_level="provincial").count() == 10
    assert Organisation.objects.filter(org_type="east_partner").exists()
    roles = dict(User.objects.values_list("username", "role"))
    assert roles == {
        "admin": Role.COUNTY_ADMIN,
        "township": Role.TOWNSHIP_CLERK,
        "village": Role.VILLAGE_OFFICER,
        "unit": Role.UNIT_REPORTER,
        "lead": Role.UNIT_REPORTER,
        "inspector": Role.INSPECTOR,
        "supporter": Role.SUPPORTER,
    }
    assert User.objects.get(username="admin").check_password("bangfu-demo")
