"""The demo county (`bangfu seed-demo`): fictional 格桑县 in 甘孜藏族自治州, with every organisation
the 2020 plan names and one user per role. Idempotent: a second run changes nothing."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from bangfu.accounts.models import Role, User
from bangfu.accounts.services import create_user
from bangfu.areas.models import Area
from bangfu.areas.services import load_areas_csv
from bangfu.modules import provided
from bangfu.partners.models import AdminLevel, Organisation, OrgType
from bangfu.partners.services import upsert_organisation

DATA_DIR = Path(__file__).resolve().parent / "data"
COUNTY_CODE = "513325000000"
DEFAULT_PASSWORD = "bangfu-demo"

T, L = OrgType, AdminLevel
# (code, name, type, level, region). Codes are the demo's own; names follow the plan's text.
ORGANISATIONS: list[tuple[str, str, str, str, str]] = [
    # The 10 provincial designated-assistance units (省级定点帮扶单位).
    ("P01", "省总工会", T.PEOPLES_ORGANISATION, L.PROVINCIAL, "四川省成都市"),
    ("P02", "省机关事务管理局", T.PARTY_GOVERNMENT, L.PROVINCIAL, "四川省成都市"),
    ("P03", "旅游学院", T.UNIVERSITY, L.PROVINCIAL, "四川省成都市"),
    ("P04", "西南交通大学希望学院", T.UNIVERSITY, L.PROVINCIAL, "四川省成都市"),
    ("P05", "乐山职业技术学院", T.UNIVERSITY, L.PROVINCIAL, "四川省乐山市"),
    ("P06", "成都市第二人民医院", T.HOSPITAL, L.PROVINCIAL, "四川省成都市"),
    ("P07", "成都肛肠专科医院", T.HOSPITAL, L.PROVINCIAL, "四川省成都市"),
    ("P08", "民生银行成都分行", T.FINANCIAL, L.PROVINCIAL, "四川省成都市"),
    ("P09", "省联通公司", T.STATE_ENTERPRISE, L.PROVINCIAL, "四川省成都市"),
    ("P10", "大连银行成都分行", T.FINANCIAL, L.PROVINCIAL, "四川省成都市"),
    # Prefecture leaders and departments that guide the county (联系指导).
    ("Z01", "州政协", T.PARTY_GOVERNMENT, L.PREFECTURE, "甘孜藏族自治州"),
    ("Z02", "州人大", T.PARTY_GOVERNMENT, L.PREFECTURE, "甘孜藏族自治州"),
    ("Z03", "州政府办公室", T.PARTY_GOVERNMENT, L.PREFECTURE, "甘孜藏族自治州"),
    ("Z04", "州老干局", T.PARTY_GOVERNMENT, L.PREFECTURE, "甘孜藏族自治州"),
    ("Z05", "州总工会", T.PEOPLES_ORGANISATION, L.PREFECTURE, "甘孜藏族自治州"),
    ("Z06", "州纪委", T.PARTY_GOVERNMENT, L.PREFECTURE, "甘孜藏族自治州"),
    ("Z07", "州防灾减灾和应急管理局", T.PARTY_GOVERNMENT, L.PREFECTURE, "甘孜藏族自治州"),
    ("Z08", "州农办", T.PARTY_GOVERNMENT, L.PREFECTURE, "甘孜藏族自治州"),
    # County units named as lead or responsible units.
    ("C01", "县脱贫攻坚领导小组办公室", T.PARTY_GOVERNMENT, L.COUNTY, ""),
    ("C02", "县委办", T.PARTY_GOVERNMENT, L.COUNTY, ""),
    ("C03", "县人大", T.PARTY_GOVERNMENT, L.COUNTY, ""),
    ("C04", "县政府办", T.PARTY_GOVERNMENT, L.COUNTY, ""),
    ("C05", "县政协", T.PARTY_GOVERNMENT, L.COUNTY, ""),
    ("C06", "县委统战部", T.PARTY_GOVERNMENT, L.COUNTY, ""),
    ("C07", "县总工会", T.PEOPLES_ORGANISATION, L.COUNTY, ""),
    ("C08", "人民银行县支行", T.FINANCIAL, L.COUNTY, ""),
    ("C09", "县扶贫开发局", T.PARTY_GOVERNMENT, L.COUNTY, ""),
    ("C10", "县委组织部", T.PARTY_GOVERNMENT, L.COUNTY, ""),
    ("C11", "县委老干局", T.PARTY_GOVERNMENT, L.COUNTY, ""),
    ("C12", "县纪委", T.PARTY_GOVERNMENT, L.COUNTY, ""),
    ("C13", "县防灾减灾局", T.PARTY_GOVERNMENT, L.COUNTY, ""),
    ("C14", "县农牧农村和科技局", T.PARTY_GOVERNMENT, L.COUNTY, ""),
    ("C15", "县发改局", T.PARTY_GOVERNMENT, L.COUNTY, ""),
    ("C16", "县住房和城乡建设局", T.PARTY_GOVERNMENT, L.COUNTY, ""),
    ("C17", "县人力资源社会保障局", T.PARTY_GOVERNMENT, L.COUNTY, ""),
    ("C18", "县文化广播影视和旅游局", T.PARTY_GOVERNMENT, L.COUNTY, ""),
    ("C19", "县工商联", T.PEOPLES_ORGANISATION, L.COUNTY, ""),
    ("C20", "县经信局", T.PARTY_GOVERNMENT, L.COUNTY, ""),
    ("C21", "县教育体育局", T.PARTY_GOVERNMENT, L.COUNTY, ""),
    ("C22", "县财政局", T.PARTY_GOVERNMENT, L.COUNTY, ""),
    # East–west cooperation partner (Guangdong) and a "7+20" counterpart.
    ("E01", "广东省佛山市顺德区", T.EAST_PARTNER, L.COUNTY, "广东省佛山市"),
    ("E02", "顺德区北滘镇", T.EAST_PARTNER, L.TOWNSHIP, "广东省佛山市顺德区"),
    ("K01", "成都市锦江区", T.COUNTERPART, L.COUNTY, "四川省成都市"),
    # Enterprises (万企帮万村) and social organisations.
    ("Q01", "格桑牦牛乳业有限公司", T.PRIVATE_ENTERPRISE, L.COUNTY, ""),
    ("Q02", "雪域青稞食品有限公司", T.PRIVATE_ENTERPRISE, L.COUNTY, ""),
    ("Q03", "康巴文旅发展有限公司", T.PRIVATE_ENTERPRISE, L.COUNTY, ""),
    ("Q04", "顺德美的集团扶贫基金会", T.SOCIAL_ORGANISATION, L.OTHER, "广东省佛山市"),
    ("S01", "格桑县慈善会", T.SOCIAL_ORGANISATION, L.COUNTY, ""),
    ("S02", "格桑县青年志愿者协会", T.SOCIAL_ORGANISATION, L.COUNTY, ""),
]


# The plan: the 10 provincial units help 10 registered poor villages with 119 households / 487 people.
# Registry and pairings demo data both follow this table.
PROVINCIAL_UNIT_VILLAGES = {
    "P01": "513325100202",  # 省总工会 → 然布村
    "P02": "513325100203",  # 省机关事务管理局 → 俄洛村
    "P03": "513325100204",  # 旅游学院 → 甲根坝村
    "P04": "513325101201",  # 西南交通大学希望学院 → 拉姆村
    "P05": "513325101202",  # 乐山职业技术学院 → 东珠村
    "P06": "513325200201",  # 成都市第二人民医院 → 卓嘎村
    "P07": "513325200202",  # 成都肛肠专科医院 → 朗卡村
    "P08": "513325201201",  # 民生银行成都分行 → 次仁村
    "P09": "513325201202",  # 省联通公司 → 帕姆村
    "P10": "513325202201",  # 大连银行成都分行 → 白玛村
}
PROVINCIAL_VILLAGE_HOUSEHOLDS = 119
PROVINCIAL_VILLAGE_PEOPLE = 487


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    area_code: str
    organisation_code: str | None
    full_name: str


DEMO_USERS = [
    DemoUser("admin", Role.COUNTY_ADMIN, COUNTY_CODE, "C09", "县扶贫开发局管理员"),
    DemoUser("township", Role.TOWNSHIP_CLERK, "513325100000", "T513325100", "雪岭镇扶贫专干"),
    DemoUser("village", Role.VILLAGE_OFFICER, "513325100202", None, "然布村信息员"),
    DemoUser("unit", Role.UNIT_REPORTER, COUNTY_CODE, "P01", "省总工会联络员"),
    # A lead unit (牵头单位 of 3.5.1, whose responsible units are the townships): it gathers the
    # townships' reports before the office accepts them.
    DemoUser("lead", Role.UNIT_REPORTER, COUNTY_CODE, "C17", "县人社局联络员"),
    DemoUser("inspector", Role.INSPECTOR, COUNTY_CODE, None, "县纪委督导员"),
    DemoUser("supporter", Role.SUPPORTER, COUNTY_CODE, None, "爱心人士"),
]


def demo_password() -> str:
    return os.environ.get("BANGFU_DEMO_PASSWORD") or DEFAULT_PASSWORD


@transaction.atomic
def seed_demo(*, full: bool = True) -> dict[str, int]:
    """Load (or refresh) the demo county. Returns counts of what exists afterwards.

    The base (areas, organisations, demo users) is always loaded; with `full`, every domain app's
    `demo.seed_demo(county)` adds its data too. Tests use the base and seed what they need."""
    load_areas_csv(actor=None, data=(DATA_DIR / "demo-areas.csv").read_bytes())
    county = Area.objects.get(code=COUNTY_CODE)
    for code, name, org_type, level, region in ORGANISATIONS:
        upsert_organisation(
            actor=None,
            county=county,
            code=code,
            name=name,
            org_type=org_type,
            admin_level=level,
            region=region,
            area=county if not region else None,
        )
    # Each township is itself a responsible unit (各乡镇).
    for township in Area.objects.filter(level="township", code__startswith=county.prefix):
        upsert_organisation(
            actor=None,
            county=county,
            code=f"T{township.township_code}",
            name=f"{township.name}人民政府",
            org_type=OrgType.TOWNSHIP,
            admin_level=AdminLevel.TOWNSHIP,
            area=township,
        )
    orgs = {o.code: o for o in Organisation.objects.filter(county=county)}
    areas = {a.code: a for a in Area.objects.filter(code__in=[u.area_code for u in DEMO_USERS])}
    for spec in DEMO_USERS:
        if User.objects.filter(username=spec.username).exists():
            continue
        create_user(
            actor=None,
            username=spec.username,
            password=demo_password(),
            role=spec.role,
            area=areas[spec.area_code],
            organisation=orgs[spec.organisation_code] if spec.organisation_code else None,
            full_name=spec.full_name,
        )
    if full:
        for _label, module in provided("demo"):
            module.seed_demo(county)
    return {
        "areas": Area.objects.filter(code__startswith=county.prefix).count(),
        "organisations": Organisation.objects.filter(county=county).count(),
        "users": User.objects.filter(username__in=[u.username for u in DEMO_USERS]).count(),
    }
