"""Realistic synthetic registry exports (`bangfu make-sample-registry`, the demo, the benchmark).

Every ID number is valid for the county's address code; ages fit the relation to the head;
schooling follows age (including 中职 and 高职高专 students); some households have exited, a few
are monitored. Deterministic for a given seed.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bangfu.lib import sheets
from bangfu.lib.idnumbers import check_character
from bangfu.registry.importer import EXPORT_COLUMNS

GIVEN = (
    "扎西", "卓玛", "次仁", "拉姆", "格桑", "央金", "多吉", "白玛", "尼玛", "达瓦", "泽仁", "曲珍",
    "洛绒", "德吉", "益西", "措姆", "贡布", "巴桑", "旺姆", "平措", "仁青", "斯朗", "降措", "卓嘎",
)  # fmt: skip
HAN_SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴")
HAN_GIVEN = ("建国", "秀英", "志强", "桂兰", "明", "芳", "伟", "敏", "军", "丽", "勇", "霞", "杰", "娟")
CAUSES = (
    "因病",
    "因残",
    "因学",
    "缺技术",
    "缺资金",
    "缺劳力",
    "交通条件落后",
    "缺土地",
    "自身发展动力不足",
    "因灾",
)
ATTRIBUTES = ("一般贫困户", "一般贫困户", "一般贫困户", "低保贫困户", "低保贫困户", "特困供养贫困户")
EDUCATION_ADULT = ("文盲或半文盲", "文盲或半文盲", "小学", "小学", "初中", "高中")
HEALTH = ("健康", "健康", "健康", "健康", "长期慢性病", "患有大病", "残疾")
MONITORING = ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")


@dataclass(frozen=True)
class VillageSpec:
    county: str
    township: str
    village: str
    code: str  # 12-digit village code (household numbers start with it)


def _schooling(age: int, rng: random.Random) -> str:
    if age < 3:
        return ""
    if age <= 5:
        return rng.choice(("学龄前儿童", "学前教育", "学前教育"))
    if age <= 11:
        return "小学"
    if age <= 14:
        return ("七年级", "八年级", "九年级")[age - 12]
    if age <= 17:
        year = ("一", "二", "三")[age - 15]
        roll = rng.random()
        if roll < 0.35:
            return f"中职{year}年级"
        if roll < 0.85:
            return f"普通高中{year}年级"
        return ""
    if age <= 21:
        roll = rng.random()
        if roll < 0.25:
            return f"高职高专{('一', '二', '三')[min(age - 18, 2)]}年级"
        if roll < 0.35:
            return "本科生"
        return ""
    return ""


class _Ids:
    def __init__(self, address_code: str, rng: random.Random) -> None:
        self.address_code = address_code
        self.rng = rng
        self.used: set[str] = set()

    def make(self, born: date, male: bool) -> str:
        while True:
            seq = self.rng.randrange(0, 500) * 2 + (1 if male else 0)
            first17 = f"{self.address_code}{born:%Y%m%d}{seq:03d}"
            if first17 not in self.used:
                self.used.add(first17)
                return first17 + check_character(first17)


def _sizes(households: int, people: int | None, rng: random.Random) -> list[int]:
    sizes = [rng.choice((1, 2, 3, 3, 4, 4, 4, 5, 5, 6, 7)) for _ in range(households)]
    if people is None:
        return sizes
    if not households <= people <= households * 9:
        raise ValueError("people must lie between households and 9 × households")
    while sum(sizes) != people:
        i = rng.randrange(households)
        if sum(sizes) < people and sizes[i] < 9:
            sizes[i] += 1
        elif sum(sizes) > people and sizes[i] > 1:
            sizes[i] -= 1
    return sizes


def generate_rows(
    villages: Sequence[VillageSpec],
    *,
    households: int,
    people: int | None = None,
    seed: int = 2020,
    reference: date = date(2020, 3, 1),
    address_code: str | None = None,
    start_number: int = 1,
    used_ids: set[str] | None = None,
) -> list[dict[str, str]]:
    """Rows (column key → text) for `households` households spread over `villages`; exactly
    `people` members when given."""
    from bangfu.areas.models import county_code_of

    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, not secrets
    ids = _Ids(address_code or county_code_of(villages[0].code), rng)
    if used_ids is not None:
        ids.used = used_ids  # shared across calls, so several batches never repeat an ID
    rows: list[dict[str, str]] = []
    for h, size in enumerate(_sizes(households, people, rng)):
        village = villages[h % len(villages)]
        number = f"{village.code}{start_number + h:05d}"
        tibetan = rng.random() < 0.85
        exited = rng.random() < 0.6
        monitored = rng.random() < 0.06
        causes = rng.sample(CAUSES, 3)
        income = rng.randrange(9000, 60000)
        household = {
            "county": village.county,
            "township": village.township,
            "village": village.village,
            "household_number": number,
            "household_size": str(size),
            "exit_flag": "已脱贫" if exited else "未脱贫",
            "exit_year": str(rng.choice((2016, 2017, 2018, 2019))) if exited else "",
            "attribute": rng.choice(ATTRIBUTES),
            "main_cause": causes[0],
            "other_causes": "、".join(causes[1:]) if rng.random() < 0.5 else "",
            "monitoring_category": rng.choice(MONITORING) if monitored else "",
            "annual_income": f"{income}.00",
            "net_income": f"{income * 8 // 10}.00",
            "per_capita_net_income": f"{income * 8 // 10 / size:.2f}",
            "household_phone": f"1{rng.choice('35789')}{rng.randrange(10**8, 10**9)}",
        }
        head_age = rng.randrange(28, 76)
        members: list[tuple[str, int, bool]] = [("户主", head_age, rng.random() < 0.7)]
        if size >= 2:
            members.append(("配偶", max(20, head_age + rng.randrange(-6, 4)), not members[0][2]))
        while len(members) < size:
            if head_age > 55 and rng.random() < 0.4:
                male = rng.random() < 0.5
                members.append(("之孙子" if male else "之孙女", rng.randrange(1, 19), male))
            elif head_age < 55 and rng.random() < 0.12:
                male = rng.random() < 0.5
                members.append(("之父" if male else "之母", min(95, head_age + rng.randrange(22, 32)), male))
            else:
                male = rng.random() < 0.5
                child_age = max(0, head_age - rng.randrange(20, 36))
                members.append(("之子" if male else "之女", child_age, male))
        for m, (relation, age, male) in enumerate(members, start=1):
            born = reference - timedelta(days=age * 365 + rng.randrange(0, 365))
            if tibetan:
                name = rng.choice(GIVEN) + rng.choice(GIVEN)
            else:
                name = rng.choice(HAN_SURNAMES) + rng.choice(HAN_GIVEN)
            adult = age >= 22
            rows.append(
                {
                    **household,
                    "member_number": f"{number}{m:02d}",
                    "name": name,
                    "id_type": "居民身份证",
                    "id_number": ids.make(born, male),
                    "relation": relation,
                    "ethnicity": "藏族" if tibetan else "汉族",
                    "education": rng.choice(EDUCATION_ADULT) if adult else ("" if age < 6 else "小学"),
                    "schooling": _schooling(age, rng),
                    "health": rng.choice(HEALTH),
                    "labour_skill": ("普通劳动力" if rng.random() < 0.8 else "技能劳动力")
                    if 18 <= age < 60
                    else ("无劳动力" if age < 16 else "弱劳动力或半劳动力"),
                    "member_phone": f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}" if adult else "",
                }
            )
    return rows


def write_xlsx(
    rows: Sequence[dict[str, Any]], out: Path | str | io.BytesIO, *, title: str | None = None
) -> None:
    """An export-like workbook: an optional merged title row, then the header and one row per person
    (text as text, through `bangfu.lib.sheets`)."""
    keys = [key for key, _label in EXPORT_COLUMNS]
    sheets.write_table(
        out,
        sheet_name="人员信息",
        header=[label for _key, label in EXPORT_COLUMNS],
        rows=([row.get(key, "") for key in keys] for row in rows),
        title=title,
    )


def write_csv(rows: Sequence[dict[str, Any]], *, encoding: str = "utf-8") -> bytes:
    keys = [key for key, _label in EXPORT_COLUMNS]
    return sheets.write_csv(
        [[label for _key, label in EXPORT_COLUMNS], *([row.get(key, "") for key in keys] for row in rows)],
        encoding=encoding,
    )
