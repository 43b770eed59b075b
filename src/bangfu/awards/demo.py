"""Demo data: the 2019 selection published; the 2020 one taking nominations (the demo's today is
2020-07-15; the plan: campaign plan in Q3, results in Q4). Idempotent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from bangfu.accounts.models import User
from bangfu.areas.models import Area
from bangfu.awards import services
from bangfu.awards.models import AwardRound, Category, Nomination, RoundStatus
from bangfu.charity.demo import _approvers, as_of

NOMINATIONS_2019 = [
    # (type index, nominee, unit, achievements, score by reviewer 1, 2)
    (0, "雪岭镇然布村村民委员会", "", "带领全村发展牦牛养殖合作社，2019年整村脱贫。", "92", "90"),
    (0, "省总工会驻格桑县帮扶工作队", "省总工会", "定点帮扶然布村，引进资金修建村道和饮水工程。", "88", "91"),
    (0, "扎西乡卓嘎村村民委员会", "", "组织村民参加技能培训，劳务输出人数翻番。", "80", "78"),
    (1, "罗布顿珠", "格桑县扶贫开发局", "常年驻村，建立贫困户动态管理台账。", "95", "93"),
    (1, "李文华", "成都市第二人民医院", "开展巡回义诊二十余次，帮助建立村卫生室。", "85", "87"),
]


@transaction.atomic
def seed_demo(county: Area) -> None:
    code = county.county_code
    if AwardRound.objects.filter(code=f"{code}-2019").exists():
        return
    admin = User.objects.get(username="admin")
    unit = User.objects.get(username="unit")
    reviewers = _approvers(county)
    with as_of(date(2019, 8, 1)):
        r2019 = services.create_round(
            actor=admin,
            county=county,
            year=2019,
            title="2019年度脱贫攻坚先进集体和先进个人评选",
            nomination_deadline=date(2019, 9, 15),
            publicity_days=7,
        )
        types = [
            services.add_award_type(
                actor=admin, award_round=r2019, name="脱贫攻坚先进集体", category=Category.COLLECTIVE, quota=2
            ),
            services.add_award_type(
                actor=admin, award_round=r2019, name="脱贫攻坚先进个人", category=Category.INDIVIDUAL, quota=1
            ),
        ]
        for reviewer in reviewers:
            services.add_panel_member(actor=admin, award_round=r2019, user=reviewer)
        services.advance_round(actor=admin, award_round=r2019, status=RoundStatus.NOMINATING)
        nominations = []
        for index, nominee, unit_name, achievements, _s1, _s2 in NOMINATIONS_2019:
            nominations.append(
                services.nominate(
                    actor=unit,
                    award_type=types[index],
                    nominee_name=nominee,
                    nominee_unit=unit_name,
                    achievements=achievements,
                )
            )
    with as_of(date(2019, 9, 20)):
        services.advance_round(actor=admin, award_round=r2019, status=RoundStatus.REVIEWING)
        for nomination in nominations:
            services.review_eligibility(actor=admin, nomination=nomination, eligible=True, note="符合条件")
        services.advance_round(actor=admin, award_round=r2019, status=RoundStatus.SCORING)
        for nomination, row in zip(nominations, NOMINATIONS_2019, strict=True):
            for reviewer, score in zip(reviewers, row[4:], strict=True):
                services.score_nomination(actor=reviewer, nomination=nomination, score=Decimal(score))
    with as_of(date(2019, 10, 8)):
        services.advance_round(actor=admin, award_round=r2019, status=RoundStatus.PUBLICITY)
        objection = services.submit_objection(
            nomination=Nomination.objects.get(pk=nominations[3].pk),
            text="该同志事迹材料中的驻村天数与考勤记录不一致，请核实。",
        )
        services.answer_objection(
            actor=admin,
            objection=objection,
            answer="经核实，驻村天数以县委组织部考勤为准，事迹属实。",
            upheld=False,
        )
    with as_of(date(2019, 10, 16)):
        services.advance_round(actor=admin, award_round=r2019, status=RoundStatus.FINAL)

    r2020 = services.create_round(
        actor=admin,
        county=county,
        year=2020,
        title="2020年度脱贫攻坚先进集体和先进个人评选",
        nomination_deadline=date(2020, 8, 31),
        publicity_days=7,
    )
    collective = services.add_award_type(
        actor=admin, award_round=r2020, name="脱贫攻坚先进集体", category=Category.COLLECTIVE, quota=3
    )
    services.add_award_type(
        actor=admin, award_round=r2020, name="脱贫攻坚先进个人", category=Category.INDIVIDUAL, quota=5
    )
    for reviewer in reviewers:
        services.add_panel_member(actor=admin, award_round=r2020, user=reviewer)
    with as_of(date(2020, 7, 15)):
        services.advance_round(actor=admin, award_round=r2020, status=RoundStatus.NOMINATING)
        services.nominate(
            actor=unit,
            award_type=collective,
            nominee_name="雪岭镇俄洛村村民委员会",
            nominee_unit="",
            achievements="村集体经济收入突破10万元，建成青稞加工坊。",
        )
