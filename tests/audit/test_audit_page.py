"""The audit log as people read it (issue #17): actions in words, changes field by field with
field names and choice labels, personal values masked; inspectors read their county's log."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from bangfu.accounts.models import Role, User
from bangfu.areas.models import Area
from bangfu.areas.services import set_registered_poor
from bangfu.audit.display import changes
from bangfu.audit.models import AuditRecord
from bangfu.audit.services import record_audit
from tests.conftest import _persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspector(demo) -> User:
    return _persona("inspector-x", Role.INSPECTOR, "513325000000")


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_an_inspector_reads_the_log_in_words(county_admin, township_clerk, inspector, client_for) -> None:
    village = Area.objects.get(code="513325100201")
    set_registered_poor(actor=county_admin, area=village, registered_poor=True)
    client_for(county_admin).post(f"/accounts/users/{township_clerk.pk}/active/0/")
    record_audit(
        actor=county_admin,
        action="user.update",
        target=township_clerk,
        before={"role": Role.TOWNSHIP_CLERK, "phone": "13812345678"},
        after={"role": Role.VILLAGE_OFFICER, "phone": "13987654321"},
        county=Area.objects.get(code="513325000000"),
    )
    before = AuditRecord.objects.count()
    response = client_for(inspector).get("/audit/")
    assert response.status_code == 200
    text = _text(response.content.decode())
    assert "停用用户" in text and "修改用户" in text  # actions in words
    assert "乡镇扶贫专干" in text or "乡镇" in text  # choice labels, not codes
    assert "township_clerk" not in text and "user.deactivate" not in text and "{'" not in text
    assert "13812345678" not in text and "138****5678" in text  # personal values masked
    assert "手机号" in text  # field names
    assert AuditRecord.objects.count() == before  # reading writes nothing
    assert 'type="date" name="since"' in response.content.decode()


def test_the_log_filters_by_person_action_and_record(county_admin, township_clerk, inspector, client_for):
    client_for(county_admin).post(f"/accounts/users/{township_clerk.pk}/active/0/")
    client = client_for(inspector)
    assert client.get("/audit/?action=user.deactivate").context["page"].paginator.count == 1
    assert client.get("/audit/?actor=admin&action=user.deactivate").context["page"].paginator.count == 1
    assert client.get("/audit/?actor=nobody").context["page"].paginator.count == 0
    found = client.get(f"/audit/?target=accounts.user&target_id={township_clerk.pk}").context["page"]
    assert found.paginator.count >= 1


def test_english_labels(county_admin, township_clerk, inspector, client_for) -> None:
    client_for(county_admin).post(f"/accounts/users/{township_clerk.pk}/active/0/")
    client = client_for(inspector)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = _text(client.get("/audit/").content.decode())
    assert "Deactivate" in text and "Audit log" in text


def test_other_roles_are_refused(township_clerk, client_for) -> None:
    assert client_for(township_clerk).get("/audit/").status_code == 403


def test_a_key_naming_a_reverse_relation_is_shown_plainly(county_admin, inspector, client_for) -> None:
    # Area has reverse relations (e.g. its children): a recorded key of that name is no field.
    area = Area.objects.get(code="513325100201")
    record_audit(
        actor=county_admin,
        action="area.update",
        target=area,
        after={"children": 3},
        county=Area.objects.get(code="513325000000"),
    )
    response = client_for(inspector).get("/audit/")
    assert response.status_code == 200 and "children" in _text(response.content.decode())


def test_a_date_range_that_cannot_be_read_is_said_at_its_field(county_admin, inspector, client_for) -> None:
    client = client_for(inspector)
    everything = client.get("/audit/").context["page"].paginator.count
    backwards = client.get("/audit/?since=2020-07-01&until=2020-06-01")
    assert "结束日期早于开始日期" in backwards.content.decode()
    assert backwards.context["page"].paginator.count > 0  # the bad end is not applied
    junk = client.get("/audit/?since=07/01/2020")
    assert "日期无法识别" in junk.content.decode()
    assert junk.context["page"].paginator.count == everything


def test_recorded_keys_and_coded_values_read_as_words(county_admin, inspector, client_for) -> None:
    """Keys some services record that are no model field, and the codes they hold (a monitored
    household's risk types, a term), are shown in words."""
    record_audit(
        actor=county_admin,
        action="monitoring.household.create",
        target=county_admin,
        after={"risk_types": ["illness", "disability"], "term": "2020-spring", "form": "in_person"},
        county=Area.objects.get(code="513325000000"),
    )
    record = AuditRecord.objects.latest("pk")
    record.target_type = "monitoring.monitoredhousehold"
    text = " ".join(f"{c.field} {c.after}" for c in changes(record))
    assert "风险类型 因病、因残" in text
    assert "学期 2020春季学期" in text and "形式 入户走访" in text
    assert "risk_types" not in text and "2020-spring" not in text and "in_person" not in text
