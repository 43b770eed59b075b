"""Export in the national system's layout (full IDs only for those allowed, audited); reconcile."""

from __future__ import annotations

import io
from datetime import date

import pytest
from python_calamine import CalamineWorkbook

from bangfu.audit.models import AuditRecord
from bangfu.monitoring import services
from bangfu.monitoring.exchange import EXPORT_COLUMNS, reconcile
from bangfu.monitoring.models import Step
from bangfu.monitoring.services import MemberInput

from .conftest import valid_id

pytestmark = pytest.mark.django_db
HEAD = valid_id("51332519700101001")


@pytest.fixture
def monitored(village_officer, township, admin, ranbu, ranbu_household):
    """A registry household and a 边缘户, both entered into monitoring."""
    out = []
    for kwargs in (
        dict(kind="unstable", registry_household=ranbu_household),
        dict(kind="marginal", village=ranbu, members=[MemberInput("扎西", "户主", HEAD)]),
    ):
        hh = services.create_monitored_household(
            actor=village_officer,
            found_by="cadre",
            found_on=date(2020, 3, 2),
            risk_types=["illness"],
            **kwargs,
        )
        for step, day, actor in (
            (Step.VILLAGE_REVIEW, 3, village_officer),
            (Step.PUBLICITY, 4, village_officer),
            (Step.TOWNSHIP_REVIEW, 12, township),
            (Step.COUNTY_APPROVAL, 13, admin),
            (Step.ENTERED, 14, admin),
        ):
            services.record_step(actor=actor, household=hh, step=step, on=date(2020, 3, day))
        out.append(hh)
    return out


def rows_of(content: bytes) -> list[list[str]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def test_the_export_has_the_national_layout_and_masks_ids_for_a_village_officer(
    client_for, village_officer, monitored
):
    response = client_for(village_officer).get("/monitoring/export.xlsx")
    assert response.status_code == 200
    rows = rows_of(response.content)
    assert rows[2] == [h for _k, h in EXPORT_COLUMNS]
    people = rows[3:]
    assert len(people) == monitored[0].household_size + 1
    edge = next(r for r in people if r[5] == "扎西")
    assert edge[7] == HEAD[:6] + "********" + HEAD[-4:] and edge[4] == "边缘易致贫户" and edge[11] == "202003"
    assert HEAD not in str(rows)
    assert client_for(village_officer).get("/monitoring/export.xlsx?full=1").status_code == 403


def test_full_ids_are_exported_for_the_county_admin_and_audited(client_for, admin, monitored):
    before = AuditRecord.objects.filter(action="monitoring.export.full_ids").count()
    response = client_for(admin).get("/monitoring/export.xlsx?full=1")
    assert HEAD in str(rows_of(response.content))
    assert AuditRecord.objects.filter(action="monitoring.export.full_ids").count() == before + 1


def test_reconcile_lists_who_is_missing_on_each_side(admin, county, registry, monitored):
    registry_member = next(r for r in registry if r["household_number"] == monitored[0].number)
    stranger = valid_id("51332519900101003")
    rows = [
        {"姓名": registry_member["name"], "证件号码": registry_member["id_number"]},
        {"姓名": "外人", "证件号码": stranger},
        {"姓名": "坏号", "证件号码": "123"},
    ]
    data = (
        "监测对象信息\n\n姓名,证件号码\n" + "\n".join(f"{r['姓名']},{r['证件号码']}" for r in rows) + "\n"
    ).encode()
    result = reconcile(actor=admin, county=county, file_name="national.csv", data=data)
    assert result.both == 1
    assert ("JC202000001", "扎西", HEAD[:6] + "********" + HEAD[-4:]) in result.only_here
    assert result.only_there == [(5, "外人", stranger[:6] + "********" + stranger[-4:])]
    assert result.errors == ["第6行：证件号码“123”长度为3位，应为18位（或15位老号码）"]
