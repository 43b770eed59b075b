"""Pairing inputs of every kind (#15): funds by source, training, labour, products bought, cadres
and specialists seconded — recorded per pairing and month, and the indicators they feed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.audit.models import AuditRecord
from bangfu.lib.indicators import FLOW, IndicatorQuery, all_indicators, get_indicator
from bangfu.partners.models import EastWestLevel, HelpMode, JobGrade, PairingFigures, PairingKind
from bangfu.partners.services import create_pairing, record_pairing_figures

from .conftest import ELUO, RANBU, ZHUOGA

JUNE = IndicatorQuery(county=None, start=date(2020, 6, 1), end=date(2020, 7, 1))  # type: ignore[arg-type]

INPUTS = {
    "funds_direct": "300000",
    "funds_in_kind": "12000.50",
    "funds_introduced": "500000",
    "training_sessions": 2,
    "people_trained": 65,
    "labour_transferred": 8,
    "consumption": "48000",
    "cadres_seconded": 1,
    "specialists_seconded": 3,
}


@pytest.fixture
def pairings(county, org, area):
    """One pairing of each organisation kind: P01 (a provincial unit) → 然布村, Z03 (a prefecture
    department) → 俄洛村, E01 → the county, K01 → the county, Q01 → 卓嘎村."""

    def pair(kind, helper, **kw):
        return create_pairing(
            actor=None,
            county=county,
            kind=kind,
            helper_organisation=org(helper),
            start_date=date(2019, 1, 1),
            **kw,
        )

    return {
        "designated": pair(PairingKind.DESIGNATED, "P01", target_area=area(RANBU)),
        "prefecture": pair(PairingKind.DESIGNATED, "Z03", target_area=area(ELUO)),
        "east_west": pair(
            PairingKind.EAST_WEST, "E01", target_area=county, east_west_level=EastWestLevel.COUNTY
        ),
        "counterpart": pair(PairingKind.COUNTERPART, "K01", target_area=county),
        "enterprise": pair(
            PairingKind.ENTERPRISE, "Q01", target_area=area(ZHUOGA), help_modes=[HelpMode.EMPLOYMENT]
        ),
    }


def _june(county, organisation=None) -> IndicatorQuery:
    return IndicatorQuery(county=county, start=JUNE.start, end=JUNE.end, organisation=organisation)


@pytest.mark.parametrize("which", ["designated", "east_west", "counterpart", "enterprise"])
def test_every_organisation_pairing_kind_records_its_inputs_as_decimal_and_whole_numbers(
    pairings, county, which
) -> None:
    row = record_pairing_figures(actor=None, pairing=pairings[which], month=date(2020, 6, 10), **INPUTS)
    row.refresh_from_db()
    assert row.month == date(2020, 6, 1)
    assert row.funds_in_kind == Decimal("12000.50") and isinstance(row.funds_in_kind, Decimal)
    assert row.funds == Decimal("812000.50")  # 直接投入 + 捐物折价 + 引进资金
    assert (row.training_sessions, row.people_trained, row.cadres_seconded, row.specialists_seconded) == (
        2,
        65,
        1,
        3,
    )
    prefix = {"designated": "designated"}.get(which, which)
    value = get_indicator(f"partners.{prefix}_funds_in_kind").value(_june(county))
    assert value == Decimal("12000.50") and isinstance(value, Decimal)
    assert get_indicator(f"partners.{prefix}_funds").value(_june(county)) == Decimal("812000.50")
    entry = AuditRecord.objects.filter(action="pairing_figures.create").latest("pk")
    assert entry.after["funds_introduced"] == "500000.00"


def test_a_kinship_pairing_records_no_inputs(county, cadre, household) -> None:
    kinship = create_pairing(
        actor=None,
        county=county,
        kind=PairingKind.KINSHIP,
        helper_cadre=cadre("P01", JobGrade.STAFF),
        target_household=household("H1"),
        start_date=date(2020, 1, 1),
    )
    with pytest.raises(ValidationError) as exc:
        record_pairing_figures(actor=None, pairing=kinship, month=date(2020, 6, 1), funds_direct="1")
    assert "pairing" in exc.value.message_dict
    assert not PairingFigures.objects.exists()


def test_bad_figures_are_refused_by_name_and_nothing_is_saved(pairings) -> None:
    with pytest.raises(ValidationError) as exc:
        record_pairing_figures(
            actor=None,
            pairing=pairings["designated"],
            month=date(2020, 6, 1),
            funds_in_kind="-5",
            funds_introduced="1.005",
            training_sessions="1.5",
            cadres_seconded=-1,
            specialists_seconded="两",
        )
    assert set(exc.value.message_dict) == {
        "funds_in_kind",
        "funds_introduced",
        "training_sessions",
        "cadres_seconded",
        "specialists_seconded",
    }
    with pytest.raises(ValidationError):
        record_pairing_figures(actor=None, pairing=pairings["designated"], month=date(2020, 6, 1), kilos=3)
    assert not PairingFigures.objects.exists()


def test_a_correction_updates_the_month_and_the_audit_keeps_before_and_after(pairings) -> None:
    p = pairings["designated"]
    record_pairing_figures(actor=None, pairing=p, month=date(2020, 6, 1), **INPUTS)
    corrected = {**INPUTS, "consumption": "50000"}
    record_pairing_figures(actor=None, pairing=p, month=date(2020, 6, 1), **corrected)
    assert PairingFigures.objects.get().consumption == Decimal("50000.00")
    entry = AuditRecord.objects.filter(action="pairing_figures.update").get()
    assert (entry.before["consumption"], entry.after["consumption"]) == ("48000.00", "50000.00")


def test_a_unit_reporter_records_only_for_its_own_pairings_and_a_refusal_changes_nothing(
    pairings, unit_reporter, township_clerk, org, county_admin
) -> None:
    # The demo reporter works for P02; the designated pairing is P01's.
    with pytest.raises(PermissionDenied):
        record_pairing_figures(actor=unit_reporter, pairing=pairings["designated"], month=date(2020, 6, 1))
    with pytest.raises(PermissionDenied):
        record_pairing_figures(actor=township_clerk, pairing=pairings["designated"], month=date(2020, 6, 1))
    assert not PairingFigures.objects.exists()
    assert not AuditRecord.objects.filter(action__startswith="pairing_figures").exists()
    own = create_pairing(
        actor=None,
        county=pairings["designated"].county,
        kind=PairingKind.DESIGNATED,
        helper_organisation=org("P02"),
        target_area=pairings["prefecture"].target_area,
        start_date=date(2019, 1, 1),
    )
    record_pairing_figures(actor=unit_reporter, pairing=own, month=date(2020, 6, 1), cadres_seconded=1)
    record_pairing_figures(actor=county_admin, pairing=pairings["designated"], month=date(2020, 6, 1))
    assert PairingFigures.objects.count() == 2


def test_the_indicators_sum_the_records_per_kind_level_month_and_unit(pairings, county, org) -> None:
    record_pairing_figures(actor=None, pairing=pairings["designated"], month=date(2020, 6, 1), **INPUTS)
    record_pairing_figures(
        actor=None,
        pairing=pairings["prefecture"],
        month=date(2020, 6, 1),
        funds_direct="1000",
        consumption="2000",
        cadres_seconded=2,
    )
    record_pairing_figures(
        actor=None, pairing=pairings["designated"], month=date(2020, 5, 1), consumption="7000.25"
    )
    record_pairing_figures(actor=None, pairing=pairings["east_west"], month=date(2020, 6, 1), consumption="9")
    june, value = _june(county), (lambda name, q: get_indicator(name).value(q))
    # Designated: every level; provincial: the plan's ten provincial units (3.1.1) only.
    assert value("partners.designated_consumption", june) == Decimal("50000")
    assert value("partners.provincial_designated_consumption", june) == Decimal("48000")
    assert value("partners.designated_cadres_seconded", june) == 3
    assert value("partners.provincial_designated_cadres_seconded", june) == 1
    assert value("partners.provincial_designated_funds", june) == Decimal("812000.50")
    assert value("partners.provincial_designated_people_trained", june) == 65
    assert value("partners.provincial_designated_training_sessions", june) == 2
    assert value("partners.provincial_designated_specialists_seconded", june) == 3
    # A year to date sums the months (a flow); one unit's query counts what it put in.
    h1 = IndicatorQuery(county=county, start=date(2020, 1, 1), end=date(2020, 7, 1))
    assert value("partners.designated_consumption", h1) == Decimal("57000.25")
    assert value("partners.east_west_consumption", h1) == Decimal("9")
    assert value("partners.designated_cadres_seconded", _june(county, org("Z03"))) == 2
    assert value("partners.designated_cadres_seconded", _june(county, org("E01"))) == 0
    registry = all_indicators()
    inputs = [n for n in registry if n.startswith("partners.") and n.endswith(("_funds", "_seconded"))]
    assert len(inputs) >= 15 and all(registry[n].kind == FLOW for n in inputs)
    assert str(registry["partners.provincial_designated_funds"].label) == "省级定点帮扶·帮扶资金"


def test_the_pairing_page_records_inputs_for_a_designated_pairing(pairings, county_admin, client_for) -> None:
    client = client_for(county_admin)
    p = pairings["designated"]
    page = client.get(f"/partners/pairings/{p.pk}/")
    assert "直接投入资金（元）" in page.content.decode() and "选派挂职干部（人）" in page.content.decode()
    data = {"month": "2020-06-01", **{k: str(v) for k, v in INPUTS.items()}}
    data.update(enterprises_introduced="0", investment="0")
    response = client.post(f"/partners/pairings/{p.pk}/figures/", data)
    assert response.status_code == 302
    row = PairingFigures.objects.get(pairing=p)
    assert row.funds_introduced == Decimal("500000") and row.specialists_seconded == 3
    listed = client.get("/partners/figures/?year=2020").content.decode()
    assert "812,000.50" in listed and "定点帮扶" in listed
    # A negative amount is refused on the form; nothing changes.
    client.post(f"/partners/pairings/{p.pk}/figures/", {**data, "consumption": "-1"})
    row.refresh_from_db()
    assert row.consumption == Decimal("48000")


def test_a_unit_reporter_cannot_post_inputs_for_another_units_pairing(
    pairings, unit_reporter, client_for
) -> None:
    client = client_for(unit_reporter)
    url = f"/partners/pairings/{pairings['designated'].pk}/figures/"
    response = client.post(url, {"month": "2020-06-01", "funds_direct": "5"})
    assert response.status_code == 404
    assert not PairingFigures.objects.exists()


def test_the_api_records_corrects_and_lists_inputs_in_scope(
    pairings, unit_reporter, county_admin, org, client_for
):
    import json

    admin = client_for(county_admin)
    p = pairings["designated"]
    body = {"pairing_id": p.pk, "month": "2020-06", "funds_in_kind": "1200.50", "cadres_seconded": 1}
    created = admin.post("/api/v1/partners/inputs", json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    assert Decimal(created.json()["funds"]) == Decimal("1200.50") and created.json()["cadres_seconded"] == 1
    body["consumption"] = "3000"
    corrected = admin.post("/api/v1/partners/inputs", json.dumps(body), content_type="application/json")
    assert corrected.status_code == 200 and Decimal(corrected.json()["consumption"]) == 3000
    assert PairingFigures.objects.get(pairing=p).consumption == Decimal("3000.00")
    # Bad figures: 422, nothing changed.
    bad = admin.post(
        "/api/v1/partners/inputs",
        json.dumps({**body, "consumption": "-1", "cadres_seconded": 1.5}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert PairingFigures.objects.get(pairing=p).consumption == Decimal("3000.00")
    listed = admin.get("/api/v1/partners/inputs?year=2020&kind=designated").json()
    assert [(r["pairing_id"], r["month"], r["helper"]["code"]) for r in listed["items"]] == [
        (p.pk, "2020-06", "P01")
    ]
    # The P02 reporter: another unit's pairing is 404 and nothing is written; its list is empty.
    reporter = client_for(unit_reporter)
    refused = reporter.post(
        "/api/v1/partners/inputs", json.dumps({**body, "consumption": "1"}), content_type="application/json"
    )
    assert refused.status_code == 404
    assert PairingFigures.objects.get(pairing=p).consumption == Decimal("3000.00")
    assert reporter.get("/api/v1/partners/inputs").json()["items"] == []
