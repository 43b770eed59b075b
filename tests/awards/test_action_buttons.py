"""A button is shown exactly when its POST would succeed (issue #17): on the nomination page
(资格审核 / 打分 / 申明回避 / 答复异议) and the round page (推荐), for each role and each stage of
the round, the form is offered exactly when submitting it changes the record."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client

from bangfu.accounts.models import Role, User
from bangfu.accounts.services import create_user
from bangfu.areas.models import Area
from bangfu.awards import services
from bangfu.awards.models import (
    AwardRound,
    Category,
    ConflictDeclaration,
    Nomination,
    Objection,
    RoundStatus,
    Score,
)
from bangfu.charity.demo import as_of
from bangfu.partners.models import Organisation
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
COUNTY = "513325000000"
ACTIONS = ("review", "score", "conflict", "answer")


def _user(username: str, role: str, org: str | None) -> User:
    return create_user(
        actor=None,
        username=username,
        password=PASSWORD,
        role=role,
        area=Area.objects.get(code=COUNTY),
        organisation=Organisation.objects.get(code=org) if org else None,
    )


def _state(n: Nomination) -> tuple[object, ...]:
    row = Nomination.objects.get(pk=n.pk)
    return (
        row.status,
        row.review_note,
        Score.objects.filter(nomination=n).count(),
        ConflictDeclaration.objects.filter(nomination=n).count(),
        tuple(Objection.objects.filter(nomination=n).values_list("status", flat=True)),
    )


def _shown(client: Client, n: Nomination) -> dict[str, bool]:
    response = client.get(f"/awards/nominations/{n.pk}/")
    html = response.content.decode() if response.status_code == 200 else ""
    objection = Objection.objects.filter(nomination=n).first()
    return {
        "review": 'name="form" value="review"' in html,
        "score": 'name="form" value="score"' in html,
        "conflict": 'name="form" value="conflict"' in html,
        "answer": objection is not None and f'action="/awards/objections/{objection.pk}/answer/"' in html,
    }


def _post(client: Client, n: Nomination, action: str) -> None:
    url = f"/awards/nominations/{n.pk}/"
    if action == "review":
        client.post(url, {"form": "review", "eligible": "0", "note": "材料不全"})
    elif action == "score":
        client.post(url, {"form": "score", "score": "88"})
    elif action == "conflict":
        client.post(url, {"form": "conflict", "reason": "亲属关系"})
    else:
        objection = Objection.objects.filter(nomination=n).first()
        if objection is not None:
            client.post(f"/awards/objections/{objection.pk}/answer/", {"answer": "经核实属实。"})


def _works(client: Client, n: Nomination, action: str) -> bool:
    before = _state(n)
    with transaction.atomic():
        point = transaction.savepoint()
        _post(client, n, action)
        after = _state(n)
        transaction.savepoint_rollback(point)
    return after != before


def test_nomination_buttons_match_what_the_post_would_do(settings, county_admin) -> None:
    unit = User.objects.get(username="unit")  # 省总工会 (P01), the nominating unit
    panel = [
        _user("rev-a", Role.COUNTY_ADMIN, "C22"),
        _user("rev-b", Role.INSPECTOR, None),
        _user("rev-c", Role.UNIT_REPORTER, "P01"),  # the nominating unit's own staff
    ]
    users = [county_admin, unit, *panel, *User.objects.filter(username__in=["inspector", "township"])]
    county = Area.objects.get(code=COUNTY)
    with as_of(date(2020, 8, 1)):
        r = services.create_round(
            actor=county_admin,
            county=county,
            year=2020,
            title="2020年度评选",
            nomination_deadline=date(2020, 8, 31),
        )
        t = services.add_award_type(
            actor=county_admin, award_round=r, name="先进个人", category=Category.INDIVIDUAL, quota=2
        )
        for member in panel:
            services.add_panel_member(actor=county_admin, award_round=r, user=member)
        services.advance_round(actor=county_admin, award_round=r, status=RoundStatus.NOMINATING)
        a, b = (
            services.nominate(
                actor=unit, award_type=t, nominee_name=name, nominee_unit="", achievements="事迹"
            )
            for name in ("甲", "乙")
        )
    seen: set[tuple[str, bool]] = set()

    def enumerate_all(stage: str) -> None:
        for user in users:
            client = Client()
            client.force_login(user)
            for n in (a, b):
                shown = _shown(client, n)
                for action in ACTIONS:
                    works = _works(client, n, action)
                    assert shown[action] == works, (stage, user.username, n.nominee_name, action)
                    seen.add((action, works))

    settings.BANGFU_TODAY = date(2020, 9, 2)
    services.advance_round(actor=county_admin, award_round=r, status=RoundStatus.REVIEWING)
    enumerate_all("reviewing")
    for n in (a, b):
        services.review_eligibility(actor=county_admin, nomination=n, eligible=True, note="符合条件")
    services.advance_round(actor=county_admin, award_round=r, status=RoundStatus.SCORING)
    services.score_nomination(actor=panel[0], nomination=b, score=Decimal("90"))
    services.declare_conflict(actor=panel[1], nomination=a, reason="同事")
    enumerate_all("scoring")
    services.score_nomination(actor=panel[0], nomination=a, score=Decimal("80"))
    services.score_nomination(actor=panel[1], nomination=b, score=Decimal("85"))
    services.advance_round(actor=county_admin, award_round=r, status=RoundStatus.PUBLICITY)
    services.submit_objection(
        nomination=Nomination.objects.get(pk=a.pk), text="事迹材料与实际情况不符，请核实。"
    )
    enumerate_all("publicity")
    assert seen == {(action, w) for action in ACTIONS for w in (True, False)}


def test_the_nominate_button_follows_the_round(settings, county_admin) -> None:
    unit = User.objects.get(username="unit")
    county = Area.objects.get(code=COUNTY)
    settings.BANGFU_TODAY = date(2020, 8, 1)
    r = services.create_round(
        actor=county_admin,
        county=county,
        year=2020,
        title="2020年度评选",
        nomination_deadline=date(2020, 8, 31),
    )
    t = services.add_award_type(
        actor=county_admin, award_round=r, name="先进个人", category=Category.INDIVIDUAL, quota=2
    )
    link = f'href="/awards/{r.code}/nominate/"'

    def shown(user: User) -> bool:
        client = Client()
        client.force_login(user)
        return link in client.get(f"/awards/{r.code}/").content.decode()

    def works(user: User) -> bool:
        client = Client()
        client.force_login(user)
        with transaction.atomic():
            point = transaction.savepoint()
            client.post(
                f"/awards/{r.code}/nominate/",
                {"award_type": t.pk, "nominee_name": "丙", "nominee_unit": "", "achievements": "事迹"},
            )
            done = Nomination.objects.filter(award_type=t).exists()
            transaction.savepoint_rollback(point)
        return done

    people = [county_admin, unit, *User.objects.filter(username__in=["inspector", "township", "village"])]
    assert not any(shown(u) or works(u) for u in people)  # not yet taking nominations
    services.advance_round(
        actor=county_admin, award_round=AwardRound.objects.get(pk=r.pk), status="nominating"
    )
    assert {u.username: shown(u) for u in people} == {u.username: works(u) for u in people}
    assert shown(unit) and not shown(User.objects.get(username="inspector"))
    settings.BANGFU_TODAY = date(2020, 9, 1)  # past the deadline
    assert not any(shown(u) or works(u) for u in people)
