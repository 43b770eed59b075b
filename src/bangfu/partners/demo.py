"""Partners demo data for the demo county (`bangfu seed-demo`; runs after the registry's demo).

Designated, east–west, counterpart and enterprise pairings as the 2020 plan names them, cadres,
kinship pairings for the registered households, a year of work-team and kinship visits (demo
today is 2020-07-15) in which a few units miss a quarter, and monthly cooperation figures.

Idempotent: each section is skipped once its rows exist. Organisations, cadres and pairings go
through the services (they are few); the year of visits is bulk-inserted with one audit record."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from bangfu.areas.models import Area
from bangfu.audit.services import record_audit
from bangfu.core.demo import PROVINCIAL_UNIT_VILLAGES
from bangfu.lib.periods import quarter_bounds
from bangfu.partners.models import (
    AdminLevel,
    Cadre,
    Contact,
    EastWestLevel,
    HelpMode,
    JobGrade,
    KinshipVisit,
    Organisation,
    OrgType,
    Pairing,
    PairingFigures,
    PairingKind,
    Visit,
    VisitForm,
    VisitMember,
)
from bangfu.partners.services import (
    add_contact,
    create_cadre,
    create_pairing,
    kinship_caps,
    record_pairing_figures,
    set_organisation_parent,
    upsert_organisation,
)
from bangfu.registry.models import Household

DEMO_TODAY = date(2020, 7, 15)
DESIGNATED_SINCE = date(2018, 1, 1)

# Prefecture departments that guide registered poor villages (联系指导), as the plan lists them.
PREFECTURE_VILLAGES = {
    "Z03": ["513325202202"],  # 州政府办公室 → 多吉村
    "Z04": ["513325203201"],  # 州老干局 → 泽仁村
    "Z05": ["513325203202"],  # 州总工会 → 夏拉村
    "Z06": ["513325204201"],  # 州纪委 → 亚龙村
    "Z07": ["513325202202"],  # 州防灾减灾和应急管理局 → 多吉村
    "Z08": ["513325203202", "513325204201"],  # 州农办 → 夏拉村, 亚龙村
}
# Guangdong partners at the levels below the county (携手奔康), and two county bodies they pair with.
EXTRA_ORGANISATIONS = [
    ("G01", "顺德区北滘镇林头村", OrgType.EAST_PARTNER, AdminLevel.VILLAGE, "广东省佛山市顺德区", "E02"),
    ("G02", "顺德区第一中学", OrgType.PUBLIC_INSTITUTION, AdminLevel.COUNTY, "广东省佛山市顺德区", "E01"),
    ("G03", "顺德区人民医院", OrgType.HOSPITAL, AdminLevel.COUNTY, "广东省佛山市顺德区", "E01"),
    ("G04", "顺德北滘家电有限公司", OrgType.PRIVATE_ENTERPRISE, AdminLevel.OTHER, "广东省佛山市顺德区", ""),
    ("C23", "格桑县中学", OrgType.PUBLIC_INSTITUTION, AdminLevel.COUNTY, "", ""),
    ("C24", "格桑县人民医院", OrgType.HOSPITAL, AdminLevel.COUNTY, "", ""),
]
ENTERPRISE_VILLAGES = {
    "Q01": ("513325101201", [HelpMode.INDUSTRY, HelpMode.EMPLOYMENT]),  # 拉姆村
    "Q02": ("513325101202", [HelpMode.TRADE, HelpMode.TRAINING]),  # 东珠村
    "Q03": ("513325200201", [HelpMode.INDUSTRY, HelpMode.CHARITY]),  # 卓嘎村
}
# Units that miss a quarter (so the compliance page shows real gaps): (unit, year, quarter).
MISSED_QUARTERS = {("P05", 2020, 1), ("P08", 2020, 2), ("Z06", 2019, 4), ("P03", 2020, 2)}
# Units that have not yet visited in the current quarter (the reminder list).
NOT_YET_THIS_QUARTER = {"P04", "P10", "Z05"}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国 海燕 志强 秀英 明 丽 伟 芳 军 静 磊 敏 洋 艳 勇 娟 杰 涛 超 霞".split()


def _name(n: int) -> str:
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES) + n) % len(GIVEN)]


@transaction.atomic
def seed_demo(county: Area) -> None:
    orgs = _organisations(county)
    if not Pairing.objects.filter(county=county).exclude(kind=PairingKind.KINSHIP).exists():
        _pairings(county, orgs)
    if not Cadre.objects.filter(county=county).exists():
        _cadres(orgs)
    if not Pairing.objects.filter(county=county, kind=PairingKind.KINSHIP).exists():
        _kinship(county)
    if not Visit.objects.filter(county=county).exists():
        _visits(county)
    inputs = PairingFigures.objects.filter(pairing__county=county)
    if not inputs.exclude(pairing__kind=PairingKind.DESIGNATED).exists():
        _figures(county)
    if not inputs.filter(pairing__kind=PairingKind.DESIGNATED).exists():
        _designated_inputs(county)


def _organisations(county: Area) -> dict[str, Organisation]:
    for code, name, org_type, level, region, _parent in EXTRA_ORGANISATIONS:
        if not Organisation.objects.filter(county=county, code=code).exists():
            upsert_organisation(
                actor=None,
                county=county,
                code=code,
                name=name,
                org_type=org_type,
                admin_level=level,
                region=region,
                area=None if region else county,
            )
    orgs = {o.code: o for o in Organisation.objects.filter(county=county).select_related("parent")}
    for code, *_rest, parent in [
        *EXTRA_ORGANISATIONS,
        ("E02", "", "", "", "", "E01"),
    ]:
        if parent and orgs[code].parent_id != orgs[parent].pk:
            set_organisation_parent(actor=None, organisation=orgs[code], parent=orgs[parent])
    for n, code in enumerate([*PROVINCIAL_UNIT_VILLAGES, "E01", "K01", "Q01", "Q02", "Q03"]):
        if not Contact.objects.filter(organisation=orgs[code]).exists():
            add_contact(
                actor=None,
                organisation=orgs[code],
                name=_name(n + 200),
                post="联络员",
                phone=f"1358325{n:04d}",
            )
    return orgs


def _pairings(county: Area, orgs: dict[str, Organisation]) -> None:
    areas = {a.code: a for a in Area.objects.filter(code__startswith=county.prefix)}

    def pair(kind: str, helper: str, start: date = DESIGNATED_SINCE, **kw: Any) -> None:
        create_pairing(
            actor=None, county=county, kind=kind, helper_organisation=orgs[helper], start_date=start, **kw
        )  # type: ignore[arg-type]

    for unit, village in PROVINCIAL_UNIT_VILLAGES.items():
        pair(PairingKind.DESIGNATED, unit, target_area=areas[village])
    for unit, villages in PREFECTURE_VILLAGES.items():
        for village in villages:
            pair(PairingKind.DESIGNATED, unit, target_area=areas[village])
    start = date(2019, 1, 1)
    ew = PairingKind.EAST_WEST
    pair(ew, "E01", start, target_area=county, east_west_level=EastWestLevel.COUNTY)
    pair(ew, "E02", start, target_area=areas["513325100000"], east_west_level=EastWestLevel.TOWNSHIP)
    pair(ew, "G01", start, target_area=areas["513325100202"], east_west_level=EastWestLevel.VILLAGE)
    pair(ew, "G02", start, target_organisation=orgs["C23"], east_west_level=EastWestLevel.SCHOOL)
    pair(ew, "G03", start, target_organisation=orgs["C24"], east_west_level=EastWestLevel.HOSPITAL)
    pair(
        ew, "G04", start, target_area=areas["513325100204"], east_west_level=EastWestLevel.ENTERPRISE_VILLAGE
    )
    pair(ew, "Q04", start, target_area=areas["513325100203"], east_west_level=EastWestLevel.SOCIAL_VILLAGE)
    pair(
        PairingKind.COUNTERPART,
        "K01",
        date(2017, 1, 1),
        target_area=county,
        yearly_plan="2020年：住房改造、教育、卫生、基础设施、产业、就业和本土人才培养项目，资金共管。",
    )
    for unit, (village, modes) in ENTERPRISE_VILLAGES.items():
        pair(PairingKind.ENTERPRISE, unit, start, target_area=areas[village], help_modes=modes)


def _cadres(orgs: dict[str, Organisation]) -> None:
    n = 0
    plan = [
        (code, [JobGrade.DIVISION_MAIN, JobGrade.SECTION_MAIN, JobGrade.STAFF])
        for code in PROVINCIAL_UNIT_VILLAGES
    ]
    plan += [(code, [JobGrade.DIVISION_DEPUTY, JobGrade.SECTION_DEPUTY]) for code in PREFECTURE_VILLAGES]
    plan += [(f"C{i:02d}", [JobGrade.SECTION_MAIN, JobGrade.SECTION_DEPUTY]) for i in range(1, 23)]
    for code, grades in plan:
        for grade in grades:
            create_cadre(
                actor=None,
                organisation=orgs[code],
                name=_name(n),
                phone=f"1398325{n:04d}",
                job_grade=grade,
                post={JobGrade.DIVISION_MAIN: "处长", JobGrade.DIVISION_DEPUTY: "副处长"}.get(grade, "干部"),
                resident_team=(grade == JobGrade.STAFF),
            )
            n += 1


def _kinship(county: Area) -> None:
    """Pair every registered household with a cadre of its village's helper unit, then with county
    cadres; the last three households stay without a cadre (the coverage page shows them)."""
    households = list(
        Household.objects.filter(county=county, active=True).select_related("village").order_by("number")
    )
    if not households:
        return
    unit_of_village = {v: u for u, v in PROVINCIAL_UNIT_VILLAGES.items()}
    cadres = list(Cadre.objects.filter(county=county).select_related("organisation").order_by("id"))
    caps = kinship_caps(county)
    free = {c.pk: caps[c.job_grade] for c in cadres}
    county_cadres = [c for c in cadres if c.organisation.code.startswith("C")]
    for household in households[:-3]:
        unit = unit_of_village.get(household.village.code)
        candidates = [c for c in cadres if unit and c.organisation.code == unit] + county_cadres
        cadre = next((c for c in candidates if free[c.pk] > 0), None)
        if cadre is None:
            break
        free[cadre.pk] -= 1
        create_pairing(
            actor=None,
            county=county,
            kind=PairingKind.KINSHIP,
            helper_cadre=cadre,
            target_household=household,
            start_date=date(2019, 3, 1),
        )


def _visits(county: Area) -> None:
    rng = random.Random(2020)  # noqa: S311 - reproducible demo data, not secrets
    pairings = list(
        Pairing.objects.filter(
            county=county, kind=PairingKind.DESIGNATED, end_date__isnull=True
        ).select_related("helper_organisation", "target_area")
    )
    cadres_by_org: dict[int, list[Cadre]] = {}
    for cadre in Cadre.objects.filter(county=county):
        cadres_by_org.setdefault(cadre.organisation_id, []).append(cadre)
    quarters = [(2019, 3), (2019, 4), (2020, 1), (2020, 2), (2020, 3)]
    visits: list[Visit] = []
    teams: list[list[Cadre | str]] = []
    for p in pairings:
        assert p.helper_organisation is not None and p.target_area is not None
        code = p.helper_organisation.code
        for year, quarter in quarters:
            if (code, year, quarter) in MISSED_QUARTERS:
                continue
            start, end = quarter_bounds(year, quarter)
            if (year, quarter) == (2020, 3):
                if code in NOT_YET_THIS_QUARTER:
                    continue
                end = DEMO_TODAY + timedelta(days=1)
            for _ in range(1 if rng.random() < 0.7 else 2):
                day = start + timedelta(days=rng.randrange((end - start).days))
                own = cadres_by_org.get(p.helper_organisation.pk, [])
                members: list[Cadre | str] = list(own[: rng.randint(1, min(3, len(own)))]) if own else []
                members += [f"{p.target_area.name}村干部{_name(len(visits))}"]
                while len(members) < 2:
                    members.append(f"随行人员{len(members)}")
                visits.append(
                    Visit(
                        county=county,
                        organisation=p.helper_organisation,
                        village=p.target_area,
                        date=day,
                        team_size=len(members),
                        purpose=rng.choice(
                            ["指导精准扶贫工作", "回头看、回头帮", "产业项目对接", "基础设施改造提升"]
                        ),
                        activities="入户走访，召开村两委座谈会，核实帮扶项目进度。",
                        households_visited=rng.randint(3, 15),
                        follow_ups="落实村道硬化资金；协调产业技术培训。",
                    )
                )
                teams.append(members)
    Visit.objects.bulk_create(visits, batch_size=500)
    VisitMember.objects.bulk_create(
        [
            VisitMember(visit=v, cadre=m) if isinstance(m, Cadre) else VisitMember(visit=v, guest_name=m)
            for v, members in zip(visits, teams, strict=True)
            for m in members
        ],
        batch_size=1000,
    )
    kinship = list(
        Pairing.objects.filter(county=county, kind=PairingKind.KINSHIP).select_related(
            "helper_cadre", "target_household"
        )
    )
    kvisits = []
    for n, p in enumerate(kinship):
        assert p.helper_cadre is not None and p.target_household is not None
        for year, quarter in quarters:
            # Every seventh household waits for this quarter's visit; every eleventh missed Q2.
            waiting = (year, quarter) == (2020, 3) and n % 7 == 0
            if waiting or ((year, quarter) == (2020, 2) and n % 11 == 0):
                continue
            start, end = quarter_bounds(year, quarter)
            end = min(end, DEMO_TODAY + timedelta(days=1))
            kvisits.append(
                KinshipVisit(
                    county=county,
                    pairing=p,
                    cadre=p.helper_cadre,
                    household=p.target_household,
                    date=start + timedelta(days=rng.randrange((end - start).days)),
                    form=VisitForm.IN_PERSON if rng.random() < 0.8 else VisitForm.PHONE,
                    notes="了解家庭收入与务工情况，宣讲政策。",
                )
            )
    KinshipVisit.objects.bulk_create(kvisits, batch_size=1000)
    record_audit(
        actor=None,
        action="partners.demo_visits",
        target_type="partners.visit",
        after={"visits": len(visits), "kinship_visits": len(kvisits)},
        county=county,
    )


def _figures(county: Area) -> None:
    pairings = Pairing.objects.filter(
        county=county, kind__in=[PairingKind.EAST_WEST, PairingKind.COUNTERPART, PairingKind.ENTERPRISE]
    ).select_related("helper_organisation")
    rng = random.Random(17)  # noqa: S311 - reproducible demo data, not secrets
    more = random.Random(23)  # noqa: S311 - the figures added with the inputs of every kind (#15)
    for p in pairings:
        big = p.kind == PairingKind.COUNTERPART or p.east_west_level == EastWestLevel.COUNTY
        for month in range(1, 7):
            record_pairing_figures(
                actor=None,
                pairing=p,
                month=date(2020, month, 1),
                funds_direct=Decimal(rng.randrange(50, 400) * (10000 if big else 1000)),
                funds_in_kind=Decimal(more.randrange(0, 40) * 1000),
                funds_introduced=Decimal(more.randrange(0, 20) * 10000) if big else Decimal(0),
                training_sessions=more.randrange(0, 3),
                cadres_seconded=1 if big and month == 3 else 0,
                specialists_seconded=more.randrange(0, 4) if big else 0,
                people_trained=rng.randrange(0, 60),
                labour_transferred=rng.randrange(0, 25),
                consumption=Decimal(rng.randrange(0, 300) * 1000),
                enterprises_introduced=1 if big and month in (3, 6) else 0,
                investment=Decimal(rng.randrange(0, 100) * 10000)
                if p.kind == PairingKind.ENTERPRISE or big
                else Decimal(0),
            )


def _designated_inputs(county: Area) -> None:
    """The designated units' inputs for 2020 January–June (the provincial units' funds brought in,
    training, products bought, cadres and specialists seconded; the prefecture units' smaller)."""
    pairings = Pairing.objects.filter(county=county, kind=PairingKind.DESIGNATED).select_related(
        "helper_organisation"
    )
    rng = random.Random(31)  # noqa: S311 - reproducible demo data, not secrets
    for p in pairings:
        helper = p.helper_organisation
        provincial = helper is not None and helper.admin_level == AdminLevel.PROVINCIAL
        scale = 10000 if provincial else 1000
        for month in range(1, 7):
            record_pairing_figures(
                actor=None,
                pairing=p,
                month=date(2020, month, 1),
                funds_direct=Decimal(rng.randrange(2, 30) * scale),
                funds_in_kind=Decimal(rng.randrange(0, 10) * 1000),
                funds_introduced=Decimal(rng.randrange(0, 20) * scale) if month in (3, 6) else Decimal(0),
                training_sessions=rng.randrange(0, 2),
                people_trained=rng.randrange(0, 40),
                labour_transferred=rng.randrange(0, 6),
                consumption=Decimal(rng.randrange(0, 80) * 1000),
                cadres_seconded=1 if provincial and month == 1 else 0,
                specialists_seconded=rng.randrange(0, 2) if provincial else 0,
            )
