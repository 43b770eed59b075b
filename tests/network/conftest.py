"""Network fixtures on the demo county: a verified supporter, a village officer, a product."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import TestCase

from bangfu.accounts.models import Role, User
from bangfu.accounts.services import create_user
from bangfu.areas.models import Area
from bangfu.network import services
from bangfu.network.models import Product, Supporter
from bangfu.network.verification import MemoryBackend
from tests.conftest import PASSWORD

COUNTY = "513325000000"
VILLAGE = "513325100202"  # 然布村, in 雪岭镇 (the township clerk's township)
OTHER_VILLAGE = "513325200201"  # 卓嘎村, in 扎西乡
VALID_USCC = "91513325MA6200001M"


@pytest.fixture(autouse=True)
def memory_verification(settings):
    settings.BANGFU_NETWORK_VERIFICATION_BACKEND = "bangfu.network.verification.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


@pytest.fixture
def county(demo) -> Area:
    return Area.objects.get(code=COUNTY)


def register(
    county: Area, mobile: str, *, kind: str = "person", name: str = "张爱心", uscc: str = "", code: str = ""
):
    return services.register_supporter(
        actor=None,
        county=county,
        kind=kind,
        name=name,
        mobile=mobile,
        password=PASSWORD,
        uscc=uscc,
        invitation_code=code,
    )


def send_code(supporter: Supporter) -> str:
    """Send a code and return it (the backend runs on commit; tests run inside a transaction)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.send_verification_code(actor=supporter.user, supporter=supporter)
    return MemoryBackend.outbox[-1][1]


def verify(supporter: Supporter) -> Supporter:
    send_code(supporter)
    code = MemoryBackend.outbox[-1][1]
    return services.verify_mobile(actor=supporter.user, supporter=supporter, code=code)


@pytest.fixture
def supporter(county) -> Supporter:
    return verify(register(county, "13800000001"))


@pytest.fixture
def org_supporter(county) -> Supporter:
    return verify(
        register(county, "13800000002", kind="organisation", name="爱心企业有限公司", uscc=VALID_USCC)
    )


@pytest.fixture
def village_officer(demo) -> User:
    return User.objects.get(username="village")


@pytest.fixture
def other_village_officer(demo) -> User:
    return create_user(
        actor=None,
        username="officer-zhuoga",
        password=PASSWORD,
        role=Role.VILLAGE_OFFICER,
        area=Area.objects.get(code=OTHER_VILLAGE),
    )


@pytest.fixture
def product(county_admin) -> Product:
    return services.create_product(
        actor=county_admin,
        village=Area.objects.get(code=VILLAGE),
        name="牦牛肉干",
        producer_kind="cooperative",
        producer_name="然布村牦牛养殖合作社",
        price=Decimal("68.00"),
        unit="袋",
        stock=10,
        certified=True,
        certificate_number="CPFP-2020-0001",
    )


def make_product_and_buyers(*, stock: int, buyers: int) -> tuple[Product, list[User]]:
    """For transaction=True tests (no fixtures that rely on the test transaction)."""
    admin = User.objects.get(username="admin")
    county = Area.objects.get(code=COUNTY)
    product = services.create_product(
        actor=admin,
        village=Area.objects.get(code=VILLAGE),
        name="松茸",
        producer_kind="cooperative",
        producer_name="然布村合作社",
        price=Decimal("100.00"),
        unit="斤",
        stock=stock,
    )
    users = []
    for i in range(buyers):
        s = register(county, f"1370000{i:04d}")
        services.mark_mobile_verified(actor=admin, supporter=s, reason="电话回访")
        users.append(s.user)
    return product, users


HEAD_NAME = "扎西顿珠"
HEAD_ID = "513325198001010011"


def make_household(number: str, village_code: str, *, head: str = HEAD_NAME, id_number: str = HEAD_ID):
    """A registered household with its head (tests write the registry directly, as its own tests do)."""
    from bangfu.lib import idnumbers
    from bangfu.lib.crypto import blind_index, encrypt_text
    from bangfu.registry.models import Household, Member

    village = Area.objects.get(code=village_code)
    household = Household.objects.create(
        county=Area.objects.get(code=COUNTY),
        village=village,
        number=number,
        phone_encrypted=encrypt_text("13512345678"),
        phone_masked="135****5678",
    )
    Member.objects.create(
        household=household,
        county=household.county,
        village=village,
        name=head,
        id_number_encrypted=encrypt_text(id_number),
        id_number_index=blind_index(id_number, purpose="id_number"),
        id_number_masked=idnumbers.mask(id_number),
        relation="户主",
    )
    return household


@pytest.fixture
def household(demo):
    return make_household("5133251002020001", VILLAGE)


@pytest.fixture
def other_household(demo):
    return make_household("5133252002010001", OTHER_VILLAGE, head="次仁卓玛", id_number="513325198502020023")


def post_need(officer: User, household, **overrides):
    from datetime import timedelta

    from bangfu.lib import clock

    data = {
        "category": "education",
        "title": "初中生学习用品",
        "description": "一名初二学生需要书包、文具和冬季校服。",
        "quantity": "1套",
        "deadline": clock.today() + timedelta(days=60),
    }
    data.update(overrides)
    return services.post_need(actor=officer, household=household, **data)


@pytest.fixture
def published_need(household, village_officer, township_clerk):
    need = post_need(village_officer, household)
    return services.review_need(actor=township_clerk, need=need, approve=True)
