from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from bangfu.accounts.models import User
from bangfu.areas.models import Area
from bangfu.audit.models import AuditRecord
from bangfu.ledger.models import Entry
from bangfu.projects.demo import seed_demo
from bangfu.projects.models import Disbursement, DisbursementStatus, Evaluation, Project
from bangfu.projects.selectors import fund_figures

pytestmark = pytest.mark.django_db


def test_the_demo_has_paid_and_pending_disbursements_and_is_idempotent(demo, settings) -> None:
    from datetime import date

    settings.BANGFU_TODAY = date(2020, 7, 15)
    county = Area.objects.get(code="513325000000")
    seed_demo(county)
    counts = (
        Project.objects.count(),
        Entry.objects.count(),
        AuditRecord.objects.count(),
        User.objects.count(),
    )
    seed_demo(county)
    assert (
        Project.objects.count(),
        Entry.objects.count(),
        AuditRecord.objects.count(),
        User.objects.count(),
    ) == counts
    assert Disbursement.objects.filter(status=DisbursementStatus.PAID).count() == 4
    assert Disbursement.objects.filter(status=DisbursementStatus.PENDING).count() == 2
    assert Evaluation.objects.filter(evaluated_on__isnull=True, due_on__lt=date(2020, 7, 15)).exists()
    figures = fund_figures(Project.objects.all())
    assert all(f.balance >= 0 for f in figures.values())
    assert figures[Project.objects.get(code="DX-2020-001").pk].balance == Decimal("500000.00")


@pytest.mark.parametrize("username", ["admin", "township", "village", "unit", "inspector", "shunde", "zhaxi"])
def test_every_project_page_opens_on_the_demo_for_every_role(demo, username, settings) -> None:
    from datetime import date

    settings.BANGFU_TODAY = date(2020, 7, 15)
    seed_demo(Area.objects.get(code="513325000000"))
    client = Client()
    client.force_login(User.objects.get(username=username))
    for url in ["/projects/", "/projects/disbursements/", "/projects/evaluations/", "/projects/plans/"]:
        assert client.get(url).status_code == 200, url
    for project in Project.objects.all():
        status = client.get(f"/projects/{project.code}/").status_code
        assert status in (200, 404)
    assert client.get("/projects/reports/ledger.xlsx").status_code == 200
    assert client.get("/projects/reports/fund-flow.xlsx?year=2020").status_code == 200


def test_the_demo_evaluates_pairings_once(demo, settings) -> None:
    from datetime import date

    from bangfu.partners.demo import seed_demo as seed_partners
    from bangfu.partners.models import PairingKind

    settings.BANGFU_TODAY = date(2020, 7, 15)
    county = Area.objects.get(code="513325000000")
    seed_partners(county)
    seed_demo(county)
    rows = Evaluation.objects.filter(pairing__isnull=False)
    counts = (rows.count(), AuditRecord.objects.count())
    assert rows.filter(pairing__kind=PairingKind.DESIGNATED).exists()
    assert rows.filter(pairing__kind=PairingKind.EAST_WEST).exists()
    assert not rows.filter(pairing__kind=PairingKind.KINSHIP).exists()
    done = rows.get(evaluated_on__isnull=False)
    assert done.pairing.helper_organisation.code == "P01"
    assert done.rectifications.count() == 1
    seed_demo(county)
    assert (rows.count(), AuditRecord.objects.count()) == counts
    page = Client()
    page.force_login(User.objects.get(username="unit"))
    body = page.get("/projects/evaluations/").content.decode()
    assert "省总工会 →" in body
