"""Every demo role's home page: "my to-do" lists only what that user can act on, in their scope,
each link opening for them; then the few figures of their own scope (docs/workplan.md)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from bangfu.accounts.models import User
from bangfu.accounts.scopes import area_prefix
from bangfu.areas.models import Area
from bangfu.core.demo import COUNTY_CODE
from bangfu.lib.attention import can_act, items_for_county, items_for_user

TODAY = date(2020, 7, 15)
ROLES = ["admin", "unit", "lead", "township", "village", "inspector", "supporter"]


@pytest.fixture
def today(full_demo_today):
    return full_demo_today


def _home(username: str) -> tuple[User, Client, list]:
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return user, client, response.context["todo"]


@pytest.mark.parametrize("username", ROLES)
def test_each_role_sees_only_what_it_can_act_on_and_every_link_opens(today, username):
    user, client, todo = _home(username)
    everything = items_for_county(Area.objects.get(code=COUNTY_CODE), today)
    mine = [i for i in everything if can_act(user, i)]
    assert todo == mine
    prefix = area_prefix(user)
    for item in todo:
        assert user.role in item.roles
        if item.user_id is not None:
            assert item.user_id == user.pk
        else:
            assert prefix is not None and item.area_code.startswith(prefix), item
        if item.organisation_id is not None and user.role in ("unit_reporter", "township_clerk"):
            assert item.organisation_id == user.organisation_id, item
        assert client.get(item.url).status_code == 200, (username, item.url)
    # Nothing another user of the same role elsewhere can act on leaks in.
    others = [i for i in everything if i not in mine]
    page = client.get("/").content.decode()
    for item in others:
        if str(item.title) not in {str(m.title) for m in mine}:
            assert str(item.title) not in page, (username, item.title)


def test_the_county_admin_has_the_county_s_problems_to_act_on(today):
    _user, _client, todo = _home("admin")
    titles = [str(i.title) for i in todo]
    assert "2020春季学期雨露计划应补未补2人" in titles
    assert any(t.endswith("二季度未派出工作组") for t in titles)
    assert any("待受援方审批" in t for t in titles)
    assert any("已报送待审核" in t for t in titles)
    assert any("已过完成时限" in t for t in titles)


def test_a_unit_sees_its_own_work_and_figures_not_the_county_s(today):
    user, client, todo = _home("unit")
    assert todo, "the demo's unit (省总工会) has a disbursement to sign"
    assert any("待资助方省总工会审批" in str(i.title) for i in todo)
    assert all(i.organisation_id in (None, user.organisation_id) for i in todo)
    figures = client.get("/").context["figures"]
    assert set(figures) == {"pairings", "reports_due", "reports_open"}
    assert figures["pairings"] >= 1


def test_a_village_officer_sees_its_village_not_the_county(today):
    user, client, todo = _home("village")
    assert all(i.area_code.startswith(user.area.code) for i in todo)
    figures = client.get("/").context["figures"]
    assert figures["villages"] == 1
    # The units helping this village, not the county's 56 organisations.
    assert figures["organisations"] < 5
    assert "帮扶本地的单位" in client.get("/").content.decode()


def test_a_township_clerk_sees_its_township_s_unpaid_students_only(today):
    user, _client, todo = _home("township")
    yulu = [i for i in todo if i.kind == "subsidies.yulu_unpaid"]
    assert all(i.area_code.startswith(user.area.prefix) for i in yulu)
    assert not any(str(i.title).startswith("2020春季") for i in yulu)  # the county's item is not theirs


# --- GET /api/v1/attention -------------------------------------------------------------------------
@pytest.mark.parametrize("username", ROLES)
def test_the_api_answers_the_callers_items_as_the_home_page_lists_them(today, username):
    from bangfu.accounts.services import create_api_token

    user, _client, todo = _home(username)
    _token, raw = create_api_token(actor=None, user=user, name="test")
    response = Client().get("/api/v1/attention", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    body = response.json()
    assert [(i["kind"], i["title"], i["url"]) for i in body] == [(i.kind, str(i.title), i.url) for i in todo]
    for row, item in zip(body, todo, strict=True):
        assert row["severity"] == item.severity
        assert row["since"] == item.since.isoformat()
        assert row["scope"]["area_code"] == item.area_code
        assert user.role in row["scope"]["roles"]


def test_the_api_names_the_county_admin_s_unpaid_students(today):
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    body = client.get("/api/v1/attention").json()
    yulu = [i for i in body if i["kind"] == "subsidies.yulu_unpaid"]
    assert [(i["title"], i["count"], i["severity"]) for i in yulu] == [
        ("2020春季学期雨露计划应补未补2人", 2, "critical")
    ]
    assert yulu[0]["url"] == "/subsidies/yulu/2020-spring/?show=missing"


def test_the_api_refuses_an_anonymous_caller(today):
    response = Client().get("/api/v1/attention")
    assert response.status_code == 401


# --- the dashboard's attention panel ---------------------------------------------------------------
@pytest.mark.parametrize("username", ["admin", "inspector"])
def test_the_dashboard_lists_the_county_s_problems_once_linking_what_the_user_can_act_on(today, username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    response = client.get("/workplan/dashboard/")
    assert response.status_code == 200
    rows = response.context["attention"]
    titles = [str(r["item"].title) for r in rows]
    assert len(titles) == len(set(titles))
    assert "2020春季学期雨露计划应补未补2人" in titles
    assert any(t.endswith("二季度未派出工作组") for t in titles)
    linked = [r["url"] for r in rows if r["url"]]
    assert linked
    for url in set(linked):
        assert client.get(url).status_code == 200, url


def test_recording_an_unpaid_student_s_payment_updates_the_list_at_once(today):
    """The Yulu reconciliation behind the item is cached under a stamp of what it reads: a payment
    recorded moves the stamp, and the next request counts one student fewer."""
    from bangfu.registry.models import Member
    from bangfu.subsidies.models import YuluTerm
    from bangfu.subsidies.selectors import reconcile_yulu
    from bangfu.subsidies.services import record_payment

    admin = User.objects.get(username="admin")
    client = Client()
    client.force_login(admin)

    def yulu_titles() -> list[str]:
        body = client.get("/api/v1/attention").json()
        return [i["title"] for i in body if i["kind"] == "subsidies.yulu_unpaid"]

    assert yulu_titles() == ["2020春季学期雨露计划应补未补2人"]
    term = YuluTerm.objects.get(code="2020-spring")
    student = Member.objects.get(pk=min(reconcile_yulu(term).missing))
    record_payment(actor=admin, term=term, member=student, amount="1500", paid_on=today)
    assert yulu_titles() == ["2020春季学期雨露计划应补未补1人"]


def test_a_claim_about_to_lapse_is_the_supporter_s_and_the_village_s(settings, today):
    from bangfu.network.models import Claim, ClaimStatus

    claim = (
        Claim.objects.filter(status=ClaimStatus.ACTIVE)
        .select_related("need__village", "supporter__user")
        .first()
    )
    assert claim is not None, "the demo has open claims"
    day = claim.expires_on
    settings.BANGFU_TODAY = day
    items = [
        i
        for i in items_for_county(Area.objects.get(code=COUNTY_CODE), day)
        if i.kind == "network.claim_expiring"
    ]
    mine = [i for i in items if i.user_id == claim.supporter.user_id]
    assert mine and all("请及时送达" in str(i.title) for i in mine)
    supporter = claim.supporter.user
    client = Client()
    client.force_login(supporter)
    todo = client.get("/").context["todo"]
    assert todo and all(i.user_id == supporter.pk for i in todo)
    assert client.get(mine[0].url).status_code == 200
    # Another supporter does not see it.
    other = Claim.objects.exclude(supporter=claim.supporter).select_related("supporter__user").first()
    if other is not None:
        assert not any(i.user_id == supporter.pk for i in items_for_user(other.supporter.user, day))
    # The village's follow-up item names the village and opens for the county admin.
    village_items = [i for i in items if i.user_id is None and i.area_code == claim.need.village.code]
    assert village_items
    admin = Client()
    admin.force_login(User.objects.get(username="admin"))
    assert admin.get(village_items[0].url).status_code == 200
