from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.audit.models import AuditRecord
from bangfu.ledger.models import Account, Entry
from bangfu.partners.models import Organisation
from bangfu.projects.models import Evaluation, EvaluationKind, FundSource, Project, ProjectStatus
from bangfu.projects.selectors import fund_figures
from bangfu.projects.services import change_project_status, record_allocation

from .conftest import make_user, new_project

pytestmark = pytest.mark.django_db


def test_it_creates_a_planned_project_with_its_fund_account(county, county_admin) -> None:
    project = new_project(county_admin, county)
    assert project.status == ProjectStatus.PLANNED
    assert project.account.reference == "project:DX-2020-001"
    assert project.budget_total == Decimal("550000.00")
    assert list(project.funders.values_list("code", flat=True)) == ["E01"]
    assert AuditRecord.objects.filter(action="projects.create_project", target_id=str(project.pk)).exists()


def test_a_funder_reporter_registers_projects_of_its_own_organisation(county, funder_reporter) -> None:
    project = new_project(funder_reporter, county)
    assert project.created_by == funder_reporter


def test_it_refuses_a_reporter_registering_someone_elses_project(county, counterpart_reporter) -> None:
    with pytest.raises(ValidationError) as excinfo:
        new_project(counterpart_reporter, county)
    assert "funders" in excinfo.value.message_dict
    assert not Project.objects.exists() and not Account.objects.exists()


def test_it_refuses_a_township_clerk_registering_projects(county, township_clerk) -> None:
    with pytest.raises(PermissionDenied):
        new_project(township_clerk, county)
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("field", "extra"),
    [
        ("code", {"code": "bad code!"}),
        ("kind", {"kind": "nope"}),
        ("category", {"category": "nope"}),
        ("funders", {"funders": []}),
        ("budget_partner", {"budget_partner": Decimal("-1")}),
        ("area", {"area_code": "513326000000"}),
        ("planned_end", {"planned_start": date(2020, 5, 1), "planned_end": date(2020, 4, 1)}),
    ],
)
def test_it_refuses_bad_project_fields_and_writes_nothing(county, county_admin, field, extra) -> None:
    from bangfu.areas.models import Area

    if "area_code" in extra:
        Area.objects.create(code="513326000000", name="邻县", level="county", parent=county.parent)
    with pytest.raises(ValidationError) as excinfo:
        new_project(county_admin, county, **extra)
    assert field in excinfo.value.message_dict
    assert not Project.objects.exists() and not Account.objects.exists()


def test_it_refuses_a_duplicate_code(county, county_admin) -> None:
    new_project(county_admin, county)
    with pytest.raises(ValidationError) as excinfo:
        new_project(county_admin, county)
    assert "已存在" in excinfo.value.message_dict["code"][0]
    assert Project.objects.count() == 1


def test_it_walks_a_project_through_its_states(county, county_admin, settings) -> None:
    settings.BANGFU_TODAY = date(2020, 4, 1)
    project = new_project(county_admin, county)
    change_project_status(actor=county_admin, project=project, to=ProjectStatus.APPROVED)
    assert set(Evaluation.objects.filter(project=project).values_list("kind", "due_on")) == {
        (EvaluationKind.MID_YEAR, date(2020, 6, 30)),
        (EvaluationKind.ANNUAL, date(2020, 12, 31)),
    }
    change_project_status(actor=county_admin, project=project, to=ProjectStatus.IN_PROGRESS)
    settings.BANGFU_TODAY = date(2020, 10, 8)
    change_project_status(actor=county_admin, project=project, to=ProjectStatus.COMPLETED)
    project.refresh_from_db()
    assert project.status == ProjectStatus.COMPLETED
    assert project.started_on == date(2020, 4, 1)
    assert project.completed_on == date(2020, 10, 8)


@pytest.mark.parametrize(
    ("path", "to"),
    [
        ([], ProjectStatus.IN_PROGRESS),
        ([], ProjectStatus.COMPLETED),
        ([ProjectStatus.APPROVED], ProjectStatus.COMPLETED),
        ([ProjectStatus.APPROVED], ProjectStatus.PLANNED),
        ([ProjectStatus.CANCELLED], ProjectStatus.APPROVED),
        (
            [ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED],
            ProjectStatus.CANCELLED,
        ),
    ],
)
def test_it_refuses_transitions_not_in_the_table(county, county_admin, path, to) -> None:
    project = new_project(county_admin, county)
    for step in path:
        change_project_status(actor=county_admin, project=project, to=step, reason="原因")
    before = Project.objects.get(pk=project.pk).status
    with pytest.raises(ValidationError, match="不能从"):
        change_project_status(actor=county_admin, project=project, to=to, reason="原因")
    assert Project.objects.get(pk=project.pk).status == before


def test_it_needs_a_reason_to_cancel(county, county_admin) -> None:
    project = new_project(county_admin, county)
    with pytest.raises(ValidationError) as excinfo:
        change_project_status(actor=county_admin, project=project, to=ProjectStatus.CANCELLED, reason=" ")
    assert "reason" in excinfo.value.message_dict
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.PLANNED
    change_project_status(actor=county_admin, project=project, to=ProjectStatus.CANCELLED, reason="选址变更")
    project.refresh_from_db()
    assert (project.status, project.cancel_reason) == (ProjectStatus.CANCELLED, "选址变更")


def test_only_the_county_admin_changes_the_status(county, county_admin, funder_reporter) -> None:
    project = new_project(county_admin, county)
    with pytest.raises(PermissionDenied):
        change_project_status(actor=funder_reporter, project=project, to=ProjectStatus.APPROVED)
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.PLANNED


def test_it_records_an_allocation_as_a_ledger_credit(project, funder_reporter) -> None:
    allocation = record_allocation(
        actor=funder_reporter, project=project, amount=Decimal("250.00"), source=FundSource.PARTNER
    )
    assert allocation.entry.amount == Decimal("250.00")
    assert fund_figures([project])[project.pk].balance == Decimal("1250.00")


def test_it_refuses_allocations_to_a_planned_project(county, county_admin) -> None:
    project = new_project(county_admin, county)
    with pytest.raises(ValidationError, match="不能收支资金"):
        record_allocation(actor=county_admin, project=project, amount=Decimal("1"), source=FundSource.COUNTY)
    assert not Entry.objects.exists()


def test_it_refuses_allocations_from_outsiders_and_bad_input(
    project, counterpart_reporter, county_admin
) -> None:
    entries = Entry.objects.count()
    with pytest.raises(PermissionDenied):
        record_allocation(
            actor=counterpart_reporter, project=project, amount=Decimal("1"), source=FundSource.PARTNER
        )
    with pytest.raises(ValidationError) as excinfo:
        record_allocation(actor=county_admin, project=project, amount=Decimal("0"), source=FundSource.PARTNER)
    assert "amount" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        record_allocation(actor=county_admin, project=project, amount=Decimal("1"), source="nope")
    assert "source" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        record_allocation(
            actor=county_admin,
            project=project,
            amount=Decimal("1"),
            source=FundSource.PARTNER,
            funder=Organisation.objects.get(code="K01"),
        )
    assert "funder" in excinfo.value.message_dict
    assert Entry.objects.count() == entries


def test_an_allocation_recorded_by_mistake_is_reversed(project, county_admin) -> None:
    from bangfu.ledger.services import InsufficientBalance
    from bangfu.projects.models import Allocation
    from bangfu.projects.services import reverse_allocation

    allocation = Allocation.objects.get(project=project)
    with pytest.raises(ValidationError) as excinfo:
        reverse_allocation(actor=county_admin, allocation=allocation, reason=" ")
    assert "reason" in excinfo.value.message_dict
    reversal = reverse_allocation(actor=county_admin, allocation=allocation, reason="重复录入")
    assert reversal.amount == Decimal("-1000.00")
    assert fund_figures([project])[project.pk].allocated == Decimal("0.00")
    with pytest.raises(ValidationError, match="已被冲正"):
        reverse_allocation(actor=county_admin, allocation=allocation, reason="again")
    second = record_allocation(
        actor=county_admin, project=project, amount=Decimal("10"), source=FundSource.COUNTY
    )
    from bangfu.projects.services import approve_disbursement, request_disbursement

    d = request_disbursement(
        actor=county_admin, project=project, amount=Decimal("10"), payee="a", purpose="b"
    )
    approve_disbursement(actor=make_user("f1", "unit_reporter", "513325000000", "E01"), disbursement=d)
    approve_disbursement(actor=make_user("c1", "township_clerk", "513325100000"), disbursement=d)
    entries = Entry.objects.count()
    with pytest.raises(InsufficientBalance):
        reverse_allocation(actor=county_admin, allocation=second, reason="错")
    assert Entry.objects.count() == entries


def test_only_the_county_admin_reverses_allocations(project, funder_reporter) -> None:
    from bangfu.projects.models import Allocation
    from bangfu.projects.services import reverse_allocation

    with pytest.raises(PermissionDenied):
        reverse_allocation(actor=funder_reporter, allocation=Allocation.objects.get(), reason="x")
    assert fund_figures([project])[project.pk].balance == Decimal("1000.00")


def test_it_corrects_registration_details_with_an_audit_trail(project, funder_reporter) -> None:
    from bangfu.projects.services import update_project

    updated = update_project(
        actor=funder_reporter,
        project=project,
        title="然布村牦牛养殖合作社（二期）",
        budget_partner=Decimal("600000"),
    )
    assert (updated.title, updated.budget_partner) == ("然布村牦牛养殖合作社（二期）", Decimal("600000.00"))
    record = AuditRecord.objects.get(action="projects.update_project")
    assert record.before == {"title": "然布村牦牛养殖合作社", "budget_partner": "500000.00"}


def test_it_refuses_fixed_fields_outsiders_and_finished_projects(
    project, county_admin, counterpart_reporter
) -> None:
    from bangfu.projects.services import update_project

    with pytest.raises(ValidationError, match="不能修改的字段"):
        update_project(actor=county_admin, project=project, code="X")
    with pytest.raises(PermissionDenied):
        update_project(actor=counterpart_reporter, project=project, title="x")
    with pytest.raises(ValidationError) as excinfo:
        update_project(actor=county_admin, project=project, title=" ", budget_county=Decimal("-1"))
    assert set(excinfo.value.message_dict) == {"title", "budget_county"}
    change_project_status(actor=county_admin, project=project, to=ProjectStatus.CANCELLED, reason="撤项")
    with pytest.raises(ValidationError, match="不能再修改"):
        update_project(actor=county_admin, project=project, title="x")
    assert Project.objects.get(pk=project.pk).title == "然布村牦牛养殖合作社"
