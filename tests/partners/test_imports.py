from __future__ import annotations

import pytest

from bangfu.audit.models import AuditRecord
from bangfu.lib.sheets import tables
from bangfu.partners.models import Cadre, Organisation
from bangfu.partners.services import import_cadres, import_organisations
from bangfu.partners.spreadsheets import SheetError

ORG_HEADER = ["单位编码", "单位名称", "单位类型", "隶属关系", "上级单位编码", "所在地区", "所在区划代码"]
CADRE_HEADER = ["姓名", "单位编码", "职务", "职务级别", "手机号", "是否驻村队员"]


def sheet(header, *rows) -> bytes:
    return tables([("Sheet1", header, rows)])


def test_it_imports_organisations_with_parents(county):
    data = sheet(
        ORG_HEADER,
        ["G01", "佛山市顺德区教育局", "党政机关", "县", "E01", "广东省佛山市", ""],
        ["G02", "顺德一中", "事业单位", "县", "G01", "广东省佛山市", ""],
        ["C02", "县委办公室", "党政机关", "县", "", "", "513325000000"],
    )
    result = import_organisations(actor=None, county=county, data=data)
    assert (result.created, result.updated) == (2, 1)
    assert Organisation.objects.get(code="G02").parent.code == "G01"
    assert Organisation.objects.get(code="G01").parent.code == "E01"
    assert Organisation.objects.get(code="C02").name == "县委办公室"
    assert AuditRecord.objects.filter(action="organisation.import").count() == 1


def test_a_bad_organisation_sheet_names_row_and_field_and_saves_nothing(county):
    before = list(Organisation.objects.values_list("code", "name", "parent_id"))
    data = sheet(
        ORG_HEADER,
        ["G01", "顺德区教育局", "党政机关", "县", "", "", ""],
        ["G01", "顺德一中", "学校", "县", "G99", "", "110101000000"],
        ["G03", "省总工会", "党政机关", "县", "", "", ""],
    )
    with pytest.raises(SheetError) as exc:
        import_organisations(actor=None, county=county, data=data)
    found = {(e.row, e.field) for e in exc.value.errors}
    assert {
        (3, "单位编码"),
        (3, "单位类型"),
        (3, "所在区划代码"),
        (3, "上级单位编码"),
        (4, "单位名称"),
    } <= found
    assert "第3行" in str(exc.value.errors[0])
    assert list(Organisation.objects.values_list("code", "name", "parent_id")) == before


def test_it_refuses_a_sheet_without_the_required_columns(county):
    with pytest.raises(SheetError) as exc:
        import_organisations(actor=None, county=county, data=sheet(["单位编码"], ["X1"]))
    assert exc.value.errors[0].row == 1


def test_it_refuses_a_file_that_is_not_a_spreadsheet(county):
    with pytest.raises(SheetError):
        import_cadres(actor=None, county=county, data=b"not a spreadsheet")


def test_it_imports_cadres_keyed_by_phone(county):
    data = sheet(
        CADRE_HEADER,
        ["张三", "P01", "处长", "县处级正职", 13900000001, "是"],
        ["李四", "P01", "科员", "科员级", "13900000002", "否"],
    )
    assert import_cadres(actor=None, county=county, data=data).created == 2
    zhang = Cadre.objects.get(phone="13900000001")
    assert zhang.job_grade == "division_main" and zhang.resident_team is True
    again = sheet(CADRE_HEADER, ["张三", "P02", "处长", "县处级副职", 13900000001, "是"])
    result = import_cadres(actor=None, county=county, data=again)
    assert (result.created, result.updated) == (0, 1)
    zhang.refresh_from_db()
    assert zhang.organisation.code == "P02" and zhang.job_grade == "division_deputy"


def test_a_bad_cadre_sheet_saves_nothing(county):
    data = sheet(
        CADRE_HEADER,
        ["张三", "P01", "处长", "县处级正职", "13900000001", "是"],
        ["李四", "P01", "科员", "大官", "13900000001", "也许"],
        ["", "NOPE", "", "科员级", "12345", ""],
    )
    with pytest.raises(SheetError) as exc:
        import_cadres(actor=None, county=county, data=data)
    found = {(e.row, e.field) for e in exc.value.errors}
    assert {
        (3, "职务级别"),
        (3, "手机号"),
        (3, "是否驻村队员"),
        (4, "姓名"),
        (4, "单位编码"),
        (4, "手机号"),
    } <= found
    assert not Cadre.objects.exists()


def test_a_unit_reporter_import_may_only_hold_its_own_cadres(county, org):
    data = sheet(CADRE_HEADER, ["张三", "P01", "处长", "县处级正职", "13900000001", "是"])
    with pytest.raises(SheetError):
        import_cadres(actor=None, county=county, data=data, organisation=org("P02"))
    assert not Cadre.objects.exists()
