"""Walk every public page (disclosure and awards), follow links, fetch the downloads, and fail on
personal data: an 18-digit ID pattern, an 11-digit mobile number, or a household member's name.

Forbidden names come from the registry's `Member` model when that app has one (so the test grows
stronger once the registry lands) plus names planted here: donors who did not consent, a household
earmark and recipient, and internal notes and objection contacts carrying an ID and a mobile."""

from __future__ import annotations

import io
import re
from collections import deque
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.test import Client
from python_calamine import CalamineWorkbook

from bangfu.accounts.models import User
from bangfu.areas.models import Area
from bangfu.awards import services as award_services
from bangfu.awards.models import AwardRound, Category, Nomination, RoundStatus
from bangfu.charity import services
from bangfu.charity.demo import as_of
from bangfu.charity.models import Campaign, CampaignStatus, Donation, Spending
from bangfu.core.demo import seed_demo

pytestmark = pytest.mark.django_db

ID_PATTERN = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
MOBILE_PATTERN = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
START = ["/disclosure/", "/awards/public/"]
PUBLIC_PREFIXES = ("/disclosure/", "/awards/public/")

PLANTED_MEMBER = "卓玛拉姆"
PLANTED_ID = "513325198807150021"
PLANTED_MOBILE = "13890001234"
PLANTED_HOUSEHOLD = "HH-5133-0007"


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "action", "src") and value:
                self.links.append(value)


def has_registry_members() -> bool:
    if not apps.is_installed("bangfu.registry"):
        return False
    try:
        apps.get_model("registry", "Member")
    except LookupError:
        return False
    return True


def registry_member_names() -> set[str]:
    if not apps.is_installed("bangfu.registry"):
        return set()
    try:
        member = apps.get_model("registry", "Member")
    except LookupError:
        return set()
    fields = {f.name for f in member._meta.get_fields()}
    for field in ("name", "full_name"):
        if field in fields:
            return {n for n in member.objects.values_list(field, flat=True) if n and len(n) >= 2}
    return set()


def plant(admin: User, approvers: list[User]) -> None:
    """Personal data that must stay internal, in every field that could leak it."""
    campaign = Campaign.objects.get(year=2020)
    eluo = Area.objects.get(code="513325100203")
    with as_of(date(2020, 10, 20)):
        services.change_campaign_status(actor=admin, campaign=campaign, status=CampaignStatus.OPEN)
        services.record_donation(
            actor=admin,
            campaign=campaign,
            data=services.DonationInput(
                receipt_number="FPR2020-9001",
                donor_kind="person",
                donor_name="隐名捐赠人钱某某",
                amount="888.00",
                donated_on="2020-10-17",
                channel="bank",
                publish_name=False,
                earmark_kind="household",
                earmark_village=eluo.code,
                earmark_household=PLANTED_HOUSEHOLD,
                note=f"受助户 {PLANTED_MEMBER} 身份证 {PLANTED_ID} 电话 {PLANTED_MOBILE}",
            ),
        )
        spending = services.request_spending(
            actor=admin,
            campaign=campaign,
            earmark=f"household:{eluo.code}:{PLANTED_HOUSEHOLD}",
            recipient_kind="household",
            village=eluo,
            household=PLANTED_HOUSEHOLD,
            purpose="住房修缮补助",
            amount=Decimal("888.00"),
        )
        for approver in approvers:
            services.decide_spending(actor=approver, spending=spending, approve=True)


def plant_awards_publicity(admin: User, reviewers: list[User]) -> None:
    """A round in its publicity period, with an objection whose contact holds a mobile."""
    county = Area.objects.get(code="513325000000")
    unit = User.objects.get(username="unit")
    with as_of(date(2021, 8, 1)):
        r = award_services.create_round(
            actor=admin, county=county, year=2021, title="2021年度评选", nomination_deadline=date(2021, 9, 1)
        )
        t = award_services.add_award_type(
            actor=admin, award_round=r, name="先进个人", category=Category.INDIVIDUAL, quota=1
        )
        for reviewer in reviewers:
            award_services.add_panel_member(actor=admin, award_round=r, user=reviewer)
        award_services.advance_round(actor=admin, award_round=r, status=RoundStatus.NOMINATING)
        n = award_services.nominate(
            actor=unit,
            award_type=t,
            nominee_name="泽仁",
            nominee_unit="县扶贫开发局",
            achievements="驻村帮扶三年。",
        )
        award_services.advance_round(actor=admin, award_round=r, status=RoundStatus.REVIEWING)
        award_services.review_eligibility(actor=admin, nomination=n, eligible=True)
        award_services.advance_round(actor=admin, award_round=r, status=RoundStatus.SCORING)
        for reviewer in reviewers:
            award_services.score_nomination(actor=reviewer, nomination=n, score=Decimal("90"))
        award_services.advance_round(actor=admin, award_round=r, status=RoundStatus.PUBLICITY)
        objection = award_services.submit_objection(
            nomination=Nomination.objects.get(pk=n.pk),
            text=f"据反映该同志曾与{PLANTED_MEMBER}家有经济往来，请核实。",
            contact=f"{PLANTED_MOBILE} 身份证{PLANTED_ID}",
        )
        award_services.answer_objection(
            actor=admin, objection=objection, answer="经核实，无经济往来。", upheld=False
        )


def text_of(url: str, response) -> str:
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        return "\n".join(
            " ".join(str(cell) for cell in row)
            for name in book.sheet_names
            for row in book.get_sheet_by_name(name).to_python()
        )
    return response.content.decode("utf-8-sig")


def crawl(client: Client) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = deque(START)
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        body = text_of(url, response)
        seen[url] = body
        if "text/html" in response.get("Content-Type", ""):
            assert "<script" not in body, f"{url} needs no JavaScript"
            parser = Links()
            parser.feed(body)
            for link in parser.links:
                target = urlsplit(urljoin(url, link))
                if target.netloc or not target.path.startswith(PUBLIC_PREFIXES):
                    continue
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return seen


def test_no_public_page_shows_personal_data(db) -> None:
    # Every app's demo data, so the registry's households and members are there once it lands.
    seed_demo(full=True)
    admin = User.objects.get(username="admin")
    approvers = list(User.objects.filter(username__startswith="approver-"))
    assert len(approvers) == 2
    plant(admin, approvers)
    plant_awards_publicity(admin, approvers)

    members = registry_member_names()
    if has_registry_members():
        assert members, "the registry demo should have members whose names must never be public"
    forbidden = members | {PLANTED_MEMBER, PLANTED_HOUSEHOLD}
    forbidden |= set(
        Donation.objects.filter(donor_kind="person", publish_name=False).values_list("donor_name", flat=True)
    )
    forbidden |= {h for h in Donation.objects.values_list("earmark_household", flat=True) if h}
    forbidden |= {h for h in Spending.objects.values_list("household", flat=True) if h}
    assert {"赵淑芬", "孙立新", "隐名捐赠人钱某某", PLANTED_HOUSEHOLD} <= forbidden

    pages = crawl(Client())
    # The walk reached every kind of public page, the downloads and the objection form.
    campaign_codes = set(Campaign.objects.values_list("code", flat=True))
    for code in campaign_codes:
        for suffix in ("", "donations.csv", "spending.csv", "disclosure.xlsx", "disclosure.json"):
            assert f"/disclosure/{code}/{suffix}" in pages
    for code in AwardRound.objects.filter(status__in=["publicity", "final"]).values_list("code", flat=True):
        assert f"/awards/public/{code}/" in pages
    assert any("/objection/" in url for url in pages)
    assert len(pages) >= 15

    for url, body in pages.items():
        assert not ID_PATTERN.search(body), f"{url} shows an 18-digit ID pattern"
        assert not MOBILE_PATTERN.search(body), f"{url} shows a mobile number"
        for name in forbidden:
            assert name not in body, f"{url} shows {name!r}"
    # Recipients are shown at village level.
    assert "俄洛村" in pages["/disclosure/513325-2020/"]
    assert "定向到户（俄洛村）" in pages["/disclosure/513325-2020/"]
