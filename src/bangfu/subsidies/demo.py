"""Demo data (`bangfu seed-demo`; runs after the registry's demo; demo today is 2020-07-15).

- Yulu 2020-spring: most eligible students went through the whole workflow and were paid in
  April; a few never applied (missing), two were paid after 30 June (late) and one payment went
  to a student who was not in vocational school on 1 March (wrong) — so the reconciliation page
  shows real gaps. 2020-autumn is open with its first applications.
- Technician programme: the 2020 cohort with students in every state, spring term funded.
- Sanzhi-Yifu: the 2020 recruitment in progress (applicants at every stage up to 公示), plus the
  2019 intake on post with monthly subsidies, settling-in allowances and annual assessments.
- The plan's schedules as milestones with due dates.
Idempotent: each part is skipped when it exists already.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from bangfu.areas.models import Area
from bangfu.subsidies.models import (
    ProgrammeMilestone,
    SanzhiPlan,
    TechnicianCohort,
    YuluTerm,
)
from bangfu.subsidies.selectors import eligible_member_ids
from bangfu.subsidies.services import (
    advance_sanzhi_applicant,
    assess_sanzhi_placement,
    complete_milestone,
    create_payment_batch,
    create_sanzhi_plan,
    create_technician_cohort,
    create_term,
    enrol_technician_student,
    ensure_plan_milestones,
    fund_technician_term,
    mark_batch_paid,
    pay_sanzhi_subsidy,
    place_sanzhi_applicant,
    record_payment,
    register_sanzhi_applicant,
    review_application,
    set_sanzhi_posts,
    set_technician_status,
    submit_application,
)

SCHOOLS = ["甘孜州职业技术学校", "四川省商贸学校", "乐山职业技术学院", "四川交通职业技术学院", "康定技师学院"]
SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = ["卓玛", "扎西", "拉姆", "次仁", "格桑", "央金", "多吉", "曲珍", "丹增", "白玛"]


def _apply(term: YuluTerm, member, i: int, day: date):  # type: ignore[no-untyped-def]
    return submit_application(
        actor=None,
        term=term,
        member=member,
        school=SCHOOLS[i % len(SCHOOLS)],
        enrolment_proof=f"G{member.pk:012d}",
        bank_name="四川农村商业银行",
        account_holder=f"{member.household.number}户主",
        bank_account=f"621488{member.pk:012d}",
        day=day,
    )


def _seed_yulu(county: Area) -> None:
    from bangfu.registry.models import VOCATIONAL, Member

    if YuluTerm.objects.filter(county=county, code="2020-spring").exists():
        return
    spring = create_term(actor=None, county=county, code="2020-spring")
    autumn = create_term(actor=None, county=county, code="2020-autumn")
    members = {
        m.pk: m
        for m in Member.objects.filter(pk__in=eligible_member_ids(spring)).select_related(
            "household", "village"
        )
    }
    ordered = [members[pk] for pk in sorted(members)]
    # Leave every 12th student without an application (missing), pay two late, the rest on time.
    missing = set(ordered[::12])
    late = [m for m in ordered if m not in missing][:2]
    on_time = [m for m in ordered if m not in missing and m not in late]
    for i, member in enumerate(on_time):
        application = _apply(spring, member, i, date(2020, 3, 10))
        for day in (date(2020, 3, 12), date(2020, 3, 17), date(2020, 3, 20)):
            review_application(actor=None, application=application, approve=True, day=day)
    if on_time:
        batch = create_payment_batch(actor=None, term=spring, day=date(2020, 4, 1))
        mark_batch_paid(actor=None, batch=batch, paid_on=date(2020, 4, 10))
    for member in late:
        record_payment(actor=None, term=spring, member=member, amount=spring.amount, paid_on=date(2020, 7, 3))
    # A payment to a student who was in 普通高中 on 1 March (a wrong recipient).
    wrong = (
        Member.objects.filter(county=county, active=True)
        .exclude(pk__in=members)
        .exclude(schooling__in=VOCATIONAL)
        .exclude(schooling="")
        .order_by("pk")
        .first()
    )
    if wrong is not None:
        record_payment(actor=None, term=spring, member=wrong, amount=spring.amount, paid_on=date(2020, 4, 20))
    # Autumn: the first applications are in; one rejected with its reason.
    autumn_students = sorted(eligible_member_ids(autumn))[:6]
    for i, pk in enumerate(autumn_students):
        member = members.get(pk) or Member.objects.select_related("household", "village").get(pk=pk)
        application = _apply(autumn, member, i, date(2020, 7, 6))
        if i % 3 == 1:
            review_application(actor=None, application=application, approve=True, day=date(2020, 7, 10))
        elif i % 3 == 2:
            review_application(
                actor=None,
                application=application,
                approve=False,
                reason="学籍证明未盖章，请补充后重新申请",
                day=date(2020, 7, 10),
            )


def _seed_technician(county: Area) -> None:
    from bangfu.registry.models import Member

    if TechnicianCohort.objects.filter(county=county, year=2020).exists():
        return
    cohort = create_technician_cohort(
        actor=None, county=county, year=2020, name="2020年百工技师工程", amount_per_term="1000"
    )
    candidates = list(
        Member.objects.filter(
            county=county, active=True, household__active=True, schooling__in=["high_3", ""]
        )
        .filter(birth_date__gte=date(1998, 1, 1), birth_date__lte=date(2004, 12, 31))
        .select_related("household")
        .order_by("pk")[:8]
    )
    trades = ["汽车维修", "电工", "烹饪", "数控加工", "护理", "电子商务"]
    studying = 0
    for i, member in enumerate(candidates):
        enrolment = enrol_technician_student(
            actor=None,
            cohort=cohort,
            member=member,
            school=SCHOOLS[i % len(SCHOOLS)],
            trade=trades[i % len(trades)],
            start_date=date(2020, 3, 1),
        )
        if i % 4 != 3:
            set_technician_status(actor=None, enrolment=enrolment, status="studying")
            studying += 1
        if i == 5:
            set_technician_status(
                actor=None, enrolment=enrolment, status="dropped", reason="家庭困难，外出务工"
            )
    if studying:
        fund_technician_term(actor=None, cohort=cohort, term_code="2020-spring", paid_on=date(2020, 5, 15))


def _name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)]


def _seed_sanzhi(county: Area) -> None:
    if SanzhiPlan.objects.filter(county=county).exists():
        return
    townships = list(Area.objects.filter(level="township", code__startswith=county.prefix).order_by("code"))
    if not townships:
        return
    fields = ["teaching", "agriculture", "health", "poverty"]
    # 2019 intake: on post since September 2019.
    plan_2019 = create_sanzhi_plan(
        actor=None, county=county, year=2019, monthly_subsidy="2000", settling_allowance="2000"
    )
    for i, township in enumerate(townships[:3]):
        post = set_sanzhi_posts(actor=None, plan=plan_2019, township=township, field=fields[i % 4], posts=1)
        applicant = register_sanzhi_applicant(
            actor=None,
            post=post,
            number=f"2019{i + 1:03d}",
            name=_name(i + 40),
            school="四川农业大学",
            graduation_year=2019,
            major="农学",
        )
        for _step in range(7):
            advance_sanzhi_applicant(actor=None, applicant=applicant, passed=True)
        placement = place_sanzhi_applicant(actor=None, applicant=applicant, start_date=date(2019, 9, 1))
        pay_sanzhi_subsidy(
            actor=None, placement=placement, kind="settling", month=date(2020, 3, 1), paid_on=date(2020, 3, 5)
        )
        month = date(2020, 1, 1)
        while month < date(2020, 7, 1):
            pay_sanzhi_subsidy(
                actor=None, placement=placement, kind="monthly", month=month, paid_on=month.replace(day=25)
            )
            month = date(month.year, month.month + 1, 1)
        assess_sanzhi_placement(
            actor=None, placement=placement, kind="annual", year=2019, grade="excellent" if i == 0 else "pass"
        )
    # 2020 recruitment in progress (Q2–Q3): posts per township and field, applicants at every stage.
    plan = create_sanzhi_plan(
        actor=None, county=county, year=2020, monthly_subsidy="2200", settling_allowance="3000"
    )
    posts = [
        set_sanzhi_posts(
            actor=None, plan=plan, township=township, field=fields[(i + k) % 4], posts=1 + (i + k) % 2
        )
        for i, township in enumerate(townships)
        for k in range(2)
    ]
    for n in range(24):
        post = posts[n % len(posts)]
        applicant = register_sanzhi_applicant(
            actor=None,
            post=post,
            number=f"2020{n + 1:03d}",
            name=_name(n),
            school=SCHOOLS[n % 3] if n % 2 else "四川师范大学",
            graduation_year=2018 + n % 3,
            major=["汉语言文学", "临床医学", "农学", "社会工作"][n % 4],
        )
        for _step in range(n % 7):
            advance_sanzhi_applicant(actor=None, applicant=applicant, passed=True)
        if n % 5 == 4:
            advance_sanzhi_applicant(
                actor=None, applicant=applicant, passed=False, reason="笔试成绩未达到合格线"
            )


def _seed_milestones(county: Area) -> None:
    if ProgrammeMilestone.objects.filter(county=county, year=2020).exists():
        return
    ensure_plan_milestones(actor=None, county=county, year=2020)
    done = {("sanzhi", "plan"): date(2020, 3, 20), ("technician", "policy"): date(2020, 6, 19)}
    for milestone in ProgrammeMilestone.objects.filter(county=county, year=2020):
        day = done.get((milestone.programme, milestone.key))
        if day is not None:
            complete_milestone(actor=None, milestone=milestone, done_on=day)


@transaction.atomic
def seed_demo(county: Area) -> None:
    _seed_milestones(county)
    _seed_yulu(county)
    _seed_technician(county)
    _seed_sanzhi(county)
