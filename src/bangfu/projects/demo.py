"""Demo data for projects (`bangfu seed-demo`): east–west and counterpart projects with money
received, some payments approved by both sides, one request waiting, evaluations due.
Idempotent: a second run changes nothing. Dates lie in the first half of 2020, before the demo's
"today" (2020-07-15), so the mid-year evaluations show as overdue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from bangfu.accounts.models import Role, User
from bangfu.accounts.services import create_user
from bangfu.areas.models import Area
from bangfu.core.demo import demo_password
from bangfu.partners.models import Organisation, Pairing, PairingKind
from bangfu.projects.models import (
    EVALUATED_PAIRING_KINDS,
    Category,
    Evaluation,
    EvaluationKind,
    FundSource,
    Project,
    ProjectKind,
    ProjectStatus,
)
from bangfu.projects.services import (
    approve_disbursement,
    change_project_status,
    close_rectification,
    create_project,
    record_allocation,
    record_evaluation,
    request_disbursement,
    save_investment_plan,
    schedule_pairing_evaluations,
)

# Users of both sides of 资金共管 beyond the base demo users: (username, role, area, organisation,
# full name).
EXTRA_USERS = [
    ("shunde", Role.UNIT_REPORTER, "513325000000", "E01", "顺德区驻格桑工作组联络员"),
    ("jinjiang", Role.UNIT_REPORTER, "513325000000", "K01", "锦江区对口帮扶联络员"),
    ("zhaxi", Role.TOWNSHIP_CLERK, "513325200000", "T513325200", "扎西乡扶贫专干"),
]

# (code, title, kind, category, village, funders, budget partner, budget county, households, people,
#  status, allocation, allocation date)
PROJECTS = [
    ("DX-2020-001", "然布村牦牛养殖合作社扩建", ProjectKind.EAST_WEST, Category.INDUSTRY, "513325100202",
     ["E01"], "800000", "80000", 36, 142, ProjectStatus.IN_PROGRESS, "800000", date(2020, 3, 20)),
    ("DX-2020-002", "俄洛村双语幼儿园", ProjectKind.EAST_WEST, Category.EDUCATION, "513325100203",
     ["E01", "E02"], "500000", "50000", 58, 230, ProjectStatus.APPROVED, "500000", date(2020, 4, 8)),
    ("DX-2020-003", "雪岭镇顺德劳务协作培训", ProjectKind.EAST_WEST, Category.EMPLOYMENT, "513325100000",
     ["E01"], "200000", "0", 120, 120, ProjectStatus.IN_PROGRESS, "200000", date(2020, 3, 2)),
    ("DK-2020-001", "卓嘎村卫生室标准化建设", ProjectKind.COUNTERPART, Category.HEALTH, "513325200201",
     ["K01"], "600000", "60000", 82, 315, ProjectStatus.IN_PROGRESS, "600000", date(2020, 2, 25)),
    ("DK-2020-002", "扎西村危房改造", ProjectKind.COUNTERPART, Category.HOUSING, "513325200200",
     ["K01"], "900000", "100000", 24, 96, ProjectStatus.PLANNED, "", None),
    ("DD-2020-001", "然布村人饮工程维修", ProjectKind.DESIGNATED, Category.INFRASTRUCTURE, "513325100202",
     ["P01"], "100000", "0", 40, 160, ProjectStatus.APPROVED, "100000", date(2020, 5, 6)),
]  # fmt: skip


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _pairing_evaluations(county: Area) -> None:
    """The 2020 mid-year and annual evaluations of the county's evaluated pairings (designated,
    east–west, counterpart, enterprise); the designated pairing of 省总工会 (P01, the demo unit
    reporter's organisation) passed its mid-year evaluation, the others are overdue."""
    pairings = Pairing.objects.filter(county=county, kind__in=EVALUATED_PAIRING_KINDS)
    if not pairings.exists() or Evaluation.objects.filter(county=county, pairing__isnull=False).exists():
        return
    admin = _user("admin")
    schedule_pairing_evaluations(actor=admin, county=county, year=2020)
    evaluation = (
        Evaluation.objects.filter(
            pairing__kind=PairingKind.DESIGNATED,
            pairing__helper_organisation__code="P01",
            year=2020,
            kind=EvaluationKind.MID_YEAR,
        )
        .order_by("pk")
        .first()
    )
    if evaluation is None:
        return
    record_evaluation(
        actor=admin,
        evaluation=evaluation,
        score=Decimal("91"),
        findings="驻村工作队在岗在位；帮扶资金到村到户；走访记录不全。",
        rectifications=[("补齐上半年入户走访记录", date(2020, 7, 31))],
        evaluated_on=date(2020, 6, 24),
    )


@transaction.atomic
def seed_demo(county: Area) -> None:
    orgs = {o.code: o for o in Organisation.objects.filter(county=county)}
    for username, role, area_code, org_code, full_name in EXTRA_USERS:
        if not User.objects.filter(username=username).exists():
            create_user(
                actor=None,
                username=username,
                password=demo_password(),
                role=role,
                area=Area.objects.get(code=area_code),
                organisation=orgs[org_code],
                full_name=full_name,
            )
    _pairing_evaluations(county)
    if Project.objects.filter(county=county, code=PROJECTS[0][0]).exists():
        return
    admin, township, unit = _user("admin"), _user("township"), _user("unit")
    shunde, jinjiang, zhaxi = _user("shunde"), _user("jinjiang"), _user("zhaxi")

    plans = {
        "E01": save_investment_plan(
            actor=shunde,
            county=county,
            partner=orgs["E01"],
            year=2020,
            title="顺德区 2020 年东西部扶贫协作项目投资计划",
            planned_amount=Decimal("2000000.00"),
            planned_projects=4,
            issued_on=date(2020, 2, 26),
        ),
        "K01": save_investment_plan(
            actor=jinjiang,
            county=county,
            partner=orgs["K01"],
            year=2020,
            title="锦江区 2020 年对口帮扶项目投资计划",
            planned_amount=Decimal("1800000.00"),
            planned_projects=3,
            issued_on=date(2020, 4, 10),  # later than Q1: the plan page flags it
        ),
    }
    projects: dict[str, Project] = {}
    for (code, title, kind, category, area_code, funders, budget_partner, budget_county, households, people,
         status, allocation, received_on) in PROJECTS:  # fmt: skip
        project = create_project(
            actor=admin,
            county=county,
            code=code,
            title=title,
            kind=kind,
            category=category,
            year=2020,
            area=Area.objects.get(code=area_code),
            funders=[orgs[c] for c in funders],
            beneficiary_households=households,
            beneficiary_people=people,
            beneficiary_poor_households=households // 2,
            planned_start=date(2020, 3, 1),
            planned_end=date(2020, 11, 30),
            budget_partner=Decimal(budget_partner),
            budget_county=Decimal(budget_county),
            investment_plan=plans.get(funders[0]),
        )
        if status != ProjectStatus.PLANNED:
            project = change_project_status(actor=admin, project=project, to=ProjectStatus.APPROVED)
        if status == ProjectStatus.IN_PROGRESS:
            project = change_project_status(actor=admin, project=project, to=ProjectStatus.IN_PROGRESS)
        if allocation:
            record_allocation(
                actor=admin,
                project=project,
                amount=Decimal(allocation),
                source=FundSource.PARTNER,
                funder=orgs[funders[0]],
                received_on=received_on,
                memo="帮扶方资金到位",
            )
        projects[code] = project

    # Paid: approved by one user of each side (the requester never approves their own).
    for code, requester, funder_side, recipient_side, amount, payee, purpose in [
        ("DX-2020-001", township, shunde, admin, "300000", "格桑县雪域建筑有限公司", "圈舍主体工程首期款"),
        ("DX-2020-002", admin, shunde, township, "120000", "格桑县教育装备公司", "教学设备采购"),
        ("DX-2020-003", admin, shunde, township, "60000", "格桑县职业技术培训中心", "第一期培训费"),
        ("DK-2020-001", zhaxi, jinjiang, admin, "200000", "康定医疗器械有限公司", "诊疗设备采购"),
    ]:
        disbursement = request_disbursement(
            actor=requester, project=projects[code], amount=Decimal(amount), payee=payee, purpose=purpose
        )
        approve_disbursement(actor=funder_side, disbursement=disbursement)
        approve_disbursement(actor=recipient_side, disbursement=disbursement)
    # Still waiting: one request approved by the funding side only, one with no approval yet.
    waiting = request_disbursement(
        actor=township,
        project=projects["DX-2020-001"],
        amount=Decimal("150000"),
        payee="格桑县雪域建筑有限公司",
        purpose="圈舍主体工程二期款",
        attachments="合同 XY-2020-017；监理签证 3 号",
    )
    approve_disbursement(actor=shunde, disbursement=waiting)
    request_disbursement(
        actor=unit,
        project=projects["DD-2020-001"],
        amount=Decimal("35000"),
        payee="然布村村民委员会",
        purpose="管网维修材料",
    )

    # One mid-year evaluation done, with a rectification item closed and one open; the others
    # are overdue on the demo's "today".
    evaluation = Evaluation.objects.get(
        project=projects["DK-2020-001"], kind=EvaluationKind.MID_YEAR, year=2020
    )
    evaluation = record_evaluation(
        actor=admin,
        evaluation=evaluation,
        score=Decimal("88.5"),
        findings="主体工程按期推进；资金拨付手续齐全；公示不及时。",
        rectifications=[
            ("在村务公开栏公示资金使用情况", date(2020, 7, 10)),
            ("补齐设备验收单", date(2020, 7, 31)),
        ],
        evaluated_on=date(2020, 6, 28),
    )
    close_rectification(
        actor=admin, item=evaluation.rectifications.order_by("id")[0], note="已于村务公开栏公示"
    )
