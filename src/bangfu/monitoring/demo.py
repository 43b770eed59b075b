"""Demo monitoring: a handful of households of every kind at different steps of the procedure,
one whose risk was eliminated in June, leads from a sample 医保 list. Everything goes through the
services, on the demo's office date (2020-07-15). Idempotent: a county with records is left alone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bangfu.areas.models import Area
from bangfu.lib import idnumbers
from bangfu.lib.crypto import decrypt_text
from bangfu.monitoring import services
from bangfu.monitoring.models import MonitoredHousehold, Step
from bangfu.monitoring.screening import import_department_list
from bangfu.monitoring.services import MemberInput
from bangfu.partners.models import Cadre
from bangfu.registry.models import Household, Member
from bangfu.registry.writer import ID_CONTEXT

IDENTIFY = (
    (Step.VILLAGE_REVIEW, 0),
    (Step.PUBLICITY, 1),
    (Step.TOWNSHIP_REVIEW, 8),
    (Step.COUNTY_APPROVAL, 10),
    (Step.ENTERED, 12),
)


def _id(first17: str) -> str:
    return first17 + idnumbers.check_character(first17)


def _walk(household: MonitoredHousehold, start: date, *, until: Step | None = None) -> None:
    for step, offset in IDENTIFY:
        if step == until:
            return
        on = date.fromordinal(start.toordinal() + offset)
        services.record_step(
            actor=None, household=household, step=step, on=on, days=7 if step == Step.PUBLICITY else None
        )


def seed_demo(county: Area) -> None:
    if MonitoredHousehold.objects.filter(county=county).exists():
        return
    households = list(
        Household.objects.filter(county=county, active=True, exited=True).order_by("village__code", "number")[
            :12
        ]
    )
    if len(households) < 5:
        return
    cadres = list(Cadre.objects.filter(county=county, is_active=True).order_by("pk")[:4])
    helper = cadres[0] if cadres else None
    services.set_policy(
        actor=None,
        county=county,
        year=2020,
        national_standard=Decimal("4000"),
        stable_months=3,
        publicity_days=7,
    )

    # 1. 脱贫不稳定户 since February, illness, supported and visited monthly.
    sick = services.create_monitored_household(
        actor=None,
        kind="unstable",
        found_by="department",
        found_on=date(2020, 2, 3),
        risk_types=["illness"],
        registry_household=households[0],
        per_capita_income=Decimal("5400"),
        rigid_expenses=Decimal("38000"),
        helper=helper,
    )
    _walk(sick, date(2020, 2, 5))
    services.add_measure(
        actor=None,
        household=sick,
        measure_type="social_security",
        detail="医疗救助（二次报销）",
        start=date(2020, 3, 1),
        amount=Decimal("12000"),
        source="县医疗保障局",
    )
    services.add_measure(
        actor=None,
        household=sick,
        measure_type="employment",
        detail="公益性岗位（护林员）",
        start=date(2020, 4, 1),
        amount=Decimal("6000"),
        source="县林业和草原局",
    )
    if helper is not None:
        for month in (3, 4, 5, 6):
            services.record_visit(
                actor=None, household=sick, on=date(2020, month, 10), notes="了解治疗和务工情况"
            )

    # 2. 脱贫不稳定户 whose risk was eliminated in June.
    done = services.create_monitored_household(
        actor=None,
        kind="unstable",
        found_by="cadre",
        found_on=date(2020, 1, 6),
        risk_types=["employment"],
        registry_household=households[1],
        per_capita_income=Decimal("5800"),
        helper=cadres[1] if len(cadres) > 1 else helper,
    )
    _walk(done, date(2020, 1, 8))
    services.add_measure(
        actor=None,
        household=done,
        measure_type="employment",
        detail="转移就业（劳务协作）",
        start=date(2020, 2, 15),
        source="县人力资源和社会保障局",
    )
    services.record_income(actor=None, household=done, on=date(2020, 3, 1), per_capita_income=Decimal("7600"))
    services.close_risk(
        actor=None, household=done, risk_type="employment", on=date(2020, 5, 20), note="稳定务工"
    )
    services.record_step(actor=None, household=done, step=Step.APPLIED, on=date(2020, 6, 1))
    _walk(done, date(2020, 6, 3))

    # 3. 突发严重困难户 (a disaster), waiting for the village review since May: overdue.
    services.create_monitored_household(
        actor=None,
        kind="sudden",
        found_by="self",
        found_on=date(2020, 5, 12),
        risk_types=["disaster"],
        registry_household=households[2],
        per_capita_income=Decimal("3900"),
        rigid_expenses=Decimal("45000"),
    )
    # 4. 边缘易致贫户 outside the registry, in its 公示.
    village = households[3].village
    edge = services.create_monitored_household(
        actor=None,
        kind="marginal",
        found_by="cadre",
        found_on=date(2020, 7, 1),
        risk_types=["illness", "education"],
        village=village,
        per_capita_income=Decimal("6300"),
        rigid_expenses=Decimal("22000"),
        helper=helper,
        members=[
            MemberInput("泽仁多吉", "户主", _id("51332519780304107"), "患有大病", "弱劳动力或半劳动力"),
            MemberInput("拉姆措", "配偶", _id("51332519800711102"), "健康", "普通劳动力"),
            MemberInput("多吉次仁", "之子", _id("51332520020915101"), "健康", ""),
        ],
    )
    _walk(edge, date(2020, 7, 3), until=Step.TOWNSHIP_REVIEW)
    # 5. 边缘易致贫户 outside the registry, monitored since April, no 帮扶责任人 yet.
    other = services.create_monitored_household(
        actor=None,
        kind="marginal",
        found_by="department",
        found_on=date(2020, 4, 2),
        risk_types=["disability"],
        village=households[4].village,
        per_capita_income=Decimal("6050"),
        members=[MemberInput("格桑曲珍", "户主", _id("51332519650101202"), "残疾", "丧失劳动力")],
    )
    _walk(other, date(2020, 4, 6))

    # Leads from a sample 医保 list (large medical bills): registry people and one stranger.
    people = Member.objects.filter(county=county, active=True).exclude(household__in=households[:5])
    picked = list(people.order_by("pk")[:240])[::40]
    lines = ["县医疗保障局大额医疗费用名单（2020年1—6月）", "姓名,身份证号,医疗总费用（元）"]
    for k, member in enumerate(picked):
        lines.append(
            f"{member.name},{decrypt_text(member.id_number_encrypted, context=ID_CONTEXT)},{9000 + k * 3000}"
        )
    lines.append(f"尼玛,{_id('51332519720408301')},26000")
    import_department_list(
        actor=None,
        county=county,
        department="medical",
        file_name="医保大额费用名单-2020上半年.csv",
        data=("\n".join(lines) + "\n").encode(),
        as_of=date(2020, 6, 30),
    )
