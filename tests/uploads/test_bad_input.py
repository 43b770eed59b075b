"""The 500s of issue #18 item 5 that are not a file: each now answers with a message, and nothing is
written (an award review POST without its `form` field, the fund-flow workbook for year 0 or 99999,
a plan YAML that is not UTF-8 or is nested 5,000 levels deep), plus query-string numbers that
`str.isdigit()` lets through to `int()` or to the database."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from bangfu.areas.models import Area
from bangfu.audit.models import AuditRecord
from bangfu.awards import services as awards
from bangfu.awards.models import Category, Nomination, NominationStatus, RoundStatus
from bangfu.charity.demo import as_of
from bangfu.lib.params import int_param, year_param
from bangfu.workplan.models import Plan

pytestmark = pytest.mark.django_db
COUNTY = "513325000000"


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def nomination(county_admin, unit_reporter) -> Nomination:
    with as_of(date(2020, 8, 1)):
        award_round = awards.create_round(
            actor=county_admin,
            county=Area.objects.get(code=COUNTY),
            year=2020,
            title="2020年度评选",
            nomination_deadline=date(2020, 8, 31),
            publicity_days=7,
        )
        award_type = awards.add_award_type(
            actor=county_admin,
            award_round=award_round,
            name="先进个人",
            category=Category.INDIVIDUAL,
            quota=1,
        )
        awards.advance_round(actor=county_admin, award_round=award_round, status=RoundStatus.NOMINATING)
        nominated = awards.nominate(
            actor=unit_reporter,
            award_type=award_type,
            nominee_name="甲",
            nominee_unit="",
            achievements="事迹",
        )
        awards.advance_round(actor=county_admin, award_round=award_round, status=RoundStatus.REVIEWING)
    return nominated


@pytest.mark.parametrize("data", [{}, {"eligible": "on", "note": "x"}, {"form": "nonsense"}])
def test_an_award_review_post_without_its_form_field_is_a_form_error(county_admin, nomination, data):
    audited = AuditRecord.objects.count()
    response = _client(county_admin).post(reverse("awards:nomination", args=[nomination.pk]), data)
    assert response.status_code == 200
    assert "请检查填写内容" in response.content.decode()
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.SUBMITTED
    assert AuditRecord.objects.count() == audited


@pytest.mark.parametrize("year", ["0", "99999", "abc", "²", "9" * 30, "-1", "2020.5"])
def test_the_fund_flow_workbook_refuses_a_year_it_cannot_mean(county_admin, year):
    response = _client(county_admin).get(reverse("projects:report_fund_flow"), {"year": year})
    assert response.status_code == 400
    assert "年度" in response.content.decode() and "无效" in response.content.decode()


def test_the_fund_flow_workbook_of_a_year_or_of_all_years(county_admin):
    client = _client(county_admin)
    whole = client.get(reverse("projects:report_fund_flow"))
    assert whole.status_code == 200 and whole["Content-Disposition"].endswith('fund-flow.xlsx"')
    year = client.get(reverse("projects:report_fund_flow"), {"year": "2020"})
    assert year.status_code == 200 and year["Content-Disposition"].endswith('fund-flow-2020.xlsx"')


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("plan.yaml", "year: 2020\ntitle: 方案\n".encode("gb18030"), "sections"),  # read, then checked
        ("plan.yaml", b"\xff\xfe\x00\x01garbage\x80\x81", "plan.yaml"),  # a UTF-16 BOM, then junk
        ("plan.yaml", b"year: 2020\n\x81\x00\x81\x00", "plan.yaml"),
        ("plan.yaml", b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n", "嵌套"),
        ("plan.yaml", b"a: " + b"{b: " * 5000 + b"}" * 5000 + b"\n", "嵌套"),
        ("plan.yaml", b"", ""),
    ],
    ids=["gb18030", "utf16-junk", "nul-junk", "nested-lists", "nested-maps", "empty"],
)
def test_a_plan_yaml_it_cannot_read_is_refused_with_a_message(county_admin, name, content, message):
    response = _client(county_admin).post(
        reverse("workplan:plan_upload"), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert ("方案已载入" not in page) and Plan.objects.count() == 0


@pytest.mark.parametrize(
    "name, query",
    [
        ("subsidies:milestones", {"year": "abc"}),
        ("subsidies:milestones", {"year": "²"}),
        ("subsidies:technician", {"year": "9" * 30}),
        ("workplan:reports", {"task": "²", "organisation": "9" * 30}),
        ("workplan:completeness", {"task": "9" * 30, "organisation": "²", "year": "²"}),
        ("projects:list", {"year": "²"}),
    ],
)
def test_numbers_in_query_strings_that_are_not_numbers_are_ignored(county_admin, name, query):
    assert _client(county_admin).get(reverse(name), query).status_code < 500


def test_the_parameter_readers():
    assert [int_param(t) for t in ["12", " 7 ", "", None, "²", "٣", "-1", "1e3", "9" * 20]] == [
        12,
        7,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    assert int_param("5", low=6) is None and int_param("2100", high=2100) == 2100
    assert [year_param(t) for t in ["1949", "1948", "2020", "0", "99999"]] == [1949, None, 2020, None, None]


@pytest.mark.parametrize(
    "name, query",
    [
        ("projects:list", {"q": "a\x00b"}),
        ("projects:list", {"partner\x00": "x"}),
        ("partners:cadres", {"q": "\x00"}),
        ("registry:household_list", {"q": "\x00"}),
    ],
)
def test_a_nul_character_in_a_query_string_is_refused(county_admin, name, query):
    """PostgreSQL fails on a NUL in any text it is given (a 500 there, before this refusal)."""
    response = _client(county_admin).get(reverse(name), query)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_character_in_a_form_field_is_refused_and_nothing_changes(county_admin, nomination):
    audited = AuditRecord.objects.count()
    response = _client(county_admin).post(
        reverse("awards:nomination", args=[nomination.pk]), {"form": "review", "note": "a\x00b"}
    )
    assert response.status_code == 400 and "NUL" in response.content.decode()
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.SUBMITTED and AuditRecord.objects.count() == audited
