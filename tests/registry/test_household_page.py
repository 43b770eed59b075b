"""The household page (issue #17): titled by the head's name, with its members (IDs masked), the
pairing cadre and their visits, the subsidies received, the needs posted and the change history —
each read through its own app's selector in the viewer's scope; and pairing lists that name the
paired household by its head."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from bangfu.accounts.models import User
from bangfu.lib.crypto import decrypt_text
from bangfu.lib.idnumbers import mask_name
from bangfu.network.models import Need
from bangfu.partners.models import KinshipVisit, Pairing, PairingKind
from bangfu.registry.models import Household, Member, RegistryChange, Schooling
from bangfu.registry.selectors import households_for_user
from bangfu.registry.services import ID_CONTEXT
from bangfu.subsidies.models import TechnicianFunding, YuluPayment

TODAY = date(2020, 7, 15)
VILLAGE = "513325100202"  # 然布村, the demo village officer's


@pytest.fixture
def today(full_demo_today):
    return full_demo_today


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _page(client: Client, household: Household) -> str:
    response = client.get(reverse("registry:household_detail", args=[household.number]))
    assert response.status_code == 200
    return response.content.decode()


def _head(household: Household) -> Member:
    return household.members.get(relation="户主")


def _section(page: str, anchor: str) -> str:
    match = re.search(rf'<section class="panel" id="{anchor}">(.*?)</section>', page, re.S)
    assert match, anchor
    return match.group(1)


def test_the_page_is_titled_by_the_head_and_shows_every_section(today):
    admin = _client("admin")
    visit = KinshipVisit.objects.select_related("household", "cadre").order_by("-date").first()
    assert visit is not None, "the demo records kinship visits"
    page = _page(admin, visit.household)
    head = _head(visit.household)
    assert re.search(rf"<h1>{head.name}户</h1>", page)
    assert f"<title>{head.name}户" in page
    assert visit.cadre.name in _section(page, "helpers")
    visits = _section(page, "visits")
    day = visit.date
    assert visit.cadre.name in visits and f"{day.year}年{day.month}月{day.day}日" in visits
    for member in visit.household.members.all():
        assert member.name in _section(page, "members")

    payment = YuluPayment.objects.select_related("household", "member").first()
    assert payment is not None, "the demo pays Yulu subsidies"
    subsidies = _section(_page(admin, payment.household), "subsidies")
    assert payment.member.name in subsidies and "雨露计划" in subsidies
    assert f"{payment.amount:,.2f}" in subsidies and str(payment.term) in subsidies

    funding = TechnicianFunding.objects.select_related("enrolment__household").first()
    if funding is not None:
        subsidies = _section(_page(admin, funding.enrolment.household), "subsidies")
        assert "百工技师工程" in subsidies and funding.term_code not in subsidies

    need = Need.objects.select_related("household").first()
    assert need is not None, "the demo posts needs"
    needs = _section(_page(admin, need.household), "needs")
    assert need.title in needs and need.get_status_display() in needs

    change = RegistryChange.objects.filter(field="schooling").select_related("household").first()
    assert change is not None, "the demo's June update changes schooling"
    history = _section(_page(admin, change.household), "history")
    assert "在校生状况" in history and ">schooling<" not in history
    if change.new_value:  # a code such as sec_voc_1 reads 中职一年级
        assert str(Schooling(change.new_value).label) in history and change.new_value not in history


def test_sections_without_records_say_so(today):
    quiet = (
        Household.objects.all()
        .exclude(pk__in=KinshipVisit.objects.values("household_id"))
        .exclude(pk__in=YuluPayment.objects.values("household_id"))
        .exclude(pk__in=Need.objects.values("household_id"))
        .first()
    )
    assert quiet is not None
    page = _page(_client("admin"), quiet)
    assert "尚无结对干部走访记录。" in page and "尚无资助发放记录。" in page and "尚无发布的需求。" in page


def test_an_out_of_scope_viewer_gets_404(today):
    other = Household.objects.exclude(village__code=VILLAGE).first()
    own = Household.objects.filter(village__code=VILLAGE).first()
    village = _client("village")
    assert village.get(reverse("registry:household_detail", args=[own.number])).status_code == 200
    assert village.get(reverse("registry:household_detail", args=[other.number])).status_code == 404
    township = _client("township")  # 雪岭镇
    elsewhere = Household.objects.exclude(village__code__startswith="513325100").first()
    assert township.get(reverse("registry:household_detail", args=[elsewhere.number])).status_code == 404
    for username in ("unit", "supporter"):
        response = _client(username).get(reverse("registry:household_detail", args=[own.number]))
        assert response.status_code in (403, 404)


@pytest.mark.parametrize("username", ["admin", "township", "village", "inspector"])
def test_no_unmasked_id_number_on_the_page(today, username):
    """Every section together: the members' full ID numbers never appear (the audited reveal is
    the only way), whoever reads the page."""
    user = User.objects.get(username=username)
    scoped = households_for_user(user)
    households = [
        scoped.filter(pk__in=KinshipVisit.objects.values("household_id")).first(),
        scoped.filter(pk__in=YuluPayment.objects.values("household_id")).first(),
        scoped.filter(pk__in=Need.objects.values("household_id")).first(),
    ]
    assert households[0] is not None
    client = _client(username)
    for household in filter(None, households):
        page = _page(client, household)
        for member in household.members.all():
            full = decrypt_text(member.id_number_encrypted, context=ID_CONTEXT)
            assert full not in page
            assert member.id_number_masked in page


def test_every_table_scrolls_in_its_own_box(today):
    """At 390 px the page keeps to the screen: each table sits in a .table-scroll box."""
    visit = KinshipVisit.objects.filter(household__village__code=VILLAGE).select_related("household").first()
    page = _page(_client("village"), visit.household)
    main = page.split("<main", 1)[1]
    assert main.count("<table") == main.count('<div class="table-scroll"><table')


def test_pairing_lists_name_the_household_by_its_head(today):
    pairing = (
        Pairing.objects.filter(kind=PairingKind.KINSHIP, target_household__village__code=VILLAGE)
        .select_related("target_household", "helper_cadre")
        .first()
    )
    assert pairing is not None
    head = _head(pairing.target_household).name
    listed = {"kind": PairingKind.KINSHIP, "status": "all", "q": pairing.helper_cadre.name}
    for username in ("admin", "village"):
        client = _client(username)
        page = client.get(reverse("partners:pairings"), listed).content.decode()
        assert f"{head}户（户编号 {pairing.target_household.number}）" in page
        detail = client.get(reverse("partners:pairing", args=[pairing.pk])).content.decode()
        assert f"{head}户" in detail
    # The unit reporter's own cadres' pairings: the head's name masked (outside registry scope).
    unit = User.objects.get(username="unit")
    mine = (
        Pairing.objects.filter(kind=PairingKind.KINSHIP, helper_cadre__organisation=unit.organisation)
        .select_related("target_household", "helper_cadre")
        .first()
    )
    assert mine is not None, "the demo pairs 省总工会's cadres with 然布村's households"
    if mine is not None:
        name = _head(mine.target_household).name
        listed = {"kind": PairingKind.KINSHIP, "status": "all", "q": mine.helper_cadre.name}
        page = _client("unit").get(reverse("partners:pairings"), listed).content.decode()
        assert mask_name(name) in page and f">{name}户" not in page
