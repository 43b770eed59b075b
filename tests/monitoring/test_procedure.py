"""The identification and risk-elimination procedure: in order or refused, nothing changed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.audit.models import AuditRecord
from bangfu.monitoring import services
from bangfu.monitoring.models import (
    IncomeCheck,
    MonitoredHousehold,
    MonitoredMember,
    ProcedureStep,
    Risk,
    Status,
    Step,
)
from bangfu.monitoring.services import MemberInput

from .conftest import valid_id

pytestmark = pytest.mark.django_db


def snapshot() -> tuple:
    return (
        list(
            MonitoredHousehold.objects.values_list(
                "pk", "status", "phase", "last_step", "identified_on", "eliminated_on"
            )
        ),
        list(ProcedureStep.objects.values_list("pk", "step", "date")),
        list(Risk.objects.values_list("pk", "closed_on")),
        AuditRecord.objects.count(),
    )


def refused(call, *, match: str) -> None:
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        call()
    assert match in " ".join(info.value.messages)
    assert snapshot() == before


def step(actor, household, name, on, **kw):
    return services.record_step(actor=actor, household=household, step=name, on=on, **kw)


def test_it_walks_a_household_through_identification_and_elimination(
    admin, township, village_officer, ranbu_household, cadre
):
    hh = services.create_monitored_household(
        actor=village_officer,
        kind="unstable",
        found_by="cadre",
        found_on=date(2020, 1, 6),
        risk_types=["illness", "employment"],
        registry_household=ranbu_household,
        per_capita_income=Decimal("5200"),
        rigid_expenses=Decimal("30000"),
        helper=cadre,
    )
    assert (hh.status, hh.last_step, hh.number) == (Status.IDENTIFYING, Step.APPLIED, ranbu_household.number)
    assert hh.household_size == ranbu_household.members.filter(active=True).count()

    # Out of order: the township cannot check before the village has reviewed and published.
    refused(
        lambda: step(township, hh, Step.TOWNSHIP_REVIEW, date(2020, 1, 8)), match="当前应办理“村级民主评议”"
    )
    refused(lambda: step(admin, hh, Step.ENTERED, date(2020, 1, 8)), match="程序顺序错误")
    step(village_officer, hh, Step.VILLAGE_REVIEW, date(2020, 1, 8), note="评议通过 9票同意")
    refused(
        lambda: step(village_officer, hh, Step.VILLAGE_REVIEW, date(2020, 1, 9)), match="当前应办理“村级公示”"
    )
    refused(lambda: step(village_officer, hh, Step.PUBLICITY, date(2020, 1, 7)), match="早于上一步")
    step(village_officer, hh, Step.PUBLICITY, date(2020, 1, 9), days=7, objections="无异议")
    # The 公示 runs 7 days: the township waits until it is over.
    refused(
        lambda: step(township, hh, Step.TOWNSHIP_REVIEW, date(2020, 1, 12)),
        match="公示期未满（公示至2020-01-16）",
    )
    # A village officer may not record the township's or the county's steps.
    before = snapshot()
    with pytest.raises(PermissionDenied):
        step(village_officer, hh, Step.TOWNSHIP_REVIEW, date(2020, 1, 17))
    assert snapshot() == before
    step(township, hh, Step.TOWNSHIP_REVIEW, date(2020, 1, 17))
    refused(lambda: step(admin, hh, Step.ENTERED, date(2020, 1, 18)), match="当前应办理“县级审定”")
    step(admin, hh, Step.COUNTY_APPROVAL, date(2020, 1, 20))
    refused(lambda: step(admin, hh, Step.ENTERED, date(2020, 7, 16)), match="晚于今天")
    step(admin, hh, Step.ENTERED, date(2020, 1, 22), note="国家系统录入")
    hh.refresh_from_db()
    assert (hh.status, hh.identified_on) == (Status.MONITORED, date(2020, 1, 22))
    assert [s.step for s in hh.steps.order_by("id")] == [s.value for s in Step]
    assert AuditRecord.objects.filter(action__startswith="monitoring.step.identify").count() == 5

    # Elimination: not while a risk is open, not before the income was stable for 6 months.
    refused(
        lambda: step(village_officer, hh, Step.VILLAGE_REVIEW, date(2020, 7, 1)),
        match="当前应办理“申请或发现”",
    )
    refused(
        lambda: step(village_officer, hh, Step.APPLIED, date(2020, 7, 1)),
        match="尚有未消除的风险（因病、务工就业不稳）",
    )
    services.close_risk(actor=village_officer, household=hh, risk_type="illness", on=date(2020, 6, 1))
    services.close_risk(actor=village_officer, household=hh, risk_type="employment", on=date(2020, 6, 1))
    services.record_income(actor=village_officer, household=hh, on=date(2020, 2, 1), per_capita_income="7000")
    refused(
        lambda: step(village_officer, hh, Step.APPLIED, date(2020, 7, 1)),
        match="未连续6个月高于监测线6000.00元",
    )
    IncomeCheck.objects.filter(household=hh, checked_on=date(2020, 2, 1)).update(checked_on=date(2020, 1, 10))
    step(village_officer, hh, Step.APPLIED, date(2020, 7, 1))
    hh.refresh_from_db()
    assert hh.status == Status.ELIMINATING
    refused(
        lambda: step(admin, hh, Step.COUNTY_APPROVAL, date(2020, 7, 2)),
        match="风险消除当前应办理“村级民主评议”",
    )
    step(village_officer, hh, Step.VILLAGE_REVIEW, date(2020, 7, 2))
    step(village_officer, hh, Step.PUBLICITY, date(2020, 7, 3))  # the county's default: 7 days
    refused(lambda: step(township, hh, Step.TOWNSHIP_REVIEW, date(2020, 7, 9)), match="公示至2020-07-10")
    step(township, hh, Step.TOWNSHIP_REVIEW, date(2020, 7, 10))
    step(admin, hh, Step.COUNTY_APPROVAL, date(2020, 7, 11))
    step(admin, hh, Step.ENTERED, date(2020, 7, 12))
    hh.refresh_from_db()
    assert (hh.status, hh.eliminated_on) == (Status.ELIMINATED, date(2020, 7, 12))
    refused(lambda: step(village_officer, hh, Step.APPLIED, date(2020, 7, 13)), match="状态为“风险已消除”")
    assert hh.steps.filter(phase="eliminate").count() == 6


def test_a_failed_village_review_ends_identification(village_officer, ranbu_household):
    hh = services.create_monitored_household(
        actor=village_officer,
        kind="sudden",
        found_by="self",
        found_on=date(2020, 5, 1),
        risk_types=["disaster"],
        registry_household=ranbu_household,
    )
    step(village_officer, hh, Step.VILLAGE_REVIEW, date(2020, 5, 3), passed=False, note="收入高于监测线")
    hh.refresh_from_db()
    assert hh.status == Status.NOT_INCLUDED
    refused(lambda: step(village_officer, hh, Step.PUBLICITY, date(2020, 5, 4)), match="状态为“未纳入”")
    # A new record may be opened later: the old one is no longer live.
    again = services.create_monitored_household(
        actor=village_officer,
        kind="sudden",
        found_by="self",
        found_on=date(2020, 6, 1),
        risk_types=["disaster"],
        registry_household=ranbu_household,
    )
    assert again.number == f"{ranbu_household.number}-2"


def test_a_second_live_record_for_one_household_is_refused(village_officer, ranbu_household):
    kwargs = dict(
        actor=village_officer,
        kind="unstable",
        found_by="cadre",
        found_on=date(2020, 5, 1),
        risk_types=["illness"],
        registry_household=ranbu_household,
    )
    services.create_monitored_household(**kwargs)
    refused(lambda: services.create_monitored_household(**kwargs), match="已有正在办理或监测中的记录")


def test_it_creates_a_marginal_household_outside_the_registry_with_masked_encrypted_ids(
    admin, village_officer, ranbu, registry
):
    head = valid_id("51332519700101001")
    child = valid_id("51332520100505002")
    hh = services.create_monitored_household(
        actor=village_officer,
        kind="marginal",
        found_by="self",
        found_on=date(2020, 4, 1),
        risk_types=["illness"],
        village=ranbu,
        per_capita_income="6100",
        members=[
            MemberInput("扎西", "户主", head, health="患有大病"),
            MemberInput("卓玛", "之女", child.lower()),
        ],
    )
    assert hh.number == "JC202000001" and hh.head_name == "扎西" and hh.household_size == 2
    members = list(MonitoredMember.objects.filter(household=hh).order_by("id"))
    assert [m.id_number_masked for m in members] == [
        head[:6] + "********" + head[-4:],
        child[:6] + "********" + child[-4:],
    ]
    assert all(head not in m.id_number_encrypted and m.id_number_encrypted.startswith("v1.") for m in members)
    audit = AuditRecord.objects.get(action="monitoring.household.create")
    assert head not in str(audit.after) and audit.county_code == "513325"
    assert services.reveal_member_id(actor=admin, member=members[0]) == head
    with pytest.raises(PermissionDenied):
        services.reveal_member_id(actor=village_officer, member=members[0])


def test_bad_or_known_ids_of_a_marginal_household_are_refused_row_by_row(village_officer, ranbu, registry):
    known = registry[0]["id_number"]
    bad = "513325197001010010"  # wrong check character
    refused(
        lambda: services.create_monitored_household(
            actor=village_officer,
            kind="marginal",
            found_by="self",
            found_on=date(2020, 4, 1),
            risk_types=["illness"],
            village=ranbu,
            members=[MemberInput("甲", "户主", bad), MemberInput("乙", "配偶", known)],
        ),
        match="第1名成员：证件号码“513325197001010010”校验位错误",
    )
    assert not MonitoredMember.objects.exists()


def test_a_village_officer_cannot_enter_a_household_of_another_village(village_officer, registry):
    from bangfu.registry.models import Household

    other = Household.objects.filter(village__code="513325200201").first()
    with pytest.raises(PermissionDenied):
        services.create_monitored_household(
            actor=village_officer,
            kind="unstable",
            found_by="cadre",
            found_on=date(2020, 5, 1),
            risk_types=["illness"],
            registry_household=other,
        )
    assert not MonitoredHousehold.objects.exists()


def test_the_line_and_periods_are_settings_with_their_year(admin, county):
    from bangfu.monitoring.selectors import policy_for

    assert policy_for(county, 2020).line == Decimal("6000.00")
    assert policy_for(county, 2019).line == Decimal("5625.00")
    services.set_policy(
        actor=admin,
        county=county,
        year=2020,
        national_standard=Decimal("4000"),
        line_factor=Decimal("1.6"),
        publicity_days=5,
        stable_months=3,
    )
    policy = policy_for(county, 2020)
    assert (policy.line, policy.publicity_days, policy.stable_months) == (Decimal("6400.00"), 5, 3)
    assert policy_for(county, 2019).line == Decimal("5625.00")


def test_the_policy_command_shows_and_sets_the_settings(county, capsys):
    from django.core.management import call_command

    call_command("monitoring_policy", county="513325000000", year=2020)
    assert "监测线6000.00元" in capsys.readouterr().out
    call_command(
        "monitoring_policy", county="513325000000", year=2020, publicity_days=5, factor=Decimal("1.6")
    )
    out = capsys.readouterr().out
    assert "监测线6400.00元" in out and "公示5天" in out
