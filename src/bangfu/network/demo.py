"""Demo data of the social assistance network, inside the plan year (the demo's today is
2020-07-15). Idempotent: each part is skipped once it exists. Everything goes through the services,
with the one clock moved to the day each event happened."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.test.utils import override_settings

from bangfu.accounts.models import User
from bangfu.areas.models import Area
from bangfu.network import services
from bangfu.network.models import Invitation, Need, NetworkSettings, Order, OrderStatus, Product, Supporter
from bangfu.partners.models import Organisation

PASSWORD = "bangfu-demo-supporter"
# (name, village code, producer kind, producer, price, unit, stock, certificate number or "")
PRODUCTS = [
    (
        "牦牛肉干",
        "513325100202",
        "cooperative",
        "然布村牦牛养殖专业合作社",
        "68.00",
        "袋",
        300,
        "SC-2020-0101",
    ),
    ("青稞挂面", "513325101201", "enterprise", "雪域青稞食品有限公司", "15.80", "袋", 800, "SC-2020-0102"),
    ("高原蜂蜜", "513325200201", "household", "卓嘎村建档立卡户", "88.00", "瓶", 60, ""),
    (
        "野生松茸（冻）",
        "513325201201",
        "cooperative",
        "次仁村松茸专业合作社",
        "198.00",
        "斤",
        120,
        "SC-2020-0103",
    ),
    ("牦牛酸奶", "513325100203", "enterprise", "格桑牦牛乳业有限公司", "9.90", "杯", 1000, "SC-2020-0104"),
    ("藏香猪腊肉", "513325202201", "household", "白玛村建档立卡户", "76.00", "斤", 40, ""),
]
# Registrations per month of 2020 (January … July), and which unit codes promoted them.
MONTHLY_REGISTRATIONS = [3, 2, 6, 8, 7, 9, 5]
PROMOTING_UNITS = ["P01", "C09", "Q01", "S02", "C19", None]
NEEDS = [
    ("education", "初中生学习用品与冬季校服", "1套", None),
    ("medical", "慢性病患者康复轮椅", "1台", None),
    ("housing", "危房改造屋顶防水材料", "", "3000.00"),
    ("industry", "养殖户购买优质种羊", "5只", None),
    ("employment", "外出务工岗位信息与路费", "", "500.00"),
    ("training", "挖掘机操作技能培训名额", "1人", None),
    ("necessities", "冬季棉被和电热毯", "2套", None),
]


def seed_demo(county: Area) -> None:
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        return
    if not NetworkSettings.objects.filter(county=county).exists():
        services.update_network_settings(actor=admin, county=county, baseline_registrations=25, claim_days=14)
    if not Invitation.objects.filter(county=county).exists():
        services.issue_invitations(actor=admin, county=county)
    _supporters(county, admin)
    _products_and_orders(county, admin)
    _needs(county)


def _supporters(county: Area, admin: User) -> None:
    demo_user = User.objects.filter(username="supporter").first()
    if demo_user is not None and not Supporter.objects.filter(user=demo_user).exists():
        services.attach_supporter_profile(
            actor=admin, user=demo_user, kind="person", name="爱心人士", mobile="13900001000", verified=True
        )
    if Supporter.objects.filter(county=county, mobile__startswith="1390000").count() > 1:
        return
    codes = dict(Invitation.objects.filter(county=county).values_list("organisation__code", "code"))
    n = 0
    for month, count in enumerate(MONTHLY_REGISTRATIONS, start=1):
        for i in range(count):
            n += 1
            unit = PROMOTING_UNITS[n % len(PROMOTING_UNITS)]
            with override_settings(BANGFU_TODAY=date(2020, month, 1 + (i * 3) % 27)):
                kind = "organisation" if n % 9 == 0 else "person"
                supporter = services.register_supporter(
                    actor=None,
                    county=county,
                    kind=kind,
                    name=f"爱心企业{n:02d}有限公司" if kind == "organisation" else f"爱心人士{n:02d}",
                    mobile=f"1390000{n:04d}",
                    password=PASSWORD,
                    uscc=_demo_uscc(n) if kind == "organisation" else "",
                    invitation_code=codes.get(unit, "") if unit else "",
                )
                services.mark_mobile_verified(
                    actor=admin, supporter=supporter, reason="演示数据：电话回访核实"
                )


def _demo_uscc(n: int) -> str:
    from stdnum.cn import uscc

    base = f"91513325MA62{n:05d}"
    return base + uscc.calc_check_digit(base)


def _products_and_orders(county: Area, admin: User) -> None:
    if not Product.objects.filter(county=county).exists():
        with override_settings(BANGFU_TODAY=date(2020, 1, 10)):
            for name, village, kind, producer, price, unit, stock, cert in PRODUCTS:
                services.create_product(
                    actor=admin,
                    village=Area.objects.get(code=village),
                    name=name,
                    producer_kind=kind,
                    producer_name=producer,
                    producer_organisation=Organisation.objects.filter(county=county, name=producer).first(),
                    price=Decimal(price),
                    unit=unit,
                    stock=stock,
                    certified=bool(cert),
                    certificate_number=cert,
                    description=f"{name}，产自格桑县贫困村。",
                )
    if Order.objects.filter(county=county).exists():
        return
    products = list(Product.objects.filter(county=county).order_by("id"))
    buyers = list(
        User.objects.filter(supporter__county=county, supporter__mobile_verified_at__isnull=False).order_by(
            "id"
        )[:12]
    )
    unit_user = User.objects.filter(username="unit").first()
    if unit_user is not None:
        buyers.append(unit_user)
    day = date(2020, 2, 3)
    for i, buyer in enumerate(buyers * 2):
        product = products[i % len(products)]
        with override_settings(BANGFU_TODAY=day):
            order = services.place_order(
                actor=buyer,
                product=product,
                quantity=1 + i % 4 if buyer.role == "supporter" else 20,
                delivery_address="四川省成都市" if buyer.role == "supporter" else "格桑县机关食堂",
                payment_reference=f"BANK-2020-{i:04d}",
            )
            if i % 7 == 6:
                services.transition_order(
                    actor=admin, order=order, to=OrderStatus.CANCELLED, reason="库存调整"
                )
            elif i % 3 != 2:
                services.transition_order(actor=admin, order=order, to=OrderStatus.CONFIRMED)
                services.transition_order(actor=admin, order=order, to=OrderStatus.SHIPPED)
                if i % 2 == 0:
                    services.transition_order(actor=buyer, order=order, to=OrderStatus.RECEIVED)
        day += timedelta(days=6)


def _needs(county: Area) -> None:
    """Needs need registered households (the registry's demo data) and the demo village officer."""
    from bangfu.registry.models import Household

    officer = User.objects.filter(username="village").first()
    clerk = User.objects.filter(username="township").first()
    if officer is None or clerk is None or Need.objects.filter(county=county).exists():
        return
    households = list(
        Household.objects.filter(village=officer.area, active=True).order_by("number")[: len(NEEDS)]
    )
    if not households:
        return
    supporters = list(
        Supporter.objects.filter(county=county, mobile_verified_at__isnull=False).select_related("user")[:4]
    )
    for i, (category, title, quantity, amount) in enumerate(NEEDS):
        household = households[i % len(households)]
        with override_settings(BANGFU_TODAY=date(2020, 3 + i % 4, 5)):
            need = services.post_need(
                actor=officer,
                household=household,
                category=category,
                title=title,
                quantity=quantity,
                amount=Decimal(amount) if amount else None,
                deadline=date(2020, 12, 31),
            )
            if i == len(NEEDS) - 1:
                continue  # one waits for the township's review
            services.review_need(actor=clerk, need=need, approve=True)
            if i < 2:  # matched and fulfilled
                claim = services.claim_need(actor=supporters[i].user, need=need)
                services.deliver_claim(actor=supporters[i].user, claim=claim, note="物资已送到村委会")
                services.confirm_claim(actor=officer, claim=claim, note="已交到户，户主签收")
        if 2 <= i < len(supporters):  # claimed a few days before the demo's today: still open
            with override_settings(BANGFU_TODAY=date(2020, 7, 10)):
                services.claim_need(actor=supporters[i].user, need=need)
