"""Every HTML form the demo's roles can reach, POSTed with malformed and missing fields and, where
it takes a file, with each malformed file of tests/hostile.py: no answer is a server error
(issue #18). Deterministic and bounded: the forms of each role's pages and of the first detail
pages they link to, one request per kind of bad value.

Each role's crawl runs once (cached for the package's one demo database) and its forms are
fuzzed in PARTS slices, one test each, so the progress counter moves while they run (issue #17);
each slice's POSTs are rolled back with its test."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bangfu.accounts.models import User

from ..hostile import cases

BAD_VALUES = [
    "",
    "1e30",
    "99999999999999999999",
    "-1",
    "NaN",
    "0001-01-01",
    "9999-12-31",
    "２０２０-１３-４５",
    "x" * 5000,
    "\x00",
    "'\"<script>",
]
# Query strings of list and report pages: every usual filter name at once, one junk value a request
# ("²" passes str.isdigit() but not int(); 30 digits overflow the database's integer).
QUERY_KEYS = (
    "year month page status kind type level task organisation project partner since until stage show "
    "role q poor certified actor action target format"
).split()
QUERY_VALUES = ["²", "9" * 30, "0", "2020-13", "'\"<x>\x00"]
MAX_PAGES = 60
PARTS = 6
DETAIL_LINKS_PER_PAGE = 2
SKIP = ("/accounts/logout", "/i18n/", "/static/", "/media/", ".xlsx", ".docx", ".csv", ".pdf")


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._form: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        elif tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": {}, "files": []}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea") and a.get("name"):
            name = a["name"] or ""
            if a.get("type") == "file":
                self._form["files"].append(name)
            elif name != "csrfmiddlewaretoken":
                self._form["fields"][name] = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def _parse(html: str) -> _Forms:
    parser = _Forms()
    parser.feed(html)
    return parser


def _crawl(client: Client, pages: list[str] | None = None) -> list[tuple[str, dict]]:
    """(page URL, form) for the forms on the role's pages (and the HTML pages seen, into `pages`)."""
    seen: set[str] = set()
    queue = ["/"]
    found: list[tuple[str, dict]] = []
    nav = True
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen or any(s in url for s in SKIP):
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        if pages is not None:
            pages.append(url)
        page = _parse(response.content.decode())
        found.extend((url, form) for form in page.forms)
        local = [
            urlparse(urljoin(url, href)).path for href in page.links if not href.startswith(("http", "#"))
        ]
        if nav:  # the home page: every navigation link
            queue.extend(local)
            nav = False
        else:
            details = [h for h in local if h.startswith(url) and h != url][:DETAIL_LINKS_PER_PAGE]
            queue.extend(details)
    return found


def _post(client: Client, url: str, data: dict) -> int:
    return client.post(url, data).status_code


# The crawls, once per role for the package's demo database (a slice's POSTs are rolled back).
_FORMS: dict[str, list[tuple[str, dict]]] = {}
_PAGES: list[str] = []


def _forms_of(client: Client, username: str) -> list[tuple[str, dict]]:
    if username not in _FORMS:
        _FORMS[username] = _crawl(client)
    return _FORMS[username]


@pytest.mark.parametrize("part", range(PARTS))
@pytest.mark.parametrize("username", ["admin", "unit", "township"])
def test_no_form_answers_a_server_error(full_demo, db, username, part):
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=username))
    forms = _forms_of(client, username)
    assert forms, "the crawl found no form"
    errors = []
    for page, form in forms[part::PARTS]:
        action = urljoin(page, form["action"]) if form["action"] else page
        if any(s in action for s in SKIP):
            continue
        attempts: list[dict] = [{}]  # nothing at all
        names = list(form["fields"])
        attempts += [dict.fromkeys(names, value) for value in BAD_VALUES]
        attempts += [{**form["fields"], name: "1e30"} for name in names[:6]]  # one bad field
        for data in attempts:
            status = _post(client, action, data)
            if status >= 500:
                errors.append((action, {k: str(v)[:20] for k, v in data.items()}, status))
        for field in form["files"]:
            for name, content in cases("a,b").values():
                status = _post(client, action, {**form["fields"], field: SimpleUploadedFile(name, content)})
                if status >= 500:
                    errors.append((action, {field: name}, status))
    assert errors == [], "\n".join(map(repr, errors))


@pytest.mark.parametrize("part", range(PARTS))
def test_no_list_or_report_page_answers_a_server_error_to_a_junk_query(full_demo, db, part):
    """The county admin's pages (they see every list and report), each GET with junk filters."""
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="admin"))
    if not _PAGES:
        _crawl(client, _PAGES)
    pages = _PAGES
    assert len(pages) > 20, pages
    errors = []
    for url in pages[part::PARTS]:
        for value in QUERY_VALUES:
            status = client.get(url, dict.fromkeys(QUERY_KEYS, value)).status_code
            if status >= 500:
                errors.append((url, value, status))
    assert errors == [], "\n".join(map(repr, errors))
