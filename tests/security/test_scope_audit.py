"""Scope audit: every URL of the site and every operation of the API, walked from the URLconf and
the OpenAPI schema, so a new page or endpoint is audited the day it is added.

- Anonymous visitors reach only PUBLIC_PAGES / PUBLIC_API; every other page redirects to the login
  page (a GET may instead answer 405 for a POST-only view) and every other API operation is 401.
- For every URL that takes an object identifier, OBJECTS says how to find an object of the full demo
  county and which scope it belongs to. The user in scope gets 200 (405 for a POST-only view); a user
  of another township / organisation / county gets 404 for GET and POST — never the object, never a
  403 that leaks its existence, never a 500 — and the POST changes nothing (no audit record, the
  object's row unchanged).

A URL pattern with parameters that OBJECTS does not know fails test_every_parameterised_url_is_audited
with the entry to add.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from bangfu.accounts.models import AccountChange, ApiToken, Role, User
from bangfu.accounts.services import create_api_token, create_user
from bangfu.api import api
from bangfu.areas.models import Area
from bangfu.areas.services import load_areas_csv
from bangfu.audit.models import AuditRecord
from bangfu.awards.models import AwardRound, Nomination, Objection
from bangfu.charity.models import Campaign, Donation, Spending
from bangfu.monitoring.models import Lead, MonitoredHousehold
from bangfu.network.models import Claim, Invitation, Need, Order, Product, ProductPhoto
from bangfu.network.services import add_product_photo
from bangfu.partners.models import Cadre, Organisation, Pairing, PairingKind, Visit
from bangfu.projects.models import (
    Allocation,
    Disbursement,
    DisbursementAttachment,
    Evaluation,
    Project,
    RectificationItem,
)
from bangfu.projects.services import add_disbursement_attachment
from bangfu.registry.models import Household, ImportJob, Member
from bangfu.registry.services import create_import_job, execute_import_job
from bangfu.subsidies.models import (
    ProgrammeMilestone,
    SanzhiApplicant,
    TechnicianEnrolment,
    YuluApplication,
    YuluPaymentBatch,
    YuluTerm,
)
from bangfu.workplan.models import LedgerReport, Milestone, ReportAttachment, ReportStatus, Task
from bangfu.workplan.services import add_attachment

COUNTY = "513325000000"
OWN_TOWNSHIP = "513325100"  # 雪岭镇: the demo users "township" and "village" work here
LOGIN = "/accounts/login/"
PASSWORD = "correct-horse-battery"


# --- who is inside and who is outside each kind of scope ----------------------------------------------
@dataclass(frozen=True)
class Scope:
    insider: str
    outsider: str


SCOPES = {
    # Registry, areas, products, needs: the 雪岭镇 clerk vs the 扎西乡 clerk.
    "township": Scope(insider="township", outsider="zhaxi"),
    # A unit's own pairings, visits, reports, nominations: 省总工会 (P01) vs 锦江区 (K01).
    "unit": Scope(insider="unit", outsider="jinjiang"),
    # East–west projects funded by 顺德区 (E01) vs the counterpart partner 锦江区 (K01).
    "partner": Scope(insider="shunde", outsider="jinjiang"),
    # County-wide objects (users, organisations, campaigns, terms, rounds): the demo county's admin
    # vs the admin of another county on the same deployment (created below).
    "county": Scope(insider="admin", outsider="other-county-admin"),
    # A supporter's own claims and orders vs another supporter of the same county.
    "supporter": Scope(insider="<owner>", outsider="<another supporter>"),
}


def _first(queryset: models.QuerySet[Any], what: str) -> Any:
    obj = queryset.order_by("pk").first()
    assert obj is not None, f"the full demo has no {what}: seed one in its app's demo.py or change the finder"
    return obj


@dataclass(frozen=True)
class Obj:
    """How to audit one URL pattern: `find()` returns the URL kwargs of an in-scope object (and, for
    supporter scope, `_owner`: the username of the supporter it belongs to)."""

    scope: str  # a key of SCOPES, or "public" (anyone may see it) or "none" (the parameter is no object)
    find: Callable[[], dict[str, Any]]
    row: Callable[[dict[str, Any]], models.Model | None] = lambda kwargs: None


def _pk(
    model: type[models.Model], what: str, name: str = "pk", **filters: Any
) -> Callable[[], dict[str, Any]]:
    return lambda: {name: _first(model.objects.filter(**filters), what).pk}


def _row(model: type[models.Model], field: str = "pk", key: str = "pk") -> Callable[[dict[str, Any]], Any]:
    return lambda kwargs: model.objects.filter(**{field: kwargs[key]}).first()


def _household() -> dict[str, Any]:
    return {
        "number": _first(Household.objects.filter(village__code__startswith=OWN_TOWNSHIP), "household").number
    }


def _area() -> dict[str, Any]:
    return {"code": OWN_TOWNSHIP + "202"}  # 然布村


def _user_kwargs(**extra: Any) -> Callable[[], dict[str, Any]]:
    return lambda: {"pk": User.objects.get(username="township").pk, **extra}


def _org() -> dict[str, Any]:
    return {"code": "P01"}


_unit_pairing = _pk(Pairing, "P01 pairing", helper_organisation__code="P01")
_unit_kinship = _pk(
    Pairing, "P01 kinship pairing", kind=PairingKind.KINSHIP, helper_cadre__organisation__code="P01"
)


# Ledger reports belong to the reporting organisation: 雪岭镇人民政府 reports through the "township"
# clerk, 扎西乡人民政府 through "zhaxi".
REPORTING_ORG = "T" + OWN_TOWNSHIP


def _report() -> dict[str, Any]:
    reports = LedgerReport.objects.filter(organisation__code=REPORTING_ORG)
    return {"pk": _first(reports, f"{REPORTING_ORG} ledger report").pk}


def _report_attachment() -> dict[str, Any]:
    found = ReportAttachment.objects.filter(report__organisation__code=REPORTING_ORG)
    a = _first(found, f"{REPORTING_ORG} report attachment")
    return {"pk": a.report_id, "attachment_id": a.pk}


def _project() -> dict[str, Any]:
    return {"code": "DX-2020-001"}


def _project_allocation() -> dict[str, Any]:
    a = _first(Allocation.objects.filter(project__code="DX-2020-001"), "allocation of DX-2020-001")
    return {"code": "DX-2020-001", "pk": a.pk}


_disbursement = _pk(Disbursement, "disbursement of DX-2020-001", project__code="DX-2020-001")
_campaign = lambda: {"code": _first(Campaign.objects.filter(county__code=COUNTY), "campaign").code}  # noqa: E731
_round = lambda: {"code": _first(AwardRound.objects.filter(county__code=COUNTY), "award round").code}  # noqa: E731
_term = lambda: {"code": _first(YuluTerm.objects.filter(county__code=COUNTY), "Yulu term").code}  # noqa: E731
_round_publicised = lambda: {  # noqa: E731
    "code": _first(
        AwardRound.objects.filter(county__code=COUNTY, status__in=("publicity", "final")), "publicised round"
    ).code
}
_round_final = lambda: {  # noqa: E731
    "code": _first(AwardRound.objects.filter(county__code=COUNTY, status="final"), "final round").code
}
_project_row = _row(Project, "code", "code")
_campaign_row = _row(Campaign, "code", "code")
_round_row = _row(AwardRound, "code", "code")
_term_row = _row(YuluTerm, "code", "code")


_monitored = _pk(MonitoredHousehold, "monitored household in 雪岭镇", village__code__startswith=OWN_TOWNSHIP)


def _claim() -> dict[str, Any]:
    claim = _first(Claim.objects.filter(need__village__code__startswith=OWN_TOWNSHIP), "claim in 雪岭镇")
    return {"pk": claim.pk, "_owner": claim.supporter.user.username}


def _order() -> dict[str, Any]:
    order = _first(Order.objects.filter(buyer__role=Role.SUPPORTER), "order of a supporter")
    return {"pk": order.pk, "_owner": order.buyer.username}


# Pattern name → how to audit it. Keep in URLconf order.
OBJECTS: dict[str, Obj] = {
    "accounts:token_revoke": Obj(
        "county", _pk(ApiToken, "API token", user__area__code__startswith=COUNTY[:6]), _row(ApiToken)
    ),
    "accounts:change_confirm": Obj(
        "county",
        _pk(
            AccountChange,
            "account change",
            area_code__startswith=COUNTY[:6],
            confirmed_by__isnull=True,
            user__role=Role.TOWNSHIP_CLERK,
        ),
        _row(AccountChange),
    ),
    "accounts:user_edit": Obj("county", _user_kwargs(), _row(User)),
    "accounts:user_set_active": Obj("county", _user_kwargs(active=0), _row(User)),
    "accounts:user_set_password": Obj("county", _user_kwargs(), _row(User)),
    "areas:detail": Obj("township", _area, _row(Area, "code", "code")),
    "registry:household_detail": Obj("township", _household, _row(Household, "number", "number")),
    "registry:reveal_id": Obj(
        "township",
        _pk(Member, "member in 雪岭镇", household__village__code__startswith=OWN_TOWNSHIP),
        _row(Member),
    ),
    "registry:import_detail": Obj(
        "county", _pk(ImportJob, "import job", county__code=COUNTY), _row(ImportJob)
    ),
    "registry:import_errors": Obj(
        "county", _pk(ImportJob, "import job", county__code=COUNTY), _row(ImportJob)
    ),
    "partners:organisation": Obj("county", _org, _row(Organisation, "code", "code")),
    "partners:contact_create": Obj("county", _org, _row(Organisation, "code", "code")),
    "partners:organisation_set_parent": Obj("county", _org, _row(Organisation, "code", "code")),
    "partners:cadre_edit": Obj("unit", _pk(Cadre, "P01 cadre", organisation__code="P01"), _row(Cadre)),
    "partners:pairing": Obj("unit", _unit_pairing, _row(Pairing)),
    "partners:pairing_end": Obj("county", _unit_pairing, _row(Pairing)),
    "partners:pairing_change_helper": Obj("county", _unit_pairing, _row(Pairing)),
    "partners:pairing_figures": Obj("unit", _unit_pairing, _row(Pairing)),
    "partners:kinship_visit_create": Obj("unit", _unit_kinship, _row(Pairing)),
    "workplan:task_edit": Obj("county", _pk(Task, "task", plan__county__code=COUNTY), _row(Task)),
    "workplan:milestone_complete": Obj(
        "county", _pk(Milestone, "milestone", task__plan__county__code=COUNTY), _row(Milestone)
    ),
    "workplan:report": Obj("township", _report, _row(LedgerReport)),
    "workplan:attachment": Obj("township", _report_attachment, _row(LedgerReport)),
    "workplan:review": Obj("county", lambda: {**_report(), "action": "accept"}, _row(LedgerReport)),
    "projects:disbursement_approve": Obj("partner", _disbursement, _row(Disbursement)),
    "projects:disbursement_reject": Obj("partner", _disbursement, _row(Disbursement)),
    "projects:attachment_upload": Obj("partner", _disbursement, _row(Disbursement)),
    "projects:attachment": Obj(
        "partner",
        _pk(DisbursementAttachment, "attachment of DX-2020-001", disbursement__project__code="DX-2020-001"),
        _row(DisbursementAttachment),
    ),
    "projects:evaluation": Obj(
        "county", _pk(Evaluation, "evaluation", project__county__code=COUNTY), _row(Evaluation)
    ),
    "projects:rectification_close": Obj(
        "county", _pk(RectificationItem, "rectification item"), _row(RectificationItem)
    ),
    "projects:detail": Obj("partner", _project, _project_row),
    "projects:edit": Obj("county", _project, _project_row),
    "projects:status": Obj("county", _project, _project_row),
    "projects:allocation_create": Obj("county", _project, _project_row),
    "projects:allocation_reverse": Obj("county", _project_allocation, _row(Allocation)),
    "projects:disbursement_create": Obj("partner", _project, _project_row),
    "charity:campaign": Obj("county", _campaign, _campaign_row),
    "charity:campaign_status": Obj("county", _campaign, _campaign_row),
    "charity:donation_new": Obj("county", _campaign, _campaign_row),
    "charity:donation_import": Obj("county", _campaign, _campaign_row),
    "charity:spending_new": Obj("county", _campaign, _campaign_row),
    "charity:receipt": Obj(
        "county", _pk(Donation, "donation", campaign__county__code=COUNTY), _row(Donation)
    ),
    "charity:donation_void": Obj(
        "county", _pk(Donation, "donation", campaign__county__code=COUNTY), _row(Donation)
    ),
    "charity:spending": Obj(
        "county", _pk(Spending, "spending", campaign__county__code=COUNTY), _row(Spending)
    ),
    "charity:spending_reverse": Obj(
        "county", _pk(Spending, "spending", campaign__county__code=COUNTY), _row(Spending)
    ),
    "charity:disclosure_campaign": Obj("public", _campaign),
    "charity:disclosure_download": Obj("public", lambda: {**_campaign(), "what": "donations.csv"}),
    "awards:public_round": Obj("public", _round),
    "awards:public_objection": Obj(
        "public",
        lambda: {**_round(), "pk": _first(Nomination.objects.filter(county__code=COUNTY), "nomination").pk},
    ),
    "awards:nomination": Obj(
        "unit", _pk(Nomination, "P01 nomination", nominating_org__code="P01"), _row(Nomination)
    ),
    "awards:attachment": Obj(
        "unit", _pk(Nomination, "P01 nomination", nominating_org__code="P01"), _row(Nomination)
    ),
    "awards:objection_answer": Obj("county", _pk(Objection, "objection"), _row(Objection)),
    "awards:round": Obj("county", _round, _round_row),
    "awards:round_status": Obj("county", _round, _round_row),
    "awards:nominate": Obj("county", _round, _round_row),
    "awards:award_type_new": Obj("county", _round, _round_row),
    "awards:panel_add": Obj("county", _round, _round_row),
    "network:signup_with_code": Obj(
        "public", lambda: {"code": _first(Invitation.objects.filter(county__code=COUNTY), "invitation").code}
    ),
    "network:product": Obj("public", _pk(Product, "product")),
    "network:photo": Obj("public", _pk(ProductPhoto, "product photo")),
    "network:need": Obj("public", _pk(Need, "need", village__code__startswith=OWN_TOWNSHIP)),
    "network:need_claim": Obj("public", _pk(Need, "need", village__code__startswith=OWN_TOWNSHIP)),
    "network:claim_deliver": Obj("supporter", _claim, _row(Claim)),
    "network:claim_withdraw": Obj("supporter", _claim, _row(Claim)),
    "network:order": Obj("supporter", _order, _row(Order)),
    "network:product_edit": Obj(
        "township", _pk(Product, "product in 雪岭镇", village__code__startswith=OWN_TOWNSHIP), _row(Product)
    ),
    "network:product_stock": Obj(
        "township", _pk(Product, "product in 雪岭镇", village__code__startswith=OWN_TOWNSHIP), _row(Product)
    ),
    "network:product_photo": Obj(
        "township", _pk(Product, "product in 雪岭镇", village__code__startswith=OWN_TOWNSHIP), _row(Product)
    ),
    "network:manage_need": Obj(
        "township", _pk(Need, "need in 雪岭镇", village__code__startswith=OWN_TOWNSHIP), _row(Need)
    ),
    "network:need_review": Obj(
        "township", _pk(Need, "need in 雪岭镇", village__code__startswith=OWN_TOWNSHIP), _row(Need)
    ),
    "network:need_close": Obj(
        "township", _pk(Need, "need in 雪岭镇", village__code__startswith=OWN_TOWNSHIP), _row(Need)
    ),
    "network:claim_confirm": Obj(
        "township", _pk(Claim, "claim in 雪岭镇", need__village__code__startswith=OWN_TOWNSHIP), _row(Claim)
    ),
    "network:claim_photo": Obj(
        "township", _pk(Claim, "claim in 雪岭镇", need__village__code__startswith=OWN_TOWNSHIP), _row(Claim)
    ),
    "subsidies:term": Obj("county", _term, _term_row),
    "documents:yulu_notice": Obj("county", _term, _term_row),
    "documents:award_publicity": Obj("county", _round_publicised, _round_row),
    "documents:award_result": Obj("county", _round_final, _round_row),
    "documents:donation_use": Obj("county", _campaign, _campaign_row),
    "subsidies:term_edit": Obj("county", _term, _term_row),
    "subsidies:paid_list": Obj("county", _term, _term_row),
    "subsidies:applications": Obj("county", _term, _term_row),
    "subsidies:batch_create": Obj("county", _term, _term_row),
    "subsidies:reconciliation_file": Obj("county", _term, _term_row),
    "subsidies:application_review": Obj(
        "township",
        _pk(YuluApplication, "Yulu application in 雪岭镇", village__code__startswith=OWN_TOWNSHIP),
        _row(YuluApplication),
    ),
    "subsidies:batch_paid": Obj(
        "county", _pk(YuluPaymentBatch, "Yulu batch", county__code=COUNTY), _row(YuluPaymentBatch)
    ),
    "subsidies:batch_file": Obj(
        "county", _pk(YuluPaymentBatch, "Yulu batch", county__code=COUNTY), _row(YuluPaymentBatch)
    ),
    "subsidies:milestone_complete": Obj(
        "county",
        _pk(ProgrammeMilestone, "programme milestone", county__code=COUNTY),
        _row(ProgrammeMilestone),
    ),
    "subsidies:technician_action": Obj("none", lambda: {"year": 2020}),
    "subsidies:technician_status": Obj(
        "county",
        _pk(TechnicianEnrolment, "technician enrolment", county__code=COUNTY),
        _row(TechnicianEnrolment),
    ),
    "subsidies:sanzhi_plan": Obj("none", lambda: {"year": 2020}),
    "subsidies:sanzhi_action": Obj("none", lambda: {"year": 2020}),
    "subsidies:sanzhi_advance": Obj(
        "county", _pk(SanzhiApplicant, "Sanzhi applicant"), _row(SanzhiApplicant)
    ),
    "monitoring:household": Obj("township", _monitored, _row(MonitoredHousehold)),
    "monitoring:household_action": Obj(
        "township", lambda: {**_monitored(), "action": "visit"}, _row(MonitoredHousehold)
    ),
    "monitoring:decide_lead": Obj(
        "township", _pk(Lead, "lead in 雪岭镇", village__code__startswith=OWN_TOWNSHIP), _row(Lead)
    ),
}

# Pages anyone may open without logging in (names; parameterised ones are "public" in OBJECTS).
PUBLIC_PAGES = {
    "login",
    "logout",
    "healthz",
    "set_language",
    "charity:disclosure",
    "charity:disclosure_campaign",
    "charity:disclosure_download",
    "awards:public_index",
    "awards:public_round",
    "awards:public_objection",
    "network:signup",
    "network:signup_with_code",
    "network:catalogue",
    "network:product",
    "network:photo",
    "network:needs",
    "network:need",
}
# The API's own documentation (no data) and the public catalogue and anonymised needs.
PUBLIC_API_PAGES = {"api:api-root", "api:openapi-json", "api:openapi-view"}  # the bare root is a 404
PUBLIC_API = {
    "GET /api/v1/network/products",
    "GET /api/v1/network/needs",
    "GET /api/v1/network/needs/{need_id}",
}


# --- walking the URLconf --------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    name: str
    route: str
    params: tuple[str, ...]


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace else (p.name or "")
            yield Route(name, prefix + str(p.pattern), tuple(p.pattern.regex.groupindex))


ROUTES = list(_walk(get_resolver().url_patterns))
# API operations are audited through the OpenAPI schema; the API's documentation pages are pages.
PAGES = [r for r in ROUTES if not r.route.startswith("api/v1/") or r.name in PUBLIC_API_PAGES]
API_OPERATIONS = [
    (method.upper(), path, op)
    for path, ops in api.get_openapi_schema()["paths"].items()
    for method, op in ops.items()
]


def _url(route: Route, kwargs: dict[str, Any]) -> str:
    from django.urls import reverse

    return reverse(route.name, kwargs={k: v for k, v in kwargs.items() if not k.startswith("_")})


# --- personas ----------------------------------------------------------------------------------------
OTHER_COUNTY_CSV = (
    "code,name,level,parent_code,registered_poor\n"
    "513326000000,邻县,county,513300000000,0\n"
    "513326100000,邻县一镇,township,513326000000,0\n"
).encode()


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cf"
    "c0f01f0005000201a5f6b1e90000000049454e44ae426082"
)


def _files_the_demo_lacks() -> None:
    """Every file-serving URL needs a file to serve: add them the way users do (services), or on the
    row where no service stores one outside a longer workflow."""
    admin, township, shunde = (User.objects.get(username=u) for u in ("admin", "township", "shunde"))
    job = create_import_job(
        actor=admin,
        county=Area.objects.get(code=COUNTY),
        file_name="audit.csv",
        # One row with a wrong check digit: the job ends with an error report to download.
        content="县,乡镇,行政村,户编号,姓名,证件号码,与户主关系\n格桑县,雪岭镇,然布村,H1,甲,513325199001011230,户主\n".encode(),
        as_of=date(2020, 6, 30),
    )
    execute_import_job(job_id=job.pk)
    report = _first(
        LedgerReport.objects.filter(organisation__code=REPORTING_ORG, status=ReportStatus.RETURNED),
        "returned report",
    )
    add_attachment(actor=township, report=report, upload=SimpleUploadedFile("audit.pdf", b"%PDF-1.4 audit"))
    add_disbursement_attachment(
        actor=shunde,
        disbursement=Disbursement.objects.get(pk=_disbursement()["pk"]),
        upload=SimpleUploadedFile("audit.pdf", b"%PDF-1.4 audit"),
    )
    product = _first(Product.objects.filter(village__code__startswith=OWN_TOWNSHIP), "product in 雪岭镇")
    add_product_photo(actor=township, product=product, image=SimpleUploadedFile("audit.png", PNG))
    for nomination in Nomination.objects.filter(attachment=""):
        nomination.attachment.save("audit.pdf", ContentFile(b"%PDF-1.4 audit"))
    for claim in Claim.objects.filter(confirm_photo=""):
        claim.confirm_photo.save("audit.png", ContentFile(PNG))


@pytest.fixture(scope="module")
def audit_world(full_demo, django_db_blocker, tmp_path_factory) -> Iterator[None]:
    """Once for the module (rolled back after it): another county with its admin, and the files."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    with django_db_blocker.unblock(), media, transaction.atomic():
        load_areas_csv(actor=None, data=OTHER_COUNTY_CSV)
        create_user(
            actor=None,
            username="other-county-admin",
            password=PASSWORD,
            role=Role.COUNTY_ADMIN,
            area=Area.objects.get(code="513326000000"),
        )
        _files_the_demo_lacks()
        create_api_token(
            actor=None, user=User.objects.filter(role=Role.TOWNSHIP_CLERK).order_by("pk").first()
        )
        yield
        transaction.set_rollback(True)


@pytest.fixture
def audit(audit_world, db) -> None:
    """Each test runs in its own transaction on top of the audit world."""


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _another_supporter(owner: str) -> str:
    other = (
        User.objects.filter(role=Role.SUPPORTER, is_active=True)
        .exclude(username=owner)
        .order_by("pk")
        .first()
    )
    assert other is not None
    return other.username


def _people(spec: Obj, kwargs: dict[str, Any]) -> tuple[str, str]:
    if spec.scope == "supporter":
        return kwargs["_owner"], _another_supporter(kwargs["_owner"])
    scope = SCOPES[spec.scope]
    return scope.insider, scope.outsider


def _snapshot(spec: Obj, kwargs: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
    row = spec.row(kwargs)
    return AuditRecord.objects.count(), (model_to_dict(row) if row is not None else None)


# --- the audit ---------------------------------------------------------------------------------------
def test_every_parameterised_url_is_audited() -> None:
    unknown = [f"{r.name}  ({r.route})" for r in PAGES if r.params and r.name not in OBJECTS]
    assert unknown == [], (
        "These URL patterns take parameters the scope audit cannot fill. Add each to OBJECTS in "
        f"{__file__} (scope + how to find an in-scope object of the full demo):\n" + "\n".join(unknown)
    )
    stale = sorted(set(OBJECTS) - {r.name for r in PAGES})
    assert stale == [], f"OBJECTS names patterns that no longer exist: {stale}"


def test_the_walk_covers_the_site() -> None:
    assert len(PAGES) >= 150
    assert len(API_OPERATIONS) >= 50
    # Every other route under /api/v1/ is an operation of the schema, so the API tests see it.
    schema_paths = {path for _method, path, _op in API_OPERATIONS}
    api_routes = {
        "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r.route)
        for r in ROUTES
        if r.route.startswith("api/v1/") and r.name not in PUBLIC_API_PAGES
    }
    assert api_routes - schema_paths == set()


@pytest.mark.parametrize("route", PAGES, ids=lambda r: r.name)
def test_anonymous_visitors_reach_only_public_pages(route: Route, audit) -> None:
    if route.name in PUBLIC_API_PAGES:
        assert Client().get(_url(route, {})).status_code == (404 if route.name == "api:api-root" else 200)
        return
    kwargs = OBJECTS[route.name].find() if route.params else {}
    url = _url(route, kwargs)
    public = route.name in PUBLIC_PAGES
    before = AuditRecord.objects.count()
    got = Client().get(url)
    if public:
        assert got.status_code < 500, f"{url} → {got.status_code}"
        return
    assert got.status_code in (302, 405), f"{url} answered {got.status_code} to an anonymous GET"
    if got.status_code == 302:
        assert got["Location"].startswith(LOGIN), f"{url} redirected to {got['Location']}"
    posted = Client().post(url, {})
    assert posted.status_code == 302 and posted["Location"].startswith(LOGIN), (
        f"{url} answered {posted.status_code} to an anonymous POST"
    )
    assert AuditRecord.objects.count() == before


SCOPED = [r for r in PAGES if r.params and OBJECTS.get(r.name, Obj("none", dict)).scope in SCOPES]


@pytest.mark.parametrize("route", SCOPED, ids=lambda r: r.name)
def test_outsiders_get_404_and_change_nothing(route: Route, audit) -> None:
    spec = OBJECTS[route.name]
    kwargs = spec.find()
    url = _url(route, kwargs)
    insider, outsider = _people(spec, kwargs)

    seen = _client(insider).get(url)
    assert seen.status_code in (200, 405), f"{insider} (in scope) got {seen.status_code} for {url}"

    before = _snapshot(spec, kwargs)
    other = _client(outsider)
    got = other.get(url)
    assert got.status_code in (404, 405), f"{outsider} (out of scope) got {got.status_code} for GET {url}"
    posted = other.post(url, {})
    assert posted.status_code == 404, f"{outsider} (out of scope) got {posted.status_code} for POST {url}"
    assert _snapshot(spec, kwargs) == before, f"an out-of-scope POST to {url} changed something"


# --- the API ----------------------------------------------------------------------------------------
API_OBJECTS: dict[str, Obj] = {
    "/api/v1/areas/{code}": Obj("township", _area, _row(Area, "code", "code")),
    "/api/v1/registry/households/{number}": Obj("township", _household, _row(Household, "number", "number")),
    "/api/v1/partners/visits/{visit_id}": Obj(
        "unit", _pk(Visit, "P01 visit", "visit_id", organisation__code="P01")
    ),
    "/api/v1/workplan/reports/{report_id}/submit": Obj(
        "township", lambda: {"report_id": _report()["pk"]}, _row(LedgerReport, "pk", "report_id")
    ),
    "/api/v1/projects/evaluations/{pk}": Obj(
        "county", _pk(Evaluation, "evaluation", project__county__code=COUNTY), _row(Evaluation)
    ),
    "/api/v1/projects/{code}": Obj("partner", _project, _project_row),
    "/api/v1/projects/{code}/status": Obj("partner", _project, _project_row),
    "/api/v1/projects/{code}/allocations": Obj("partner", _project, _project_row),
    "/api/v1/projects/{code}/allocations/{pk}/reverse": Obj("partner", _project_allocation, _row(Allocation)),
    "/api/v1/projects/{code}/disbursements": Obj("partner", _project, _project_row),
    "/api/v1/projects/disbursements/{pk}": Obj("partner", _disbursement, _row(Disbursement)),
    "/api/v1/projects/disbursements/{pk}/approve": Obj("partner", _disbursement, _row(Disbursement)),
    "/api/v1/projects/disbursements/{pk}/attachments": Obj("partner", _disbursement, _row(Disbursement)),
    "/api/v1/projects/disbursements/{pk}/reject": Obj("partner", _disbursement, _row(Disbursement)),
    "/api/v1/disbursements/{pk}": Obj("partner", _disbursement, _row(Disbursement)),
    "/api/v1/disbursements/{pk}/approve": Obj("partner", _disbursement, _row(Disbursement)),
    "/api/v1/disbursements/{pk}/reject": Obj("partner", _disbursement, _row(Disbursement)),
    "/api/v1/charity/campaigns/{code}": Obj("county", _campaign, _campaign_row),
    "/api/v1/charity/spendings/{pk}/decide": Obj(
        "county", _pk(Spending, "spending", campaign__county__code=COUNTY), _row(Spending)
    ),
    "/api/v1/charity/campaigns/{code}/donations": Obj("county", _campaign, _campaign_row),
    "/api/v1/network/products/{product_id}/orders": Obj("public", _pk(Product, "product", "product_id")),
    "/api/v1/network/needs/{need_id}": Obj("public", _pk(Need, "need", "need_id")),
    "/api/v1/network/needs/{need_id}/claim": Obj("public", _pk(Need, "need", "need_id")),
    "/api/v1/subsidies/yulu/terms/{code}/reconciliation": Obj("county", _term, _term_row),
    "/api/v1/monitoring/households/{pk}": Obj("township", _monitored, _row(MonitoredHousehold)),
    "/api/v1/monitoring/households/{pk}/steps": Obj("township", _monitored, _row(MonitoredHousehold)),
}


def _api_url(path: str, kwargs: dict[str, Any]) -> str:
    for key, value in kwargs.items():
        path = path.replace("{" + key + "}", str(value))
    return path


# A valid body for every write, so the request gets past input validation to the scope check.
API_BODIES: dict[str, Any] = {
    "POST /api/v1/projects/evaluations/{pk}": {"score": "80", "findings": "审计"},
    "POST /api/v1/projects/{code}/status": {"status": "cancelled", "reason": "审计"},
    "POST /api/v1/projects/{code}/allocations": {"amount": "100.00", "source": "partner"},
    "POST /api/v1/projects/{code}/allocations/{pk}/reverse": {"reason": "审计"},
    "POST /api/v1/projects/{code}/disbursements": {"amount": "1.00", "payee": "审计", "purpose": "审计"},
    "POST /api/v1/projects/disbursements/{pk}/reject": {"reason": "审计"},
    "POST /api/v1/charity/spendings/{pk}/decide": {"approve": False, "comment": "审计"},
    "POST /api/v1/disbursements/{pk}/reject": {"reason": "审计"},
    "POST /api/v1/monitoring/households/{pk}/steps": {"step": "village_review", "date": "2020-07-14"},
    "POST /api/v1/charity/campaigns/{code}/donations": {
        "receipt_number": "AUDIT-1",
        "donor_kind": "person",
        "donor_name": "审计",
        "amount": "10.00",
        "donated_on": "2020-10-17",
        "channel": "bank",
    },
}


def _call(client: Client, method: str, url: str, label: str = "") -> Any:
    if method == "GET":
        return client.get(url)
    if label.endswith("/attachments"):
        upload = SimpleUploadedFile("audit.pdf", b"%PDF-1.4 audit", content_type="application/pdf")
        return client.post(url, {"file": upload})
    body = API_BODIES.get(label, {})
    return getattr(client, method.lower())(url, data=json.dumps(body), content_type="application/json")


def test_every_parameterised_api_path_is_audited() -> None:
    unknown = sorted({path for _m, path, _op in API_OPERATIONS if "{" in path} - set(API_OBJECTS))
    assert unknown == [], f"add these API paths to API_OBJECTS in {__file__}: {unknown}"


@pytest.mark.parametrize(
    ("method", "path", "op"), API_OPERATIONS, ids=lambda v: v if isinstance(v, str) else ""
)
def test_anonymous_api_calls_are_401(method: str, path: str, op: dict[str, Any], audit) -> None:
    label = f"{method} {path}"
    declared_public = "security" not in op
    assert declared_public == (label in PUBLIC_API), (
        f"{label}: public in the schema but not in PUBLIC_API or back"
    )
    kwargs = API_OBJECTS[path].find() if "{" in path else {}
    before = AuditRecord.objects.count()
    got = _call(Client(), method, _api_url(path, kwargs))
    if label in PUBLIC_API:
        assert got.status_code == 200
        return
    assert got.status_code == 401, f"anonymous {label} → {got.status_code}"
    assert AuditRecord.objects.count() == before


API_SCOPED = [(m, p) for m, p, _op in API_OPERATIONS if "{" in p and API_OBJECTS[p].scope in SCOPES]


@pytest.mark.parametrize(("method", "path"), API_SCOPED, ids=lambda v: v)
def test_api_outsiders_get_404_and_change_nothing(method: str, path: str, audit) -> None:
    spec = API_OBJECTS[path]
    kwargs = spec.find()
    url = _api_url(path, kwargs)
    insider, outsider = _people(spec, kwargs)
    if method == "GET":
        seen = _client(insider).get(url)
        assert seen.status_code == 200, f"{insider} (in scope) got {seen.status_code} for GET {url}"
    before = _snapshot(spec, kwargs)
    got = _call(_client(outsider), method, url, f"{method} {path}")
    assert got.status_code == 404, f"{outsider} (out of scope) got {got.status_code} for {method} {url}"
    assert got.json() == {"detail": "未找到。"}
    assert _snapshot(spec, kwargs) == before
