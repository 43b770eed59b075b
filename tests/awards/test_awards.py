from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from bangfu.accounts.models import Role, User
from bangfu.accounts.services import create_user
from bangfu.areas.models import Area
from bangfu.awards import services
from bangfu.awards.models import (
    AwardRound,
    Category,
    Nomination,
    NominationStatus,
    Objection,
    RoundStatus,
    Score,
)
from bangfu.charity.demo import as_of
from bangfu.partners.models import Organisation

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def _user(username: str, role: str, org: str | None) -> User:
    return create_user(
        actor=None,
        username=username,
        password=PASSWORD,
        role=role,
        area=Area.objects.get(code="513325000000"),
        organisation=Organisation.objects.get(code=org) if org else None,
    )


@pytest.fixture
def setup(county_admin):
    unit = User.objects.get(username="unit")  # 省总工会 (P01)
    reviewers = [
        _user("rev-a", Role.COUNTY_ADMIN, "C22"),
        _user("rev-b", Role.INSPECTOR, None),
        _user("rev-c", Role.UNIT_REPORTER, "P01"),
    ]
    with as_of(date(2020, 8, 1)):
        r = services.create_round(
            actor=county_admin,
            county=Area.objects.get(code="513325000000"),
            year=2020,
            title="2020年度评选",
            nomination_deadline=date(2020, 8, 31),
            publicity_days=7,
        )
        t = services.add_award_type(
            actor=county_admin, award_round=r, name="先进个人", category=Category.INDIVIDUAL, quota=1
        )
        for reviewer in reviewers:
            services.add_panel_member(actor=county_admin, award_round=r, user=reviewer)
        services.advance_round(actor=county_admin, award_round=r, status=RoundStatus.NOMINATING)
        a = services.nominate(
            actor=unit, award_type=t, nominee_name="甲", nominee_unit="", achievements="事迹甲"
        )
        b = services.nominate(
            actor=unit, award_type=t, nominee_name="乙", nominee_unit="", achievements="事迹乙"
        )
    return {
        "round": r,
        "type": t,
        "a": a,
        "b": b,
        "unit": unit,
        "reviewers": reviewers,
        "admin": county_admin,
    }


def _advance(s, status, day):
    with as_of(day):
        return services.advance_round(
            actor=s["admin"], award_round=AwardRound.objects.get(pk=s["round"].pk), status=status
        )


def test_nominations_close_at_the_deadline(setup) -> None:
    with as_of(date(2020, 9, 1)), pytest.raises(ValidationError, match="截止"):
        services.nominate(
            actor=setup["unit"],
            award_type=setup["type"],
            nominee_name="丙",
            nominee_unit="",
            achievements="x",
        )
    with as_of(date(2020, 8, 2)), pytest.raises(ValidationError):
        services.nominate(
            actor=setup["unit"],
            award_type=setup["type"],
            nominee_name="甲",
            nominee_unit="",
            achievements="x",
        )
    assert Nomination.objects.count() == 2


def test_the_whole_selection_with_conflicts_excluded(setup) -> None:
    s = setup
    admin, (rev_a, rev_b, rev_c) = s["admin"], s["reviewers"]
    _advance(s, RoundStatus.REVIEWING, date(2020, 9, 2))
    with pytest.raises(ValidationError):
        _advance(s, RoundStatus.SCORING, date(2020, 9, 3))  # not all reviewed
    services.review_eligibility(actor=admin, nomination=s["a"], eligible=True)
    with pytest.raises(ValidationError):
        services.review_eligibility(actor=admin, nomination=s["b"], eligible=False, note="")
    services.review_eligibility(actor=admin, nomination=s["b"], eligible=True)
    _advance(s, RoundStatus.SCORING, date(2020, 9, 10))
    services.score_nomination(actor=rev_a, nomination=s["a"], score=Decimal("80"))
    with pytest.raises(ValidationError, match="只能打分一次"):
        services.score_nomination(actor=rev_a, nomination=s["a"], score=Decimal("99"))
    # A reviewer from the nominating unit is conflicted by rule.
    with pytest.raises(ValidationError, match="利益冲突"):
        services.score_nomination(actor=rev_c, nomination=s["a"], score=Decimal("100"))
    # A declared conflict excludes the reviewer.
    services.declare_conflict(actor=rev_b, nomination=s["a"], reason="亲属关系")
    with pytest.raises(ValidationError, match="回避"):
        services.score_nomination(actor=rev_b, nomination=s["a"], score=Decimal("100"))
    services.score_nomination(actor=rev_a, nomination=s["b"], score=Decimal("85"))
    services.score_nomination(actor=rev_b, nomination=s["b"], score=Decimal("95"))
    with pytest.raises(ValidationError):
        services.score_nomination(actor=rev_a, nomination=s["b"], score=Decimal("101"))
    assert Score.objects.count() == 3
    _advance(s, RoundStatus.PUBLICITY, date(2020, 10, 1))
    a, b = Nomination.objects.get(pk=s["a"].pk), Nomination.objects.get(pk=s["b"].pk)
    assert (b.status, b.average_score) == (NominationStatus.PUBLICISED, Decimal("90.00"))
    assert (a.status, a.average_score) == (NominationStatus.NOT_SELECTED, Decimal("80.00"))

    # The public page lists the candidate; the objection form works without login.
    client = Client()
    page = client.get("/awards/public/513325-2020/").content.decode()
    assert "乙" in page and "提出异议" in page
    url = f"/awards/public/513325-2020/objection/{b.pk}/"
    assert client.get(url).status_code == 200
    with as_of(date(2020, 10, 3)):
        response = client.post(url, {"text": "短", "contact": ""})
        assert "至少10个字" in response.content.decode()
        assert Objection.objects.count() == 0
        response = client.post(
            url, {"text": "该同志的事迹材料与实际情况不符，请核实。", "contact": "13800001111"}
        )
        assert "已收到" in response.content.decode()
    assert client.get(f"/awards/public/513325-2020/objection/{a.pk}/").status_code == 404
    objection = Objection.objects.get()
    with as_of(date(2020, 10, 9)):
        with pytest.raises(ValidationError, match="尚未结束"):
            _advance(s, RoundStatus.FINAL, date(2020, 10, 7))
        with pytest.raises(ValidationError, match="异议未答复"):
            _advance(s, RoundStatus.FINAL, date(2020, 10, 9))
    with as_of(date(2020, 10, 8)), pytest.raises(ValidationError, match="不在公示期"):
        services.submit_objection(nomination=b, text="公示期之后提交的异议内容。")
    services.answer_objection(actor=admin, objection=objection, answer="经核实，事迹属实。", upheld=False)
    _advance(s, RoundStatus.FINAL, date(2020, 10, 9))
    assert Nomination.objects.get(pk=b.pk).status == NominationStatus.AWARDED
    final = client.get("/awards/public/513325-2020/").content.decode()
    assert "乙" in final and "经核实，事迹属实。" in final
    assert "13800001111" not in final
    assert "提出异议" not in final


def test_an_upheld_objection_revokes_the_candidate(setup) -> None:
    s = setup
    _advance(s, RoundStatus.REVIEWING, date(2020, 9, 2))
    for n in (s["a"], s["b"]):
        services.review_eligibility(actor=s["admin"], nomination=n, eligible=True)
    _advance(s, RoundStatus.SCORING, date(2020, 9, 10))
    services.score_nomination(actor=s["reviewers"][0], nomination=s["b"], score=Decimal("90"))
    _advance(s, RoundStatus.PUBLICITY, date(2020, 10, 1))
    with as_of(date(2020, 10, 2)):
        o = services.submit_objection(nomination=s["b"], text="该对象存在违纪行为，已被通报。")
    services.answer_objection(actor=s["admin"], objection=o, answer="经核实属实，取消。", upheld=True)
    _advance(s, RoundStatus.FINAL, date(2020, 10, 20))
    assert Nomination.objects.get(pk=s["b"].pk).status == NominationStatus.REVOKED
    assert "乙" not in Client().get("/awards/public/513325-2020/").content.decode().split("异议答复")[0]


def test_only_panel_members_score_and_units_see_only_their_nominations(setup, client_for) -> None:
    s = setup
    _advance(s, RoundStatus.REVIEWING, date(2020, 9, 2))
    services.review_eligibility(actor=s["admin"], nomination=s["a"], eligible=True)
    services.review_eligibility(actor=s["admin"], nomination=s["b"], eligible=True)
    _advance(s, RoundStatus.SCORING, date(2020, 9, 10))
    outsider = _user("outsider", Role.COUNTY_ADMIN, "C21")
    with pytest.raises(PermissionDenied):
        services.score_nomination(actor=outsider, nomination=s["a"], score=Decimal("50"))
    other_unit = _user("other-unit", Role.UNIT_REPORTER, "P05")
    assert client_for(other_unit).get(f"/awards/nominations/{s['a'].pk}/").status_code == 404
    assert client_for(s["unit"]).get(f"/awards/nominations/{s['a'].pk}/").status_code == 200
    # Rounds not yet in publicity are not public.
    assert Client().get("/awards/public/513325-2020/").status_code == 404


def test_the_scoring_page_records_a_score(setup, client_for) -> None:
    s = setup
    _advance(s, RoundStatus.REVIEWING, date(2020, 9, 2))
    services.review_eligibility(actor=s["admin"], nomination=s["a"], eligible=True)
    services.review_eligibility(actor=s["admin"], nomination=s["b"], eligible=True)
    _advance(s, RoundStatus.SCORING, date(2020, 9, 10))
    client = client_for(s["reviewers"][0])
    url = f"/awards/nominations/{s['a'].pk}/"
    assert "提交分数" in client.get(url).content.decode()
    assert client.post(url, {"form": "score", "score": "88.5"}).status_code == 302
    assert Score.objects.get().score == Decimal("88.50")
    assert "提交分数" not in client.get(url).content.decode()


def test_a_county_admin_sets_up_a_round_through_the_pages(county_admin, client_for, township_clerk) -> None:
    client = client_for(county_admin)
    response = client.post(
        "/awards/new/",
        {"year": 2021, "title": "2021年度评选", "nomination_deadline": "2021-08-31", "publicity_days": 7},
    )
    assert response.status_code == 302
    r = AwardRound.objects.get(year=2021)
    assert (
        client.post(
            f"/awards/{r.code}/types/", {"name": "先进集体", "category": "collective", "quota": 3}
        ).status_code
        == 302
    )
    reviewer = User.objects.get(username="inspector")
    assert client.post(f"/awards/{r.code}/panel/", {"user": reviewer.pk}).status_code == 302
    assert r.award_types.get().quota == 3
    assert r.panel.get().user == reviewer
    # A duplicate year is refused with a message and nothing is created.
    response = client.post(
        "/awards/new/",
        {"year": 2021, "title": "重复", "nomination_deadline": "2021-08-31", "publicity_days": 7},
    )
    assert response.status_code == 200 and "已存在" in response.content.decode()
    assert AwardRound.objects.count() == 1
    assert client_for(township_clerk).get("/awards/new/").status_code == 403


def test_a_nomination_carries_an_attachment_only_staff_can_fetch(
    setup, client_for, settings, tmp_path
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    with as_of(date(2020, 8, 2)):
        response = client_for(setup["unit"]).post(
            "/awards/513325-2020/nominate/",
            {
                "award_type": setup["type"].pk,
                "nominee_name": "丙",
                "achievements": "事迹丙",
                "attachment": SimpleUploadedFile(
                    "事迹材料.pdf", b"%PDF-1.4 demo", content_type="application/pdf"
                ),
            },
        )
        assert response.status_code == 302
        bad = client_for(setup["unit"]).post(
            "/awards/513325-2020/nominate/",
            {
                "award_type": setup["type"].pk,
                "nominee_name": "丁",
                "achievements": "事迹丁",
                "attachment": SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream"),
            },
        )
        assert bad.status_code == 200 and "附件只能是" in bad.content.decode()
    nomination = Nomination.objects.get(nominee_name="丙")
    assert not Nomination.objects.filter(nominee_name="丁").exists()
    download = client_for(setup["admin"]).get(f"/awards/nominations/{nomination.pk}/attachment/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 demo"
    assert Client().get(f"/awards/nominations/{nomination.pk}/attachment/").status_code == 302  # login
    other_unit = _user("other-unit-2", Role.UNIT_REPORTER, "P05")
    assert client_for(other_unit).get(f"/awards/nominations/{nomination.pk}/attachment/").status_code == 404
