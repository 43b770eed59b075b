"""Demo data: the 2019 扶贫日 campaign fully raised, spent and disclosed; the 2020 one in
preparation (the demo's today is 2020-07-15). Idempotent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from bangfu.accounts.models import Role, User
from bangfu.accounts.services import create_user
from bangfu.areas.models import Area
from bangfu.charity import services
from bangfu.charity.earmarks import GENERAL, earmark_key
from bangfu.charity.models import Campaign, CampaignStatus, EarmarkKind, RecipientKind
from bangfu.partners.models import Organisation

# Two more county-office users, so that spending can be approved by two users other than the
# requester ("admin").
APPROVERS = [
    ("approver-finance", "C22", "县财政局审核员"),
    ("approver-office", "C01", "县脱贫办审核员"),
]

# (receipt, kind, name, uscc, amount, date, channel, publish, goods, earmark, village, household, project)
DONATIONS_2019 = [
    (
        "FPR2019-0001",
        "organisation",
        "格桑牦牛乳业有限公司",
        "91513325MA62A0001",
        "50000.00",
        "2019-10-12",
        "bank",
        True,
        "",
        "none",
        "",
        "",
        "",
    ),
    (
        "FPR2019-0002",
        "organisation",
        "雪域青稞食品有限公司",
        "91513325MA62B0002",
        "30000.00",
        "2019-10-15",
        "bank",
        True,
        "",
        "village",
        "513325100202",
        "",
        "",
    ),
    (
        "FPR2019-0003",
        "organisation",
        "民生银行成都分行",
        "91510100MA61C0003",
        "80000.00",
        "2019-10-17",
        "bank",
        True,
        "",
        "project",
        "",
        "",
        "然布村牦牛养殖合作社",
    ),
    (
        "FPR2019-0004",
        "organisation",
        "康巴文旅发展有限公司",
        "91513325MA62D0004",
        "12000.00",
        "2019-10-17",
        "onsite",
        True,
        "冬衣200套",
        "none",
        "",
        "",
        "",
    ),
    (
        "FPR2019-0005",
        "person",
        "欧阳明远",
        "",
        "2000.00",
        "2019-10-17",
        "platform",
        True,
        "",
        "none",
        "",
        "",
        "",
    ),
    (
        "FPR2019-0006",
        "person",
        "赵淑芬",
        "",
        "500.00",
        "2019-10-17",
        "platform",
        False,
        "",
        "none",
        "",
        "",
        "",
    ),
    (
        "FPR2019-0007",
        "person",
        "孙立新",
        "",
        "3000.00",
        "2019-10-18",
        "bank",
        False,
        "",
        "household",
        "513325100203",
        "5133251002030107",
        "",
    ),
    (
        "FPR2019-0008",
        "organisation",
        "格桑县慈善会",
        "51513325MJ6E00088",
        "20000.00",
        "2019-10-20",
        "bank",
        True,
        "",
        "none",
        "",
        "",
        "",
    ),
]


def _valid_uscc(first17: str) -> str:
    from stdnum.cn import uscc

    return first17 + uscc.calc_check_digit(first17)


@contextmanager
def as_of(day: date) -> Iterator[None]:
    """Record historical demo data as on `day` (the services date-check against the one clock)."""
    previous = getattr(settings, "BANGFU_TODAY", None)
    settings.BANGFU_TODAY = day
    try:
        yield
    finally:
        settings.BANGFU_TODAY = previous


def _approvers(county: Area) -> list[User]:
    users = []
    for username, org_code, full_name in APPROVERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            from bangfu.core.demo import demo_password

            user = create_user(
                actor=None,
                username=username,
                password=demo_password(),
                role=Role.COUNTY_ADMIN,
                area=county,
                organisation=Organisation.objects.get(county=county, code=org_code),
                full_name=full_name,
            )
        users.append(user)
    return users


@transaction.atomic
def seed_demo(county: Area) -> None:
    code = county.county_code
    if Campaign.objects.filter(code=f"{code}-2019").exists():
        return
    admin = User.objects.get(username="admin")
    approvers = _approvers(county)
    organiser = Organisation.objects.get(county=county, code="C09")
    with as_of(date(2019, 11, 28)):
        c2019 = services.create_campaign(
            actor=admin,
            county=county,
            year=2019,
            name="2019年扶贫日爱心捐赠活动",
            organiser=organiser,
            starts_on=date(2019, 9, 20),
            ends_on=date(2019, 10, 31),
            target=Decimal("200000.00"),
            description="以10月17日扶贫日为契机，动员社会各界自愿捐赠。",
        )
        services.change_campaign_status(actor=admin, campaign=c2019, status=CampaignStatus.OPEN)
        for row in DONATIONS_2019:
            (
                receipt,
                kind,
                name,
                uscc_base,
                amount,
                day,
                channel,
                publish,
                goods,
                ek,
                village,
                household,
                project,
            ) = row
            services.record_donation(
                actor=admin,
                campaign=c2019,
                data=services.DonationInput(
                    receipt_number=receipt,
                    donor_kind=kind,
                    donor_name=name,
                    donor_uscc=_valid_uscc(uscc_base) if uscc_base else "",
                    amount=amount,
                    donated_on=day,
                    channel=channel,
                    publish_name=publish,
                    kind="goods" if goods else "money",
                    goods_description=goods,
                    earmark_kind=ek,
                    earmark_village=village,
                    earmark_household=household,
                    earmark_project=project,
                ),
            )
        services.change_campaign_status(actor=admin, campaign=c2019, status=CampaignStatus.CLOSED)
        ranbu = Area.objects.get(code="513325100202")
        eluo = Area.objects.get(code="513325100203")
        plans = [
            (GENERAL, RecipientKind.VILLAGE, ranbu, "", "", "然布村饮水管网维修", "40000.00"),
            (
                earmark_key(EarmarkKind.VILLAGE, village=ranbu),
                RecipientKind.VILLAGE,
                ranbu,
                "",
                "",
                "然布村村道路灯",
                "30000.00",
            ),
            (
                "project:然布村牦牛养殖合作社",
                RecipientKind.PROJECT,
                ranbu,
                "",
                "然布村牦牛养殖合作社",
                "合作社种畜采购",
                "60000.00",
            ),
            (
                earmark_key(EarmarkKind.HOUSEHOLD, village=eluo, household="5133251002030107"),
                RecipientKind.HOUSEHOLD,
                eluo,
                "5133251002030107",
                "",
                "危房改造补助",
                "3000.00",
            ),
        ]
        for key, kind, area, household, project, purpose, amount in plans:
            spending = services.request_spending(
                actor=admin,
                campaign=c2019,
                earmark=key,
                recipient_kind=kind,
                village=area,
                household=household,
                project=project,
                purpose=purpose,
                amount=Decimal(amount),
            )
            for approver in approvers:
                services.decide_spending(actor=approver, spending=spending, approve=True, comment="同意")
        services.change_campaign_status(actor=admin, campaign=c2019, status=CampaignStatus.DISCLOSED)
    services.create_campaign(
        actor=admin,
        county=county,
        year=2020,
        name="2020年扶贫日爱心捐赠活动",
        organiser=organiser,
        starts_on=date(2020, 9, 21),
        ends_on=date(2020, 10, 31),
        target=Decimal("300000.00"),
        description="三季度制定印发2020年扶贫日系列活动方案，四季度推进扶贫日系列活动。",
    )
