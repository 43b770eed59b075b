"""A crawl per demo role over the full demo county (issue #17), with the test client: every page
of the role's menu and one page of each kind linked from them. On every page:

- no action button that the same role's POST would refuse: each known action form is checked
  against the predicate its service asks (projects / workplan.permissions / charity / awards);
- no internal key or enum code in the text (`partners.`/`areas.` indicator keys, `2020-autumn`,
  choice values such as `industry`, snake_case codes, Python dicts);
- no half-width `:` `,` `;` `(` `)` between CJK characters in the rendered Chinese text."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from html.parser import HTMLParser
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client

from bangfu.accounts.models import User
from bangfu.awards import services as awards
from bangfu.awards.models import Nomination, Objection
from bangfu.charity import services as charity
from bangfu.charity.models import Spending
from bangfu.core.demo import DEMO_USERS
from bangfu.projects import services as projects
from bangfu.projects.models import Disbursement
from bangfu.workplan import permissions as workplan
from bangfu.workplan.models import LedgerReport

# What the crawl checks (buttons, texts) does not depend on the database engine, and it is one of the
# slowest files: CI runs it on SQLite only.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="the crawl does not depend on the database engine: SQLite only"
    ),
]
DEMO_TODAY = date(2020, 7, 15)
ROLES = [u.username for u in DEMO_USERS]
MAX_PAGES = 90  # per role: the menu, then one page of each kind linked from it

APPS = (
    "accounts|areas|audit|awards|charity|core|documents|ledger|monitoring|network|partners|projects|"
    "registry|subsidies|workplan"
)
INTERNAL = [
    re.compile(rf"\b(?:{APPS})\.[a-z]+(?:_[a-z]+)*\b"),  # an indicator key or action code
    re.compile(r"\b\d{4}-(?:spring|autumn)\b"),  # a term code
    re.compile(r"\{'|'\}"),  # a Python dict
    re.compile(r"(?<![\w.@/-])[a-z]+_[a-z]+(?:_[a-z]+)*(?![\w.@/-])"),  # a snake_case code
]
CJK = "\u3400-\u9fff"
HALF_WIDTH = re.compile(rf"[{CJK}][:,;()][{CJK}]")
SKIP = re.compile(
    r"^/(?:api/|static/|media/|admin/|i18n/|accounts/(?:login|logout)/|disclosure/)|[?&]format=|"
    r"\.(?:xlsx|csv|docx|pdf|json|zip)$|/attachments?/|/download/|/bulletin/|/export"
)


# Text a reader is meant to see as it is: an example of the term code to type in a form's help.
ALLOWED_TEXT = re.compile(r"如 \d{4}-(?:spring|autumn)(?:、\d{4}-(?:spring|autumn))*")


def _choice_codes() -> set[str]:
    """Every lowercase word used as a stored choice value (e.g. `industry`, `east_west`)."""
    codes: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("bangfu."):
            continue
        for f in model._meta.get_fields():
            for value, _label in getattr(f, "choices", None) or []:
                if isinstance(value, str) and re.fullmatch(r"[a-z]+(?:_[a-z]+)*", value) and len(value) > 3:
                    codes.add(value)
    return codes


class _Text(HTMLParser):
    """The text a reader sees in <main> (scripts, styles and typed-in values left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.depth += 1
        if tag in ("script", "style", "textarea", "code", "pre"):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.depth -= 1
        if tag in ("script", "style", "textarea", "code", "pre"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if self.depth > 0 and self.hidden == 0:
            self.parts.append(data)


def _text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _links(html: str) -> list[str]:
    main = html.split("<main", 1)[-1]
    return [h.replace("&amp;", "&") for h in re.findall(r'href="(/[^"#]*)"', main)]


def _menu(html: str) -> list[str]:
    nav = re.search(r'<nav class="mainnav".*?</nav>', html, re.S)
    assert nav, "no menu"
    return [h.replace("&amp;", "&") for h in re.findall(r'href="(/[^"#]*)"', nav.group(0))]


def _shape(url: str) -> str:
    path, _q, query = url.partition("?")
    keys = sorted(p.split("=")[0] for p in query.split("&") if p)
    return re.sub(r"\d+", "N", path) + "?" + "&".join(keys)


def _get(model: Any, pk: str) -> Any:
    return model.objects.get(pk=int(pk))


# (pattern over the page's HTML, the predicate its button must satisfy for this user)
Check = Callable[[User, re.Match[str], str], bool]
BUTTONS: list[tuple[re.Pattern[str], Check]] = [
    (
        re.compile(r'action="/projects/disbursements/(\d+)/approve/"'),
        lambda u, m, _p: projects.can_approve_disbursement(u, _get(Disbursement, m[1])),
    ),
    (
        re.compile(r'action="/projects/disbursements/(\d+)/reject/"'),
        lambda u, m, _p: projects.can_reject_disbursement(u, _get(Disbursement, m[1])),
    ),
    (
        re.compile(r'action="/workplan/reports/(\d+)/(accept|return|comment|flag)/"'),
        lambda u, m, _p: getattr(workplan, f"can_{m[2]}_report")(u, _get(LedgerReport, m[1])),
    ),
    (
        re.compile(r'name="submit" value="1"'),
        lambda u, _m, path: (
            not path.startswith("/workplan/reports/")
            or workplan.can_submit_report(u, _get(LedgerReport, path.split("/")[3]))
        ),
    ),
    (
        re.compile(r'name="decision" value="(approve|reject)"'),
        lambda u, m, path: getattr(charity, f"can_{m[1]}_spending")(u, _get(Spending, path.split("/")[3])),
    ),
    (
        re.compile(r'action="/charity/spending/(\d+)/reverse/"'),
        lambda u, m, _p: charity.can_reverse_spending(u, _get(Spending, m[1])),
    ),
    (
        re.compile(r'name="form" value="(review|score|conflict)"'),
        lambda u, m, path: {
            "review": awards.can_review_eligibility,
            "score": awards.can_score_nomination,
            "conflict": awards.can_declare_conflict,
        }[m[1]](u, _get(Nomination, path.split("/")[3])),
    ),
    (
        re.compile(r'action="/awards/objections/(\d+)/answer/"'),
        lambda u, m, _p: awards.can_answer_objection(u, _get(Objection, m[1])),
    ),
]


def _problems(user: User, path: str, html: str, codes: set[str], names: set[str]) -> list[str]:
    found = []
    for pattern, allowed in BUTTONS:
        for match in pattern.finditer(html):
            if not allowed(user, match, path):
                found.append(f"button refused by its predicate: {match[0]}")
    text = ALLOWED_TEXT.sub(" ", _text(html))
    for match in HALF_WIDTH.finditer(text):
        found.append(f"half-width {match[0]!r} in …{text[max(0, match.start() - 20) : match.end() + 20]}…")
    for pattern in INTERNAL:
        for match in pattern.finditer(text):
            if match[0] not in names:
                found.append(
                    f"internal key {match[0]!r} in …{text[max(0, match.start() - 30) : match.end() + 30]}…"
                )
    for word in set(re.findall(r"(?<![\w.@/-])[a-z]+(?:_[a-z]+)*(?![\w.@/-])", text)) & codes - names:
        at = re.search(rf"(?<![\w.@/-]){word}(?![\w.@/-])", text)
        assert at
        found.append(f"enum code {word!r} in …{text[max(0, at.start() - 30) : at.end() + 30]}…")
    return found


@pytest.mark.parametrize("username", ROLES)
def test_each_roles_pages_offer_only_what_it_may_do_in_plain_chinese(
    full_demo, settings, username: str
) -> None:
    settings.BANGFU_TODAY = DEMO_TODAY
    user = User.objects.get(username=username)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    codes = _choice_codes()
    names = set(User.objects.values_list("username", flat=True))
    home = client.get("/")
    queue = list(dict.fromkeys(_menu(home.content.decode())))
    menu = set(queue)
    seen_shapes: set[str] = set()
    visited: dict[str, list[str]] = {}
    while queue and len(visited) < MAX_PAGES:
        url = queue.pop(0)
        if url in visited or SKIP.search(url):
            continue
        response = client.get(url)
        visited[url] = []
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
            continue
        html = response.content.decode()
        visited[url] = _problems(user, url.split("?")[0], html, codes, names)
        if url in menu:  # one level below the menu: one page of each kind
            for link in _links(html):
                shape = _shape(link)
                if shape not in seen_shapes and link not in visited and not SKIP.search(link):
                    seen_shapes.add(shape)
                    queue.append(link)
    problems = {url: p for url, p in visited.items() if p}
    assert len(visited) > 3
    assert problems == {}, "\n".join(f"{u}\n  " + "\n  ".join(p) for u, p in problems.items())
