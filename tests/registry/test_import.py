from __future__ import annotations

import copy
import json
from datetime import date

import pytest
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from bangfu.areas.models import Area
from bangfu.lib import idnumbers
from bangfu.lib.crypto import blind_index, decrypt_text
from bangfu.registry.importer import FileProblem
from bangfu.registry.models import (
    Household,
    Member,
    MemberVersion,
    RegistryChange,
    Schooling,
)
from bangfu.registry.selectors import member_status_on
from bangfu.registry.services import ID_CONTEXT, SUMMARY_KEYS, import_registry

from .conftest import AS_OF, csv_file, xlsx_file

LATER = date(2020, 9, 1)


def _id(first17: str) -> str:
    return first17 + idnumbers.check_character(first17)


def _import(tmp_path, rows, **kwargs):
    return import_registry(actor=None, path=xlsx_file(tmp_path, rows, name=f"f{id(rows)}.xlsx"), **kwargs)


def _member(number: str) -> Member:
    return Member.objects.get(id_number_index=blind_index(number, purpose="id_number"))


def _db_state():
    return (
        list(Member.objects.values_list("id", "name", "schooling", "active", "household_id")),
        list(Household.objects.values_list("id", "number", "exited")),
        MemberVersion.objects.count(),
        RegistryChange.objects.count(),
        Area.objects.count(),
    )


# --- normalisation -------------------------------------------------------------------------------
def test_it_normalises_ids_before_validating(demo, tmp_path, sample_rows):
    rows = copy.deepcopy(sample_rows[:3])
    wanted = [_id("51332519800101003"), _id("51332519810202004"), "51332519490101003X"]
    # full-width digits, spaces and lowercase x, and a 15-digit first-generation number
    rows[0]["id_number"] = (
        " " + wanted[0].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + " "
    )
    rows[1]["id_number"] = wanted[1][:6] + " " + wanted[1][6:]
    upgraded = idnumbers.normalise("513325490101003")
    rows[2]["id_number"] = "513325490101003"
    wanted[2] = upgraded
    summary = _import(tmp_path, rows, as_of=AS_OF)
    assert summary.rejected == 0, summary.errors
    for number in wanted:
        member = _member(number)
        assert decrypt_text(member.id_number_encrypted, context=ID_CONTEXT) == number
        assert member.id_number_masked == idnumbers.mask(number)
    assert _member(wanted[2]).birth_date == date(1949, 1, 1)


def test_it_accepts_lowercase_x(demo, tmp_path, sample_rows):
    rows = copy.deepcopy(sample_rows[:1])
    rows[0]["id_number"] = "11010519491231002x"
    summary = _import(tmp_path, rows, as_of=AS_OF)
    assert summary.accepted == 1
    assert _member("11010519491231002X").sex == "F"


def test_it_accepts_long_disability_certificate_numbers(demo, tmp_path, sample_rows):
    rows = copy.deepcopy(sample_rows[:2])
    rows[0].update(id_type="残疾人证", id_number="11010519491231002X42")
    rows[1].update(id_type="居民身份证", id_number="11010519491231002X42")
    summary = _import(tmp_path, rows, as_of=AS_OF)
    assert summary.accepted == 1
    assert [e.row for e in summary.errors] == [3]
    assert "长度" in summary.errors[0].reason


# --- rejection rules ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("id_number", "360426199101010072", "校验位错误"),
        ("id_number", "360426199102300071", "不是真实日期"),
        ("id_number", _id("51332520210101001"), "晚于今天"),
        ("id_number", "", "证件号码为空"),
        ("id_number", "51332519AB0101001X", "非法字符"),
        ("id_number", "5133251990010100", "长度"),
        ("name", "", "姓名为空"),
        ("schooling", "大学", "在校生状况"),
    ],
)
def test_it_rejects_only_the_bad_row(demo, tmp_path, sample_rows, field, value, reason):
    rows = copy.deepcopy(sample_rows[:4])
    rows[1][field] = value
    summary = _import(tmp_path, rows, as_of=AS_OF)
    assert (summary.accepted, summary.rejected) == (3, 1)
    assert summary.errors[0].row == 3  # header on row 1, the bad person on row 3
    assert reason in summary.errors[0].reason
    assert Member.objects.count() == 3


def test_it_rejects_a_repeated_id_naming_the_first_row(demo, tmp_path, sample_rows):
    rows = copy.deepcopy(sample_rows[:4])
    rows[3]["id_number"] = rows[1]["id_number"]
    summary = _import(tmp_path, rows, as_of=AS_OF)
    assert [(e.row, e.reason) for e in summary.errors] == [(5, "证件号码与第3行重复")]
    assert Member.objects.count() == 3


def test_it_rejects_an_id_registered_in_another_household(demo, tmp_path, sample_rows):
    _import(tmp_path, sample_rows, as_of=AS_OF)
    moved = copy.deepcopy(sample_rows[0])
    other = next(r for r in sample_rows if r["household_number"] != moved["household_number"])
    moved.update({k: other[k] for k in ("household_number", "county", "township", "village")})
    before = _db_state()
    summary = _import(tmp_path, [moved], as_of=AS_OF)
    assert summary.rejected == 1
    assert "另一户" in summary.errors[0].reason
    assert _db_state() == before


def test_an_unknown_address_code_is_only_a_warning(demo, tmp_path, sample_rows):
    rows = copy.deepcopy(sample_rows[:1])
    rows[0]["id_number"] = _id("99999919900101001")
    summary = _import(tmp_path, rows, as_of=AS_OF)
    assert (summary.accepted, summary.warnings) == (1, 1)
    assert "999999" in summary.warning_messages[0]


def test_it_creates_unknown_areas_with_a_warning_or_rejects_them_when_strict(demo, tmp_path, sample_rows):
    rows = copy.deepcopy(sample_rows[:2])
    for row in rows:
        row.update(township="新设乡", village="新村")
    strict = _import(tmp_path, rows, as_of=AS_OF, strict_areas=True)
    assert strict.rejected == 2
    assert "新设乡" in strict.errors[0].reason
    assert not Area.objects.filter(name="新设乡").exists()
    summary = _import(tmp_path, rows, as_of=AS_OF)
    assert summary.accepted == 2
    township = Area.objects.get(name="新设乡")
    village = Area.objects.get(name="新村")
    assert (township.code, village.parent) == ("513325400000", township)
    assert any("新建乡镇“新设乡”" in w for w in summary.warning_messages)


def test_an_unknown_county_is_rejected(demo, tmp_path, sample_rows):
    rows = copy.deepcopy(sample_rows[:1])
    rows[0]["county"] = "不存在县"
    summary = _import(tmp_path, rows, as_of=AS_OF)
    assert summary.rejected == 1
    assert "不存在县" in summary.errors[0].reason


def test_missing_required_columns_are_named_and_nothing_is_written(demo, tmp_path, sample_rows):
    rows = [{k: v for k, v in r.items()} for r in sample_rows]
    path = tmp_path / "bad.csv"
    path.write_text(
        "县,乡镇,姓名,证件号码\n格桑县,雪岭镇,扎西," + rows[0]["id_number"] + "\n", encoding="utf-8"
    )
    with pytest.raises(FileProblem) as caught:
        import_registry(actor=None, path=path, as_of=AS_OF)
    assert (
        "行政村" in str(caught.value) and "户编号" in str(caught.value) and "与户主关系" in str(caught.value)
    )
    with pytest.raises(SystemExit) as exited:
        call_command("import_registry", str(path))
    assert exited.value.code == 2
    assert Member.objects.count() == 0


# --- formats and headers --------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["gb18030", "utf-8", "utf-8-sig"])
def test_it_reads_csv_in_every_office_encoding(demo, tmp_path, sample_rows, encoding):
    summary = import_registry(
        actor=None, path=csv_file(tmp_path, sample_rows, encoding=encoding), as_of=AS_OF
    )
    assert (summary.accepted, summary.rejected) == (len(sample_rows), 0)
    assert Member.objects.filter(name=sample_rows[0]["name"]).exists()


def test_it_finds_the_header_on_row_3_below_a_merged_title(demo, tmp_path, sample_rows):
    path = tmp_path / "titled.xlsx"
    import xlsxwriter

    from bangfu.registry.importer import EXPORT_COLUMNS

    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    sheet.merge_range(0, 0, 0, 8, "格桑县建档立卡贫困人口明细表")
    sheet.write_row(1, 0, ["导出时间：2020-03-01"])
    # header aliases: full-width brackets, stray spaces, 身份证号
    labels = {"township": "乡（镇）", "id_number": " 身份证号 ", "village": "村"}
    sheet.write_row(2, 0, [labels.get(k, label) for k, label in EXPORT_COLUMNS])
    sheet.write_row(3, 0, [""] * 3)  # a blank row: skipped, not counted
    for i, row in enumerate(sample_rows[:3], start=4):
        sheet.write_row(i, 0, [row.get(k, "") for k, _label in EXPORT_COLUMNS])
    book.close()
    summary = import_registry(actor=None, path=path, as_of=AS_OF)
    assert (summary.rows, summary.accepted) == (3, 3)
    assert summary.header is not None and summary.header.row_index == 2


# --- upsert, history, full snapshots --------------------------------------------------------------
def test_re_importing_the_same_file_changes_nothing(demo, tmp_path, sample_rows):
    path = xlsx_file(tmp_path, sample_rows)
    first = import_registry(actor=None, path=path, as_of=AS_OF)
    assert first.created == len(sample_rows)
    before = _db_state()
    again = import_registry(actor=None, path=path, as_of=AS_OF)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(sample_rows))
    assert _db_state() == before


def test_it_updates_changed_people_with_effective_dated_history(demo, tmp_path, sample_rows):
    _import(tmp_path, sample_rows, as_of=AS_OF)
    rows = copy.deepcopy(sample_rows)
    rows[0]["schooling"] = "中职一年级"
    rows[1]["name"] = "新名字"
    summary = _import(tmp_path, rows, as_of=LATER)
    assert (summary.updated, summary.unchanged) == (2, len(rows) - 2)
    student = _member(rows[0]["id_number"])
    assert student.schooling == Schooling.SECONDARY_VOCATIONAL_1
    change = RegistryChange.objects.get(member=student)
    assert (change.field, change.new_value, change.effective_on) == ("schooling", "sec_voc_1", LATER)
    versions = list(
        student.versions.order_by("valid_from").values_list("valid_from", "valid_to", "schooling")
    )
    assert versions[0][:2] == (AS_OF, LATER) and versions[1] == (LATER, None, "sec_voc_1")
    county = Area.objects.get(code="513325000000")
    on_day = {m.pk: m.schooling_on for m in member_status_on(day=date(2020, 5, 1), county=county)}
    assert on_day[student.pk] == versions[0][2]
    # name changes are history too, but not a new status version
    assert _member(rows[1]["id_number"]).versions.count() == 1


def test_an_earlier_as_of_than_the_data_already_imported_is_refused(demo, tmp_path, sample_rows):
    _import(tmp_path, sample_rows, as_of=LATER)
    before = _db_state()
    with pytest.raises(FileProblem):
        _import(tmp_path, sample_rows, as_of=AS_OF)
    assert _db_state() == before


def test_full_snapshot_marks_absent_members_left(demo, tmp_path, sample_rows):
    _import(tmp_path, sample_rows, as_of=AS_OF)
    gone = sample_rows[1]
    rows = [r for r in sample_rows if r is not gone]
    partial = _import(tmp_path, rows, as_of=LATER)
    assert partial.deactivated == 0 and _member(gone["id_number"]).active
    summary = _import(tmp_path, rows, as_of=LATER, full=True)
    assert summary.deactivated == 1
    member = _member(gone["id_number"])
    assert (member.active, member.left_on) == (False, LATER)
    assert Member.objects.filter(active=False).count() == 1  # nothing deleted, nobody else touched
    county = Area.objects.get(code="513325000000")
    status = {m.pk: m.active_on for m in member_status_on(day=date(2020, 5, 1), county=county)}
    assert status[member.pk] is True
    status = {m.pk: m.active_on for m in member_status_on(day=date(2020, 10, 1), county=county)}
    assert status[member.pk] is False


def test_dry_run_writes_nothing(demo, tmp_path, sample_rows):
    before = _db_state()
    summary = _import(tmp_path, sample_rows, as_of=AS_OF, dry_run=True)
    assert summary.created == len(sample_rows)
    assert _db_state() == before


# --- command output ---------------------------------------------------------------------------------
def test_the_command_prints_json_last_and_writes_the_error_file(demo, tmp_path, sample_rows, capsys):
    rows = copy.deepcopy(sample_rows[:3])
    rows[2]["id_number"] = "360426199101010072"
    path = xlsx_file(tmp_path, rows)
    out = tmp_path / "errors.xlsx"
    call_command("import_registry", str(path), "--as-of", "2020-03-01", "--errors", str(out))
    printed = capsys.readouterr()
    # Off a terminal (cron, a job runner) each phase is one Chinese progress line as it finishes.
    phases = ["读取校验", "核对区划", "写入户", "写入成员", "写入历史"]
    expected = [f"[{n}/5] {phase}：3 行" for n, phase in enumerate(phases, 1)]
    assert [line for line in printed.err.splitlines() if line.startswith("[")] == expected
    last = printed.out.strip().splitlines()[-1]
    summary = json.loads(last)
    assert tuple(summary) == SUMMARY_KEYS
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (3, 2, 1)
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert sheet[0][0] == "原行号" and sheet[0][-1] == "错误原因"
    assert int(sheet[1][0]) == 4
    assert "360426199101010072" in sheet[1]
    assert "校验位错误" in sheet[1][-1]


def test_full_snapshot_marks_an_emptied_household_inactive(demo, tmp_path, sample_rows):
    _import(tmp_path, sample_rows, as_of=AS_OF)
    gone = sample_rows[0]["household_number"]
    rows = [r for r in sample_rows if r["household_number"] != gone]
    summary = _import(tmp_path, rows, as_of=LATER, full=True)
    assert summary.deactivated == sum(1 for r in sample_rows if r["household_number"] == gone)
    household = Household.objects.get(number=gone)
    assert household.active is False
    assert Household.objects.filter(active=False).count() == 1
    assert RegistryChange.objects.filter(household=household, member=None, field="active").exists()


def test_reasons_follow_the_users_language(demo, tmp_path, sample_rows):
    from django.utils import translation

    rows = copy.deepcopy(sample_rows[:2])
    rows[1]["id_number"] = "360426199101010072"
    with translation.override("en"):
        summary = _import(tmp_path, rows, as_of=AS_OF)
    assert summary.errors[0].reason == (
        "ID number “360426199101010072” has a wrong check character (expected 1)"
    )


def test_an_id_stored_by_excel_as_a_number_is_rejected_with_the_reason(demo, tmp_path, sample_rows):
    import xlsxwriter

    from bangfu.registry.importer import EXPORT_COLUMNS

    path = tmp_path / "numeric.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, [label for _key, label in EXPORT_COLUMNS])
    for i, row in enumerate(sample_rows[:2], start=1):
        sheet.write_row(i, 0, [row.get(k, "") for k, _label in EXPORT_COLUMNS])
    id_column = [k for k, _label in EXPORT_COLUMNS].index("id_number")
    sheet.write_number(2, id_column, float(sample_rows[1]["id_number"][:17] + "1"))
    book.close()
    summary = import_registry(actor=None, path=path, as_of=AS_OF)
    assert summary.accepted == 1
    assert "Excel" in summary.errors[0].reason
