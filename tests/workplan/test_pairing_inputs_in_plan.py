"""The plan's input figures come from the pairing inputs units record (#15), and typed indicator
values are numbers (Decimal) end to end: service, database, API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.test import Client

from bangfu.accounts.models import Role, User
from bangfu.accounts.services import create_user
from bangfu.areas.models import Area
from bangfu.core.demo import COUNTY_CODE
from bangfu.core.demo import seed_demo as seed_base
from bangfu.partners.models import AdminLevel, PairingFigures, PairingKind
from bangfu.partners.services import record_pairing_figures
from bangfu.workplan.models import EDITABLE_STATUSES, Indicator, IndicatorSource, IndicatorValue, LedgerReport
from bangfu.workplan.selectors import indicator_figures
from bangfu.workplan.services import save_report

TODAY = date(2020, 7, 15)
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="module")
def ledger_demo(django_db_setup, django_db_blocker) -> Iterator[None]:
    from bangfu.partners.demo import seed_demo as partners
    from bangfu.registry.demo import seed_demo as registry
    from bangfu.workplan.demo import seed_demo as workplan

    with django_db_blocker.unblock(), transaction.atomic():
        seed_base(full=False)
        county = Area.objects.get(code=COUNTY_CODE)
        for seed in (registry, partners, workplan):
            seed(county)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def county(ledger_demo, db, settings) -> Area:
    settings.BANGFU_TODAY = TODAY
    return Area.objects.get(code=COUNTY_CODE)


def _provincial_inputs():
    return PairingFigures.objects.filter(
        pairing__kind=PairingKind.DESIGNATED,
        pairing__helper_organisation__admin_level=AdminLevel.PROVINCIAL,
        month__gte=date(2020, 1, 1),
        month__lt=date(2020, 7, 1),
    )


def test_the_demo_records_the_ten_provincial_units_inputs(county) -> None:
    inputs = _provincial_inputs()
    assert inputs.values("pairing__helper_organisation").distinct().count() == 10
    assert inputs.aggregate(n=Sum("cadres_seconded"))["n"] == 10  # one cadre each, in January
    assert inputs.filter(funds_introduced__gt=0).exists() and inputs.filter(consumption__gt=0).exists()
    # Seeding again adds nothing (idempotent).
    from bangfu.partners.demo import seed_demo

    before = PairingFigures.objects.count()
    seed_demo(county)
    assert PairingFigures.objects.count() == before


def test_the_plan_reads_the_inputs_from_the_records_and_a_new_record_moves_the_figure(county) -> None:
    inds = {
        i.key: i
        for i in Indicator.objects.filter(task__code="3.1.1", task__plan__county=county)
        if i.key in ("funds", "products_bought", "cadres_seconded", "people_trained")
    }
    assert {i.source for i in inds.values()} == {IndicatorSource.COMPUTED}
    sums = _provincial_inputs().aggregate(
        consumption=Sum("consumption"), cadres=Sum("cadres_seconded"), trained=Sum("people_trained")
    )
    figures = {
        f.indicator.key: f
        for f in indicator_figures(
            list(inds.values()), county=county, start=date(2020, 1, 1), end=date(2020, 7, 1)
        )
    }
    assert figures["products_bought"].value == sums["consumption"]
    assert isinstance(figures["products_bought"].value, Decimal)
    assert figures["cadres_seconded"].value == sums["cadres"]
    assert figures["people_trained"].value == sums["trained"]
    assert figures["funds"].period == "1—6月累计"  # a flow, summed over the months
    # 省联通公司 records July's products bought: July's figure is exactly that.
    pairing = _provincial_inputs().first().pairing
    record_pairing_figures(actor=None, pairing=pairing, month=date(2020, 7, 1), consumption="12345.67")
    (july,) = indicator_figures(
        [inds["products_bought"]], county=county, start=date(2020, 7, 1), end=date(2020, 8, 1)
    )
    assert july.value == Decimal("12345.67")
    # East–west, counterpart and enterprise inputs feed their tasks too; nothing of them is typed.
    for code in ("3.2", "3.3", "3.4"):
        assert Indicator.objects.filter(
            task__code=code, task__plan__county=county, source=IndicatorSource.COMPUTED, unit="元"
        ).exists()


def _typed_report(county) -> tuple[LedgerReport, Indicator, User]:
    ind = Indicator.objects.get(task__code="3.4", key="trainings", task__plan__county=county)
    report = (
        LedgerReport.objects.filter(task=ind.task, month__lte=TODAY, status__in=EDITABLE_STATUSES)
        .select_related("organisation")
        .first()
    )
    user = create_user(
        actor=None,
        username="typed-reporter",
        password=PASSWORD,
        role=Role.UNIT_REPORTER,
        area=county,
        organisation=report.organisation,
    )
    return report, ind, user


def test_typed_values_are_decimal_from_text_and_a_float_or_word_is_refused(county) -> None:
    report, ind, user = _typed_report(county)
    save_report(actor=user, report=report, progress="开展业务培训", values={ind.pk: "1.5"})
    value = IndicatorValue.objects.get(report=report, indicator=ind)
    value.refresh_from_db()
    assert value.value == Decimal("1.50") and isinstance(value.value, Decimal)
    for bad in (1.5, "一期", "NaN"):
        with pytest.raises(ValidationError):
            save_report(actor=user, report=report, progress="改", values={ind.pk: bad})
    report.refresh_from_db()
    assert report.progress == "开展业务培训"
    assert IndicatorValue.objects.get(report=report, indicator=ind).value == Decimal("1.50")


def test_the_tasks_api_gives_targets_as_decimals(county) -> None:
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    tasks = client.get("/api/v1/workplan/tasks?year=2020").json()
    first = next(t for t in tasks if t["code"] == "3.1.1")
    targets = {i["key"]: i["target"] for i in first["indicators"]}
    assert Decimal(targets["poor_villages"]) == 10 and targets["funds"] is None
