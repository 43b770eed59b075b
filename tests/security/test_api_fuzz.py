"""Schemathesis against /api/v1/openapi.json, in-process (WSGI), as the demo county's admin.

Every operation of the served schema is fuzzed, writes included (the database is the test
database, rolled back after each operation). Each response must not be a 5xx and must match what
the operation declares: status code, content type, body schema, auth handling, and rejection of
schema-invalid input. Anything this finds is a bug in the API: fix the endpoint (bounded inputs,
declared `errors(...)` from `bangfu.lib.api`), do not loosen the checks.

Deterministic (`derandomize`) with a bounded number of examples per operation so `make test`
stays fast and never flakes; explore further locally with e.g. `BANGFU_FUZZ_EXAMPLES=300`
(random, not derandomized).
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from bangfu.accounts.models import User
from bangfu.accounts.services import create_api_token
from bangfu.areas.models import Area
from bangfu.charity.models import Campaign, Spending
from bangfu.monitoring.models import MonitoredHousehold
from bangfu.network.models import Need, Product
from bangfu.partners.models import Cadre, Organisation, Pairing, PairingKind, Visit
from bangfu.projects.models import Allocation, Disbursement, Evaluation, Project
from bangfu.registry.models import Household
from bangfu.subsidies.models import YuluTerm
from bangfu.workplan.models import LedgerReport

COUNTY = "513325"
EXAMPLES = int(os.environ.get("BANGFU_FUZZ_EXAMPLES", "20"))

WRITE_REFUSALS = ["2xx", "401", "403", "404", "409", "422"]
config = schemathesis.Config.from_dict(
    {
        "operations": [
            {
                # A write may be refused for reasons no schema can express (not enough balance,
                # a state that does not allow it, a duplicate receipt number): 422, declared.
                # Reads must accept every schema-valid request.
                "include-method-regex": "^(POST|PUT|PATCH|DELETE)$",
                "checks": {"positive_data_acceptance": {"expected-statuses": WRITE_REFUSALS}},
            }
        ]
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(), config=config)


# --- steering: in-scope objects, so that requests reach the code behind the 404s ---------------------
def _sample(values: Iterator[Any] | list[Any], limit: int = 40) -> list[Any]:
    return list(values)[:limit]


def _codes(
    model: Any, field: str = "code", name: str = "code", **filters: Any
) -> Callable[[], list[dict[str, Any]]]:
    def find() -> list[dict[str, Any]]:
        rows = model.objects.filter(**filters).order_by(field).values_list(field, flat=True)
        return [{name: v} for v in _sample(rows)]

    return find


def _ids(model: Any, name: str, **filters: Any) -> Callable[[], list[dict[str, Any]]]:
    def find() -> list[dict[str, Any]]:
        rows = model.objects.filter(**filters).order_by("pk").values_list("pk", flat=True)
        return [{name: v} for v in _sample(rows)]

    return find


def _allocations() -> list[dict[str, Any]]:
    rows = Allocation.objects.filter(project__county__code__startswith=COUNTY).order_by("pk")
    return [{"code": a.project.code, "pk": a.pk} for a in _sample(rows.select_related("project"))]


_disbursements = _ids(Disbursement, "pk", project__county__code__startswith=COUNTY)
_projects = _codes(Project, county__code__startswith=COUNTY)
_campaigns = _codes(Campaign, county__code__startswith=COUNTY)

# Path template (regex) → in-scope path parameters of the demo county. Every operation with path
# parameters must be listed (see test_every_path_parameter_is_steered).
PATH_OBJECTS: list[tuple[str, Callable[[], list[dict[str, Any]]]]] = [
    (r"/areas/\{code\}$", _codes(Area, code__startswith=COUNTY)),
    (
        r"/registry/households/\{number\}$",
        _codes(Household, "number", name="number", county__code__startswith=COUNTY),
    ),
    (r"/partners/visits/\{visit_id\}$", _ids(Visit, "visit_id")),
    (r"/workplan/reports/\{report_id\}/submit$", _ids(LedgerReport, "report_id")),
    (r"/projects/evaluations/\{pk\}$", _ids(Evaluation, "pk")),
    (r"/projects/\{code\}/allocations/\{pk\}/reverse$", _allocations),
    (r"/projects/\{code\}(/status|/allocations|/disbursements)?$", _projects),
    (r"/disbursements/\{pk\}(/approve|/reject|/attachments)?$", _disbursements),
    (r"/charity/campaigns/\{code\}(/donations)?$", _campaigns),
    (r"/charity/spendings/\{pk\}/decide$", _ids(Spending, "pk", campaign__county__code__startswith=COUNTY)),
    (r"/network/products/\{product_id\}/orders$", _ids(Product, "product_id")),
    (r"/network/needs/\{need_id\}(/claim)?$", _ids(Need, "need_id")),
    (r"/subsidies/yulu/terms/\{code\}/reconciliation$", _codes(YuluTerm)),
    (r"/monitoring/households/\{pk\}(/steps)?$", _ids(MonitoredHousehold, "pk")),
]


def _path_objects(path: str) -> Callable[[], list[dict[str, Any]]] | None:
    for pattern, find in PATH_OBJECTS:
        if re.search(pattern, path):
            return find
    return None


def _org_codes() -> list[str]:
    return _sample(Organisation.objects.filter(county__code=COUNTY + "000000").values_list("code", flat=True))


def _village_codes() -> list[str]:
    villages = Area.objects.filter(code__startswith=COUNTY, level="village")
    return _sample(villages.order_by("code").values_list("code", flat=True))


# Body fields that name another object → in-scope values.
BODY_REFERENCES: dict[str, Callable[[], list[Any]]] = {
    "area_code": _village_codes,
    "village": _village_codes,
    "organisation": _org_codes,
    "partner_code": _org_codes,
    "funder_code": _org_codes,
    "funder_codes": lambda: [[code] for code in _org_codes()],
    "cadre_ids": lambda: [[pk] for pk in Cadre.objects.order_by("pk").values_list("pk", flat=True)[:40]],
    "pairing_id": lambda: _sample(
        Pairing.objects.filter(kind=PairingKind.KINSHIP).order_by("pk").values_list("pk", flat=True)
    ),
}

_known: dict[str, list[Any]] = {}


def _cached(key: str, find: Callable[[], list[Any]]) -> list[Any]:
    if key not in _known:
        _known[key] = find()
    return _known[key]


@schema.hook
def flatmap_case(context: Any, case: Any) -> st.SearchStrategy[Any]:
    """For positive cases, half the time aim the path at an existing in-scope object and the body's
    references at existing objects; negative cases stay as generated."""
    if case.meta is None or case.meta.generation.mode != schemathesis.GenerationMode.POSITIVE:
        return st.just(case)
    find = _path_objects(case.operation.path)
    objects = _cached(case.operation.path, find) if find is not None and case.path_parameters else []
    body = case.body if isinstance(case.body, dict) else {}
    refs = {name: _cached(name, find) for name, find in BODY_REFERENCES.items() if name in body}
    refs = {name: values for name, values in refs.items() if values}

    def apply(choice: tuple[dict[str, Any] | None, dict[str, Any]]) -> Any:
        path_parameters, body_values = choice
        if path_parameters is not None:
            case.path_parameters = {**case.path_parameters, **path_parameters}
        chosen = {name: value for name, value in body_values.items() if value is not None}
        if chosen:
            case.body = {**body, **chosen}
        return case

    return st.tuples(
        st.none() | st.sampled_from(objects) if objects else st.none(),
        st.fixed_dictionaries({name: st.none() | st.sampled_from(values) for name, values in refs.items()}),
    ).map(apply)


# --- the fuzz test ------------------------------------------------------------------------------------
SUCCESSES: dict[str, int] = defaultdict(int)
RUN: set[str] = set()


@pytest.fixture
def token(full_demo, db) -> Iterator[str]:
    _known.clear()  # ids differ between runs; objects created by the previous operation are gone
    _token, raw = create_api_token(actor=None, user=User.objects.get(username="admin"))
    # Django closes the database connection at the end of each request; its own test client turns
    # that off, schemathesis' WSGI client does not, and on PostgreSQL closing would end the test's
    # transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield raw
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
        _known.clear()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="BANGFU_FUZZ_EXAMPLES" not in os.environ,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api(case, token) -> None:
    response = case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
    RUN.add(case.operation.label)
    if 200 <= response.status_code < 300:
        SUCCESSES[case.operation.label] += 1


def test_every_path_parameter_is_steered() -> None:
    """A new endpoint with path parameters needs an entry in PATH_OBJECTS, or the fuzzer only ever
    sees its 404."""
    missing = [
        op.ok().label
        for op in schema.get_all_operations()
        if "{" in op.ok().path and _path_objects(op.ok().path) is None
    ]
    assert missing == [], f"add these operations to PATH_OBJECTS in {__file__}: {missing}"


def test_every_read_answered_200_at_least_once() -> None:
    """The steering works: every GET reached its success path (not only 404/422) at least once."""
    if not RUN:
        pytest.skip("test_api was not run")
    reads = sorted(label for label in RUN if label.startswith("GET "))
    assert len(reads) >= 30
    assert [label for label in reads if not SUCCESSES[label]] == []
