"""Screening: leads from the registry (income, health, labour) and from department lists."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from bangfu.monitoring import services
from bangfu.monitoring.models import DepartmentRecord, Lead, LeadState
from bangfu.monitoring.screening import import_department_list, report_lines, run_screening
from bangfu.registry.models import Household
from bangfu.registry.sample import write_csv
from bangfu.registry.services import import_registry

from .conftest import valid_id

pytestmark = pytest.mark.django_db


def leads(source: str) -> set[str]:
    return set(Lead.objects.filter(source=source).values_list("registry_household__number", flat=True))


def test_households_below_the_line_become_leads_once(admin, county, registry):
    below = set(
        Household.objects.filter(per_capita_net_income__lt=Decimal("6000")).values_list("number", flat=True)
    )
    assert below and below != set(Household.objects.values_list("number", flat=True))
    result = run_screening(actor=admin, county=county)
    assert result.created["income"] == len(below)
    assert leads("income") == below
    lead = Lead.objects.filter(source="income").first()
    assert lead.detail == "人均纯收入低于2020年监测线6000.00元" and lead.found_on == date(2020, 7, 15)
    assert run_screening(actor=admin, county=county).created["income"] == 0


def test_health_and_labour_changes_between_imports_become_leads(admin, county, registry):
    rows = [dict(r) for r in registry]
    sick_household = rows[0]["household_number"]
    rows[0]["health"] = "患有大病" if registry[0]["health"] not in ("患有大病", "残疾") else "健康"
    was_sick = registry[0]["health"] in ("患有大病", "残疾")
    # Every member of another household loses their labour.
    lost = next(r["household_number"] for r in rows if r["household_number"] != sick_household)
    for row in rows:
        if row["household_number"] == lost:
            row["labour_skill"] = "丧失劳动力"
    import_registry(actor=None, path="u.csv", data=write_csv(rows), as_of=date(2020, 6, 1))
    run_screening(actor=admin, county=county)
    assert (sick_household in leads("health")) is not was_sick
    assert lost in leads("labour")
    # Members who were already sick at the first import raise nothing.
    unchanged = {r["household_number"] for r in registry if r["health"] in ("患有大病", "残疾")}
    assert not (leads("health") - {sick_household}) & unchanged


def test_a_monitored_household_raises_no_lead(admin, village_officer, county, registry):
    hh = Household.objects.filter(
        per_capita_net_income__lt=Decimal("6000"), village__code="513325100202"
    ).first()
    services.create_monitored_household(
        actor=village_officer,
        kind="unstable",
        found_by="cadre",
        found_on=date(2020, 5, 1),
        risk_types=["illness"],
        registry_household=hh,
    )
    run_screening(actor=admin, county=county)
    assert hh.number not in leads("income")


def medical_csv(registry, unknown: str) -> bytes:
    known, other = registry[0]["id_number"], registry[1]["id_number"]
    lines = [
        "城乡居民医保大额费用名单",
        "姓名,身份证号,医疗费用（元）",
        f"{registry[0]['name']},{known},23000.50",
        "张三,513325197001010010,18000",
        f"{registry[0]['name']},{known},21000",
        f"李四,{unknown},15000",
        f"{registry[1]['name']},{other},500",
    ]
    return ("\n".join(lines) + "\n").encode("gb18030")


def test_a_department_list_reports_bad_duplicate_and_unknown_rows_exactly(admin, county, registry):
    unknown = valid_id("51332519800202003")
    summary = import_department_list(
        actor=admin,
        county=county,
        department="medical",
        file_name="医保.csv",
        data=medical_csv(registry, unknown),
        as_of=date(2020, 6, 30),
    )
    assert report_lines(summary) == [
        "第4行被拒绝：证件号码“513325197001010010”校验位错误（应为5）",
        "第5行被拒绝：证件号码与第3行重复",
        f"第6行：证件号码{unknown[:6]}********{unknown[-4:]}不在本县建档立卡或监测对象名单中，"
        "已列为线索待核实（可能为边缘易致贫户）",
    ]
    assert summary.as_dict() == {"rows": 5, "accepted": 3, "rejected": 2, "unknown": 1, "leads": 2}
    assert sorted(DepartmentRecord.objects.values_list("row", flat=True)) == [3, 6, 7]
    # Leads: the registry person's household (23,000 ≥ 10,000) and the unknown person; the
    # 500-yuan row is below the county's threshold.
    medical = Lead.objects.filter(source="medical").order_by("id")
    assert [(lead.registry_household is not None, lead.id_number_masked[-4:]) for lead in medical] == [
        (True, registry[0]["id_number"][-4:]),
        (False, unknown[-4:]),
    ]
    assert medical[1].village is None and medical[1].name == "李四"
    assert unknown not in str(list(Lead.objects.values()))


def test_a_refused_department_file_changes_nothing(admin, county, registry):
    with pytest.raises(ValidationError) as info:
        import_department_list(
            actor=admin,
            county=county,
            department="medical",
            file_name="医保.xlsx",
            data=b"not a workbook at all",
            as_of=date(2020, 6, 30),
        )
    assert "不是 Excel 工作簿" in " ".join(info.value.messages)
    assert not DepartmentRecord.objects.exists() and not Lead.objects.exists()


def test_the_cli_prints_the_rows_like_the_registry_import(county, registry, tmp_path, capsys):
    path = tmp_path / "medical.csv"
    path.write_bytes(medical_csv(registry, valid_id("51332519800202003")))
    call_command(
        "monitoring_import_list",
        str(path),
        county="513325000000",
        department="medical",
        as_of=date(2020, 6, 30),
    )
    err = capsys.readouterr().err
    assert (
        "第4行被拒绝：证件号码“513325197001010010”校验位错误" in err
        and "第5行被拒绝：证件号码与第3行重复" in err
    )


def test_a_lead_is_verified_or_dismissed_with_a_reason(admin, township, county, registry):
    run_screening(actor=admin, county=county)
    lead = Lead.objects.filter(village__code="513325100202").first()
    with pytest.raises(ValidationError):
        services.decide_lead(actor=township, lead=lead, verified=False, reason="  ")
    lead.refresh_from_db()
    assert lead.state == LeadState.OPEN
    services.decide_lead(actor=township, lead=lead, verified=False, reason="入户核实收入已达标")
    lead.refresh_from_db()
    assert (lead.state, lead.reason, lead.decided_by) == (LeadState.DISMISSED, "入户核实收入已达标", township)
    with pytest.raises(ValidationError):
        services.decide_lead(actor=township, lead=lead, verified=True, reason="再次")
