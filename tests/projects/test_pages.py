from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from bangfu.areas.models import Area
from bangfu.ledger.selectors import account_balance
from bangfu.partners.models import Organisation
from bangfu.projects.models import (
    Disbursement,
    DisbursementStatus,
    Evaluation,
    EvaluationKind,
    InvestmentPlan,
    Project,
    ProjectStatus,
    RectificationItem,
)
from bangfu.projects.services import request_disbursement

pytestmark = pytest.mark.django_db


def test_the_list_shows_projects_with_their_balance(project, county_admin, client_for) -> None:
    response = client_for(county_admin).get("/projects/")
    assert response.status_code == 200
    body = response.content.decode()
    assert project.code in body and "1,000.00" in body


def test_partners_see_only_their_projects(project, funder_reporter, counterpart_reporter, client_for) -> None:
    assert project.code in client_for(funder_reporter).get("/projects/").content.decode()
    assert project.code not in client_for(counterpart_reporter).get("/projects/").content.decode()
    assert client_for(counterpart_reporter).get(f"/projects/{project.code}/").status_code == 404


def test_out_of_scope_users_get_404(project, other_township_clerk, client_for) -> None:
    client = client_for(other_township_clerk)
    assert client.get(f"/projects/{project.code}/").status_code == 404
    assert client.post(f"/projects/{project.code}/status/", {"to": "in_progress"}).status_code == 404
    d = request_disbursement(
        actor=project.created_by, project=project, amount=Decimal("1"), payee="a", purpose="b"
    )
    assert client.post(f"/projects/disbursements/{d.pk}/approve/").status_code == 404
    assert Disbursement.objects.get(pk=d.pk).approvals.count() == 0


def test_a_county_admin_registers_a_project_through_the_form(county_admin, client_for) -> None:
    client = client_for(county_admin)
    assert client.get("/projects/new/").status_code == 200
    response = client.post(
        "/projects/new/",
        {
            "code": "DX-2020-009",
            "title": "东珠村幼儿园",
            "kind": "east_west",
            "category": "education",
            "year": "2020",
            "area": Area.objects.get(code="513325101202").pk,
            "funders": [Organisation.objects.get(code="E01").pk],
            "beneficiary_households": "40",
            "beneficiary_people": "160",
            "beneficiary_poor_households": "12",
            "budget_partner": "800000",
            "budget_province": "0",
            "budget_county": "100000",
            "budget_enterprise": "0",
            "budget_social": "0",
        },
    )
    assert response.status_code == 302
    project = Project.objects.get(code="DX-2020-009")
    assert response["Location"] == f"/projects/{project.code}/"
    assert project.budget_total == Decimal("900000.00")


def test_the_form_shows_the_services_refusal_on_the_field(county_admin, client_for, project) -> None:
    response = client_for(county_admin).post(
        "/projects/new/",
        {
            "code": project.code,
            "title": "重复",
            "kind": "east_west",
            "category": "education",
            "year": "2020",
            "area": project.area.pk,
            "funders": [Organisation.objects.get(code="E01").pk],
            "beneficiary_households": "0",
            "beneficiary_people": "0",
            "beneficiary_poor_households": "0",
            **{f"budget_{s}": "0" for s in ("partner", "province", "county", "enterprise", "social")},
        },
    )
    assert response.status_code == 200
    assert "已存在" in str(response.context["form"].errors["code"])
    assert Project.objects.count() == 1


def test_township_clerks_cannot_open_the_registration_form(township_clerk, client_for) -> None:
    assert client_for(township_clerk).get("/projects/new/").status_code == 403


def test_money_moves_through_the_pages(
    project, county_admin, township_clerk, funder_reporter, client_for
) -> None:
    funder = client_for(funder_reporter)
    response = funder.post(
        f"/projects/{project.code}/allocations/new/", {"amount": "500.00", "source": "partner"}
    )
    assert response.status_code == 302
    response = client_for(township_clerk).post(
        f"/projects/{project.code}/disbursements/new/",
        {"amount": "1200.00", "payee": "雪岭建筑队", "purpose": "圈舍建设"},
    )
    assert response.status_code == 302
    d = Disbursement.objects.get()
    funder.post(f"/projects/disbursements/{d.pk}/approve/")
    response = client_for(county_admin).post(
        f"/projects/disbursements/{d.pk}/approve/", {"next": "/projects/disbursements/"}
    )
    assert response["Location"] == "/projects/disbursements/"
    assert Disbursement.objects.get().status == DisbursementStatus.PAID
    assert account_balance(project.account) == Decimal("300.00")
    page = client_for(county_admin).get(f"/projects/{project.code}/").content.decode()
    assert "300.00" in page and "雪岭建筑队" in page


def test_a_refused_approval_shows_the_reason(project, township_clerk, client_for) -> None:
    d = request_disbursement(
        actor=township_clerk, project=project, amount=Decimal("1"), payee="a", purpose="b"
    )
    response = client_for(township_clerk).post(f"/projects/disbursements/{d.pk}/approve/", follow=True)
    assert "申请人不能审批自己的申请" in response.content.decode()
    assert Disbursement.objects.get(pk=d.pk).approvals.count() == 0


def test_a_request_beyond_the_balance_is_refused_on_the_form(project, township_clerk, client_for) -> None:
    response = client_for(township_clerk).post(
        f"/projects/{project.code}/disbursements/new/", {"amount": "5000", "payee": "a", "purpose": "b"}
    )
    assert response.status_code == 200
    assert "余额不足" in response.content.decode()
    assert not Disbursement.objects.exists()


def test_rejecting_from_the_list(project, township_clerk, funder_reporter, client_for) -> None:
    d = request_disbursement(
        actor=township_clerk, project=project, amount=Decimal("1"), payee="a", purpose="b"
    )
    client = client_for(funder_reporter)
    assert "a" in client.get("/projects/disbursements/").content.decode()
    response = client.post(f"/projects/disbursements/{d.pk}/reject/", {"reason": "  "})
    assert Disbursement.objects.get(pk=d.pk).status == DisbursementStatus.PENDING
    # the request opens with 驳回原因 marked at its field (issue #17)
    assert response.status_code == 200
    assert '<span class="error field-error">驳回必须填写原因。</span>' in response.content.decode()
    client.post(f"/projects/disbursements/{d.pk}/reject/", {"reason": "无发票"})
    assert Disbursement.objects.get(pk=d.pk).reject_reason == "无发票"


def test_status_buttons_move_the_project(project, county_admin, funder_reporter, client_for) -> None:
    client_for(funder_reporter).post(f"/projects/{project.code}/status/", {"to": "in_progress"})
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.APPROVED
    client_for(county_admin).post(f"/projects/{project.code}/status/", {"to": "in_progress"})
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.IN_PROGRESS


def test_evaluation_pages(project, county_admin, client_for, settings) -> None:
    settings.BANGFU_TODAY = date(2020, 7, 3)
    client = client_for(county_admin)
    page = client.get("/projects/evaluations/")
    assert page.status_code == 200
    assert [e.kind for e in page.context["overdue"]] == [EvaluationKind.MID_YEAR]
    evaluation = Evaluation.objects.get(project=project, kind=EvaluationKind.MID_YEAR)
    response = client.post(
        f"/projects/evaluations/{evaluation.pk}/",
        {"score": "88", "findings": "总体良好", "rectifications": "补齐验收资料|2020-07-31\n公示资金"},
    )
    assert response.status_code == 302
    assert RectificationItem.objects.count() == 2
    item = RectificationItem.objects.get(description="公示资金")
    client.post(f"/projects/rectifications/{item.pk}/close/", {"note": "已在村务公开栏公示"})
    assert RectificationItem.objects.get(pk=item.pk).closed_on == date(2020, 7, 3)


def test_a_bad_rectification_deadline_is_named(project, county_admin, client_for) -> None:
    evaluation = Evaluation.objects.get(project=project, kind=EvaluationKind.MID_YEAR)
    response = client_for(county_admin).post(
        f"/projects/evaluations/{evaluation.pk}/",
        {"score": "88", "findings": "x", "rectifications": "a|2020-13-01"},
    )
    assert response.status_code == 200
    assert "第 1 行" in response.content.decode()
    assert not Evaluation.objects.get(pk=evaluation.pk).is_done


def test_investment_plan_pages(county_admin, client_for, settings) -> None:
    settings.BANGFU_TODAY = date(2020, 4, 1)
    client = client_for(county_admin)
    assert client.get("/projects/plans/new/").status_code == 200
    response = client.post(
        "/projects/plans/new/",
        {
            "partner": Organisation.objects.get(code="K01").pk,
            "year": "2020",
            "title": "锦江区 2020 年对口帮扶计划",
            "planned_amount": "3000000",
            "planned_projects": "5",
            "issued_on": "2020-02-20",
        },
    )
    assert response.status_code == 302
    assert InvestmentPlan.objects.get().issued_in_q1
    assert "锦江区 2020 年对口帮扶计划" in client.get("/projects/plans/").content.decode()


def test_the_project_ledger_downloads_as_xlsx(project, county_admin, client_for) -> None:
    response = client_for(county_admin).get("/projects/reports/ledger.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "项目编号"
    assert rows[1][0] == project.code
    assert rows[1][15] == 1000.0  # 资金到位
    assert rows[-1][0] == "合计"


def test_the_fund_flow_statement_downloads_as_xlsx(
    project, county_admin, township_clerk, funder_reporter, client_for
) -> None:
    from bangfu.projects.services import approve_disbursement

    d = request_disbursement(
        actor=township_clerk, project=project, amount=Decimal("250"), payee="a", purpose="b"
    )
    approve_disbursement(actor=funder_reporter, disbursement=d)
    approve_disbursement(actor=county_admin, disbursement=d)
    response = client_for(county_admin).get(f"/projects/reports/fund-flow.xlsx?project={project.code}")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    by_project, by_partner, details = (list(ws.iter_rows(values_only=True)) for ws in book.worksheets)
    assert by_project[1][:6] == (project.code, project.title, "东西部扶贫协作", 1000.0, 250.0, 750.0)
    assert by_partner[1] == ("E01", "广东省佛山市顺德区", 1000.0, 250.0)
    assert [row[5] for row in details[1:]] == [1000.0, 750.0]


def test_a_partner_cannot_download_other_partners_projects(project, counterpart_reporter, client_for) -> None:
    response = client_for(counterpart_reporter).get("/projects/reports/ledger.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == "合计"


def test_the_county_admin_reverses_an_allocation_from_the_page(project, county_admin, client_for) -> None:
    from bangfu.projects.models import Allocation

    allocation = Allocation.objects.get()
    client = client_for(county_admin)
    client.post(f"/projects/{project.code}/allocations/{allocation.pk}/reverse/", {"reason": "重复录入"})
    assert account_balance(project.account) == Decimal("0.00")
    assert "已冲正" in client.get(f"/projects/{project.code}/").content.decode()


def test_the_county_admin_opens_next_years_evaluations_from_the_page(
    project, county_admin, township_clerk, client_for
) -> None:
    assert (
        client_for(township_clerk).post("/projects/evaluations/schedule/", {"year": "2021"}).status_code
        == 403
    )
    response = client_for(county_admin).post("/projects/evaluations/schedule/", {"year": "2021"}, follow=True)
    assert "已生成 2 项评估" in response.content.decode()
    assert Evaluation.objects.filter(project=project, year=2021).count() == 2


def test_the_edit_form_changes_only_what_changed(
    project, county_admin, counterpart_reporter, client_for
) -> None:
    client = client_for(county_admin)
    form = client.get(f"/projects/{project.code}/edit/").context["form"]
    assert "code" not in form.fields and "funders" not in form.fields
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data["investment_plan"] = ""
    data["beneficiary_people"] = 150
    response = client.post(f"/projects/{project.code}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    assert Project.objects.get(pk=project.pk).beneficiary_people == 150
    assert client_for(counterpart_reporter).get(f"/projects/{project.code}/edit/").status_code == 404
