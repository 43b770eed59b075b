"""Every write of the subsidies app. Keyword-only, atomic, audited; refusals change nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role, User
from bangfu.accounts.scopes import require_actor_in
from bangfu.areas.models import Area, Level
from bangfu.audit.services import record_audit
from bangfu.lib.clock import today
from bangfu.lib.crypto import decrypt_text, encrypt_text
from bangfu.lib.money import MAX_AMOUNT, clean_amount
from bangfu.lib.periods import add_months, quarters_span
from bangfu.subsidies.models import (
    APPLICATION_TRANSITIONS,
    COUNTY_PUBLICITY_DAYS,
    SANZHI_STAGE_ORDER,
    TECHNICIAN_TRANSITIONS,
    TERM_DEFAULTS,
    VILLAGE_PUBLICITY_DAYS,
    ApplicationStatus,
    AssessmentGrade,
    AssessmentKind,
    BatchStatus,
    PaymentSource,
    PlacementStatus,
    Programme,
    ProgrammeMilestone,
    SanzhiApplicant,
    SanzhiAssessment,
    SanzhiField,
    SanzhiOutcome,
    SanzhiPayment,
    SanzhiPaymentKind,
    SanzhiPlacement,
    SanzhiPlan,
    SanzhiPost,
    SanzhiStage,
    Season,
    TechnicianCohort,
    TechnicianEnrolment,
    TechnicianFunding,
    TechnicianStatus,
    YuluApplication,
    YuluPayment,
    YuluPaymentBatch,
    YuluTerm,
)

if TYPE_CHECKING:
    from bangfu.registry.models import Member


def _check_county_level(county: Area) -> None:
    """A county given as an argument must be a county (the scope is checked before, by
    `require_actor_in`)."""
    if county.level != Level.COUNTY:
        raise ValidationError({"county": _("必须是县级区划。")})


def _money(value: Any, field: str, *, maximum: Decimal = MAX_AMOUNT) -> Decimal:
    return clean_amount(value, field=field, maximum=maximum)


# --- Yulu terms ----------------------------------------------------------------------------------------
def parse_term_code(code: str) -> tuple[int, Season]:
    """'2020-spring' → (2020, SPRING); raises ValidationError naming the bad value."""
    year_text, _sep, season_text = code.strip().partition("-")
    if not (year_text.isdigit() and len(year_text) == 4) or season_text not in Season.values:
        raise ValidationError(
            {"code": _("学期编号“%(v)s”无效，应为“2020-spring”或“2020-autumn”。") % {"v": code}}
        )
    return int(year_text), Season(season_text)


@transaction.atomic
def create_term(
    *,
    actor: User | None,
    county: Area,
    code: str,
    start_date: date | None = None,
    payment_deadline: date | None = None,
    amount: Decimal | str | None = None,
) -> YuluTerm:
    """Open a Yulu term. Start date, deadline (30 June / 31 December) and amount (1,500 yuan)
    default per season and can be set per term."""
    require_actor_in(actor, county, Role.COUNTY_ADMIN)
    _check_county_level(county)
    year, season = parse_term_code(code)
    (sm, sd), (dm, dd) = TERM_DEFAULTS[season]
    start = start_date or date(year, sm, sd)
    deadline = payment_deadline or date(year, dm, dd)
    if deadline < start:
        raise ValidationError({"payment_deadline": _("发放截止日期不能早于开学日期。")})
    if YuluTerm.objects.filter(county=county, code=f"{year}-{season}").exists():
        raise ValidationError({"code": _("学期“%(v)s”已存在。") % {"v": code}})
    term = YuluTerm.objects.create(
        county=county,
        code=f"{year}-{season}",
        year=year,
        season=season,
        start_date=start,
        payment_deadline=deadline,
        amount=_money(amount, "amount") if amount is not None else Decimal("1500.00"),
    )
    record_audit(
        actor=actor,
        action="subsidies.create_term",
        target=term,
        after={
            "code": term.code,
            "start_date": str(start),
            "payment_deadline": str(deadline),
            "amount": str(term.amount),
        },
        county=county,
    )
    return term


@transaction.atomic
def update_term(
    *,
    actor: User | None,
    term: YuluTerm,
    start_date: date,
    payment_deadline: date,
    amount: Decimal | str,
) -> YuluTerm:
    require_actor_in(actor, term.county, Role.COUNTY_ADMIN)
    if payment_deadline < start_date:
        raise ValidationError({"payment_deadline": _("发放截止日期不能早于开学日期。")})
    before = {
        "start_date": str(term.start_date),
        "payment_deadline": str(term.payment_deadline),
        "amount": str(term.amount),
    }
    term.start_date, term.payment_deadline, term.amount = (
        start_date,
        payment_deadline,
        _money(amount, "amount"),
    )
    term.save(update_fields=["start_date", "payment_deadline", "amount"])
    record_audit(
        actor=actor,
        action="subsidies.update_term",
        target=term,
        before=before,
        after={
            "start_date": str(start_date),
            "payment_deadline": str(payment_deadline),
            "amount": str(term.amount),
        },
        county=term.county,
    )
    return term


# --- milestones --------------------------------------------------------------------------------------
# The plan's schedules (进度安排): (key, title, first quarter, last quarter).
PLAN_SCHEDULES: dict[str, list[tuple[str, str, int, int]]] = {
    Programme.YULU: [
        ("spring", "完成春季学期申报、核定、拨款", 1, 2),
        ("autumn", "完成秋季学期申报、核定、拨款", 3, 4),
    ],
    Programme.TECHNICIAN: [
        ("policy", "协调支持政策", 1, 2),
        ("review", "审核资料", 3, 3),
        ("follow_up", "项目跟踪、总结", 4, 4),
    ],
    Programme.SANZHI: [
        ("plan", "制定招募方案，安排部署年度工作", 1, 1),
        ("recruit", "完成招募工作", 2, 3),
        ("on_post", "三支一扶人员正式上岗", 4, 4),
    ],
}


@transaction.atomic
def ensure_plan_milestones(*, actor: User | None, county: Area, year: int) -> int:
    """Create the plan's schedule for `year` as milestones with due dates (idempotent)."""
    require_actor_in(actor, county, Role.COUNTY_ADMIN)
    _check_county_level(county)
    existing = set(
        ProgrammeMilestone.objects.filter(county=county, year=year).values_list("programme", "key")
    )
    new = []
    for programme, steps in PLAN_SCHEDULES.items():
        for key, title, first, last in steps:
            if (programme, key) in existing:
                continue
            start, due = quarters_span(year, first, last)
            new.append(
                ProgrammeMilestone(
                    county=county,
                    programme=programme,
                    year=year,
                    key=key,
                    title=title,
                    start_date=start,
                    due_date=due,
                )
            )
    ProgrammeMilestone.objects.bulk_create(new)
    if new:
        record_audit(
            actor=actor,
            action="subsidies.ensure_plan_milestones",
            target_type="subsidies.programmemilestone",
            after={"year": year, "created": [f"{m.programme}.{m.key}" for m in new]},
            county=county,
        )
    return len(new)


@transaction.atomic
def complete_milestone(
    *, actor: User | None, milestone: ProgrammeMilestone, done_on: date
) -> ProgrammeMilestone:
    require_actor_in(actor, milestone.county, Role.COUNTY_ADMIN)
    if milestone.done_on is not None:
        raise ValidationError({"done_on": _("该节点已完成。")})
    if done_on < milestone.start_date:
        raise ValidationError({"done_on": _("完成日期不能早于节点开始日期。")})
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on"])
    record_audit(
        actor=actor,
        action="subsidies.complete_milestone",
        target=milestone,
        after={"done_on": str(done_on)},
        county=milestone.county,
    )
    return milestone


# --- technician cohorts ------------------------------------------------------------------------------
@transaction.atomic
def create_technician_cohort(
    *, actor: User | None, county: Area, year: int, name: str, amount_per_term: Decimal | str
) -> TechnicianCohort:
    require_actor_in(actor, county, Role.COUNTY_ADMIN)
    _check_county_level(county)
    if TechnicianCohort.objects.filter(county=county, year=year).exists():
        raise ValidationError({"year": _("%(y)d年度的技师工程批次已存在。") % {"y": year}})
    cohort = TechnicianCohort.objects.create(
        county=county,
        year=year,
        name=name.strip() or f"{year}",
        amount_per_term=_money(amount_per_term, "amount_per_term"),
    )
    record_audit(
        actor=actor,
        action="subsidies.create_technician_cohort",
        target=cohort,
        after={"year": year, "amount_per_term": str(cohort.amount_per_term)},
        county=county,
    )
    return cohort


# --- Sanzhi-Yifu ---------------------------------------------------------------------------------------
@transaction.atomic
def create_sanzhi_plan(
    *,
    actor: User | None,
    county: Area,
    year: int,
    monthly_subsidy: Decimal | str,
    settling_allowance: Decimal | str,
    service_months: int = 24,
) -> SanzhiPlan:
    require_actor_in(actor, county, Role.COUNTY_ADMIN)
    _check_county_level(county)
    if SanzhiPlan.objects.filter(county=county, year=year).exists():
        raise ValidationError({"year": _("%(y)d年度的招募计划已存在。") % {"y": year}})
    if service_months <= 0:
        raise ValidationError({"service_months": _("服务期必须大于0个月。")})
    plan = SanzhiPlan.objects.create(
        county=county,
        year=year,
        monthly_subsidy=_money(monthly_subsidy, "monthly_subsidy"),
        settling_allowance=_money(settling_allowance, "settling_allowance"),
        service_months=service_months,
    )
    record_audit(
        actor=actor,
        action="subsidies.create_sanzhi_plan",
        target=plan,
        after={
            "year": year,
            "monthly_subsidy": str(plan.monthly_subsidy),
            "settling_allowance": str(plan.settling_allowance),
            "service_months": service_months,
        },
        county=county,
    )
    return plan


@transaction.atomic
def set_sanzhi_posts(
    *, actor: User | None, plan: SanzhiPlan, township: Area, field: str, posts: int
) -> SanzhiPost:
    require_actor_in(actor, plan.county, Role.COUNTY_ADMIN)
    if township.level != Level.TOWNSHIP or not township.code.startswith(plan.county.prefix):
        raise ValidationError({"township": _("岗位所在乡（镇）必须属于本县。")})
    if field not in SanzhiField.values:
        raise ValidationError({"field": _("类别“%(v)s”无效。") % {"v": field}})
    if posts <= 0:
        raise ValidationError({"posts": _("岗位数必须大于0。")})
    post, created = SanzhiPost.objects.get_or_create(
        plan=plan, township=township, field=field, defaults={"posts": posts}
    )
    before = None if created else {"posts": post.posts}
    if not created and post.posts != posts:
        post.posts = posts
        post.save(update_fields=["posts"])
    record_audit(
        actor=actor,
        action="subsidies.set_sanzhi_posts",
        target=post,
        before=before,
        after={"township": township.code, "field": field, "posts": posts},
        county=plan.county,
    )
    return post


@transaction.atomic
def register_sanzhi_applicant(
    *,
    actor: User | None,
    post: SanzhiPost,
    number: str,
    name: str,
    school: str,
    graduation_year: int,
    major: str = "",
) -> SanzhiApplicant:
    require_actor_in(actor, post.plan.county, Role.COUNTY_ADMIN)
    plan = post.plan
    errors: dict[str, str] = {}
    if not number.strip():
        errors["number"] = _("报名号不能为空。")
    elif SanzhiApplicant.objects.filter(plan=plan, number=number.strip()).exists():
        errors["number"] = _("报名号“%(v)s”已存在。") % {"v": number}
    if not name.strip():
        errors["name"] = _("姓名不能为空。")
    if not school.strip():
        errors["school"] = _("毕业院校不能为空。")
    # Applicants are graduates of the last three years (DOMAIN §4).
    if not plan.year - 3 <= graduation_year <= plan.year:
        errors["graduation_year"] = _("毕业年份必须在%(a)d至%(b)d年之间。") % {
            "a": plan.year - 3,
            "b": plan.year,
        }
    if errors:
        raise ValidationError(errors)
    applicant = SanzhiApplicant.objects.create(
        plan=plan,
        post=post,
        number=number.strip(),
        name=name.strip(),
        school=school.strip(),
        major=major.strip(),
        graduation_year=graduation_year,
    )
    record_audit(
        actor=actor,
        action="subsidies.register_sanzhi_applicant",
        target_type="subsidies.sanzhiapplicant",
        target_id=str(applicant.pk),
        after={"number": applicant.number, "post": post.pk},
        county=plan.county,
    )
    return applicant


@transaction.atomic
def advance_sanzhi_applicant(
    *, actor: User | None, applicant: SanzhiApplicant, passed: bool, reason: str = ""
) -> SanzhiApplicant:
    """Move an applicant to the next stage (报名 → … → 录用), or eliminate them with a reason."""
    require_actor_in(actor, applicant.plan.county, Role.COUNTY_ADMIN)
    if applicant.eliminated:
        raise ValidationError({"stage": _("该报名人员已被淘汰，不能再变更环节。")})
    if applicant.stage == SanzhiStage.HIRED:
        raise ValidationError({"stage": _("该报名人员已录用。")})
    before = {"stage": applicant.stage, "eliminated": applicant.eliminated}
    if passed:
        applicant.stage = SANZHI_STAGE_ORDER[SANZHI_STAGE_ORDER.index(SanzhiStage(applicant.stage)) + 1]
    else:
        if not reason.strip():
            raise ValidationError({"reason": _("淘汰必须填写原因。")})
        applicant.eliminated, applicant.elimination_reason = True, reason.strip()
    applicant.save(update_fields=["stage", "eliminated", "elimination_reason"])
    record_audit(
        actor=actor,
        action="subsidies.advance_sanzhi_applicant",
        target_type="subsidies.sanzhiapplicant",
        target_id=str(applicant.pk),
        before=before,
        after={"stage": applicant.stage, "eliminated": applicant.eliminated},
        reason=reason.strip(),
        county=applicant.plan.county,
    )
    return applicant


@transaction.atomic
def place_sanzhi_applicant(
    *, actor: User | None, applicant: SanzhiApplicant, start_date: date
) -> SanzhiPlacement:
    """Put a hired applicant on post in the township of their post, for the plan's service period."""
    require_actor_in(actor, applicant.plan.county, Role.COUNTY_ADMIN)
    plan = applicant.plan
    if applicant.stage != SanzhiStage.HIRED or applicant.eliminated:
        raise ValidationError({"stage": _("只有已录用人员才能上岗。")})
    if SanzhiPlacement.objects.filter(applicant=applicant).exists():
        raise ValidationError({"applicant": _("该人员已上岗。")})
    placement = SanzhiPlacement.objects.create(
        county=plan.county,
        applicant=applicant,
        township=applicant.post.township,
        field=applicant.post.field,
        start_date=start_date,
        end_date=add_months(start_date, plan.service_months),
    )
    record_audit(
        actor=actor,
        action="subsidies.place_sanzhi_applicant",
        target=placement,
        after={
            "start_date": str(start_date),
            "end_date": str(placement.end_date),
            "township": placement.township.code,
        },
        county=plan.county,
    )
    return placement


@transaction.atomic
def pay_sanzhi_subsidy(
    *, actor: User | None, placement: SanzhiPlacement, kind: str, month: date, paid_on: date
) -> SanzhiPayment:
    """Record a monthly subsidy or the one-off settling-in allowance at the plan's amount."""
    require_actor_in(actor, placement.county, Role.COUNTY_ADMIN)
    plan = placement.applicant.plan
    month = month.replace(day=1)
    if kind not in SanzhiPaymentKind.values:
        raise ValidationError({"kind": _("类别“%(v)s”无效。") % {"v": kind}})
    if placement.status != PlacementStatus.SERVING:
        raise ValidationError({"placement": _("该人员不在岗，不能发放补贴。")})
    if not placement.start_date.replace(day=1) <= month < placement.end_date:
        raise ValidationError({"month": _("%(m)s不在服务期内。") % {"m": month.strftime("%Y-%m")}})
    if kind == SanzhiPaymentKind.SETTLING:
        if SanzhiPayment.objects.filter(placement=placement, kind=kind).exists():
            raise ValidationError({"kind": _("一次性安家费已发放过。")})
        amount = plan.settling_allowance
    else:
        if SanzhiPayment.objects.filter(placement=placement, kind=kind, month=month).exists():
            raise ValidationError({"month": _("%(m)s的生活补贴已发放过。") % {"m": month.strftime("%Y-%m")}})
        amount = plan.monthly_subsidy
    payment = SanzhiPayment.objects.create(
        placement=placement, kind=kind, month=month, amount=amount, paid_on=paid_on
    )
    record_audit(
        actor=actor,
        action="subsidies.pay_sanzhi_subsidy",
        target_type="subsidies.sanzhipayment",
        target_id=str(payment.pk),
        after={"placement": placement.pk, "kind": kind, "month": str(month), "amount": str(amount)},
        county=placement.county,
    )
    return payment


@transaction.atomic
def assess_sanzhi_placement(
    *, actor: User | None, placement: SanzhiPlacement, kind: str, year: int, grade: str
) -> SanzhiAssessment:
    require_actor_in(actor, placement.county, Role.COUNTY_ADMIN)
    if kind not in AssessmentKind.values:
        raise ValidationError({"kind": _("考核类别“%(v)s”无效。") % {"v": kind}})
    if grade not in AssessmentGrade.values:
        raise ValidationError({"grade": _("考核等次“%(v)s”无效。") % {"v": grade}})
    if SanzhiAssessment.objects.filter(placement=placement, kind=kind, year=year).exists():
        raise ValidationError({"year": _("%(y)d年度的该类考核已录入。") % {"y": year}})
    if (
        kind == AssessmentKind.END_OF_SERVICE
        and SanzhiAssessment.objects.filter(placement=placement, kind=kind).exists()
    ):
        raise ValidationError({"kind": _("期满考核只能录入一次。")})
    assessment = SanzhiAssessment.objects.create(placement=placement, kind=kind, year=year, grade=grade)
    if kind == AssessmentKind.END_OF_SERVICE:
        placement.status = PlacementStatus.COMPLETED
        placement.save(update_fields=["status"])
    record_audit(
        actor=actor,
        action="subsidies.assess_sanzhi_placement",
        target=placement,
        after={"kind": kind, "year": year, "grade": grade},
        county=placement.county,
    )
    return assessment


@transaction.atomic
def record_sanzhi_outcome(*, actor: User | None, placement: SanzhiPlacement, outcome: str) -> SanzhiPlacement:
    require_actor_in(actor, placement.county, Role.COUNTY_ADMIN)
    if outcome not in SanzhiOutcome.values or not outcome:
        raise ValidationError({"outcome": _("去向“%(v)s”无效。") % {"v": outcome}})
    before = {"outcome": placement.outcome}
    placement.outcome = outcome
    placement.save(update_fields=["outcome"])
    record_audit(
        actor=actor,
        action="subsidies.record_sanzhi_outcome",
        target=placement,
        before=before,
        after={"outcome": outcome},
        county=placement.county,
    )
    return placement


@transaction.atomic
def record_sanzhi_departure(
    *, actor: User | None, placement: SanzhiPlacement, reason: str
) -> SanzhiPlacement:
    require_actor_in(actor, placement.county, Role.COUNTY_ADMIN)
    if placement.status != PlacementStatus.SERVING:
        raise ValidationError({"status": _("该人员不在岗。")})
    if not reason.strip():
        raise ValidationError({"reason": _("中途离岗必须填写原因。")})
    placement.status = PlacementStatus.LEFT
    placement.save(update_fields=["status"])
    record_audit(
        actor=actor,
        action="subsidies.record_sanzhi_departure",
        target=placement,
        before={"status": PlacementStatus.SERVING},
        after={"status": PlacementStatus.LEFT},
        reason=reason.strip(),
        county=placement.county,
    )
    return placement


# --- Yulu: the per-student workflow ------------------------------------------------------------------
BANK_CONTEXT = "subsidies.yulu.bank_account"


def _require_step(actor: User | None, application: YuluApplication, target: str) -> None:
    allowed = APPLICATION_TRANSITIONS[application.status]
    if target not in allowed:
        raise ValidationError(
            {
                "status": _("申请当前状态为“%(s)s”，不能执行此操作。")
                % {"s": ApplicationStatus(application.status).label}
            }
        )
    require_actor_in(actor, application.village, *allowed[target])


def _step_day(actor: User | None, day: date | None) -> date:
    """The date of a workflow step: today, or for the system (demo, back-filled records) the day
    given. People cannot back-date a step."""
    if day is not None and actor is not None:
        raise PermissionDenied(_("不能补录审核日期。"))
    return day or today()


def _mask_account(account: str) -> str:
    return ("*" * max(len(account) - 4, 0) + account[-4:]) if len(account) > 4 else "****"


@transaction.atomic
def submit_application(
    *,
    actor: User | None,
    term: YuluTerm,
    member: Member,
    school: str,
    enrolment_proof: str,
    bank_name: str,
    account_holder: str,
    bank_account: str,
    day: date | None = None,
) -> YuluApplication:
    """A student or parent applies at the village committee; the village officer (or the
    township clerk) enters it. The student must be eligible on the term's start date."""
    require_actor_in(actor, member.village, Role.VILLAGE_OFFICER, Role.TOWNSHIP_CLERK, Role.COUNTY_ADMIN)
    from bangfu.subsidies.selectors import eligible_member_ids_for

    errors: dict[str, str] = {}
    account = "".join(bank_account.split())
    if member.county_id != term.county_id:
        errors["member"] = _("学生不属于该学期所在县。")
    elif member.pk not in eligible_member_ids_for(term, [member.pk]):
        errors["member"] = _(
            "该成员在开学日期（%(d)s）的在校生状况不是中职或高职高专在读，或不在册，不符合条件。"
        ) % {"d": term.start_date}
    if not school.strip():
        errors["school"] = _("就读学校不能为空。")
    if not enrolment_proof.strip():
        errors["enrolment_proof"] = _("学籍证明不能为空。")
    if not bank_name.strip():
        errors["bank_name"] = _("开户银行不能为空。")
    if not account_holder.strip():
        errors["account_holder"] = _("户名不能为空。")
    if not (account.isdigit() and 12 <= len(account) <= 30):
        errors["bank_account"] = _("银行账号应为12至30位数字。")
    if (
        not errors
        and YuluApplication.objects.filter(term=term, member=member)
        .exclude(status=ApplicationStatus.REJECTED)
        .exists()
    ):
        errors["member"] = _("该学生本学期已有申请。")
    if errors:
        raise ValidationError(errors)
    application = YuluApplication.objects.create(
        county=term.county,
        term=term,
        member=member,
        household=member.household,
        village=member.village,
        school=school.strip(),
        enrolment_proof=enrolment_proof.strip(),
        bank_name=bank_name.strip(),
        account_holder=account_holder.strip(),
        bank_account_encrypted=encrypt_text(account, context=BANK_CONTEXT),
        bank_account_masked=_mask_account(account),
        submitted_on=_step_day(actor, day),
    )
    record_audit(
        actor=actor,
        action="subsidies.submit_application",
        target_type="subsidies.yuluapplication",
        target_id=str(application.pk),
        after={"term": term.code, "member": member.pk, "bank_account": application.bank_account_masked},
        county=term.county,
    )
    return application


def _move(
    *, actor: User | None, application: YuluApplication, target: str, reason: str = "", **fields: Any
) -> YuluApplication:
    before = {"status": application.status}
    application.status = target
    update = ["status", "updated_at", *fields]
    for name, value in fields.items():
        setattr(application, name, value)
    application.save(update_fields=update)
    record_audit(
        actor=actor,
        action=f"subsidies.application.{target}",
        target_type="subsidies.yuluapplication",
        target_id=str(application.pk),
        before=before,
        after={"status": target, **{k: str(v) for k, v in fields.items()}},
        reason=reason,
        county=application.county,
    )
    return application


def _reject(*, actor: User | None, application: YuluApplication, reason: str) -> YuluApplication:
    _require_step(actor, application, ApplicationStatus.REJECTED)
    if not reason.strip():
        raise ValidationError({"reason": _("不通过必须填写原因。")})
    return _move(
        actor=actor,
        application=application,
        target=ApplicationStatus.REJECTED,
        reason=reason.strip(),
        rejection_reason=reason.strip(),
    )


@transaction.atomic
def review_application(
    *,
    actor: User | None,
    application: YuluApplication,
    approve: bool,
    reason: str = "",
    day: date | None = None,
) -> YuluApplication:
    """The next review step, by the role that owns it:
    village (初审 → 5-day publicity) → township (after the publicity) → county (审定 → 7-day
    publicity). A rejection needs a reason and ends the application."""
    require_actor_in(actor, application.village, Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK, Role.VILLAGE_OFFICER)
    application = (
        YuluApplication.objects.select_for_update().select_related("county", "village").get(pk=application.pk)
    )
    if not approve:
        return _reject(actor=actor, application=application, reason=reason)
    status = application.status
    day = _step_day(actor, day)
    if status == ApplicationStatus.SUBMITTED:
        _require_step(actor, application, ApplicationStatus.VILLAGE_PUBLICITY)
        return _move(
            actor=actor,
            application=application,
            target=ApplicationStatus.VILLAGE_PUBLICITY,
            village_publicity_until=day + timedelta(days=VILLAGE_PUBLICITY_DAYS),
        )
    if status == ApplicationStatus.VILLAGE_PUBLICITY:
        _require_step(actor, application, ApplicationStatus.TOWNSHIP_APPROVED)
        if application.village_publicity_until and day < application.village_publicity_until:
            raise ValidationError(
                {
                    "status": _("村级公示期至%(d)s，公示期满后才能审核。")
                    % {"d": application.village_publicity_until}
                }
            )
        return _move(actor=actor, application=application, target=ApplicationStatus.TOWNSHIP_APPROVED)
    if status == ApplicationStatus.TOWNSHIP_APPROVED:
        _require_step(actor, application, ApplicationStatus.COUNTY_PUBLICITY)
        return _move(
            actor=actor,
            application=application,
            target=ApplicationStatus.COUNTY_PUBLICITY,
            county_publicity_until=day + timedelta(days=COUNTY_PUBLICITY_DAYS),
        )
    raise ValidationError(
        {"status": _("申请当前状态为“%(s)s”，没有待审核的环节。") % {"s": ApplicationStatus(status).label}}
    )


@transaction.atomic
def create_payment_batch(*, actor: User | None, term: YuluTerm, day: date | None = None) -> YuluPaymentBatch:
    """Put every application whose county publicity has ended into a new payment batch."""
    require_actor_in(actor, term.county, Role.COUNTY_ADMIN)
    ready = YuluApplication.objects.filter(
        term=term,
        status=ApplicationStatus.COUNTY_PUBLICITY,
        county_publicity_until__lte=_step_day(actor, day),
    )
    if not ready.exists():
        raise ValidationError({"term": _("没有县级公示期满、可列入发放批次的申请。")})
    number = (YuluPaymentBatch.objects.filter(term=term).aggregate(n=Max("number"))["n"] or 0) + 1
    batch = YuluPaymentBatch.objects.create(county=term.county, term=term, number=number)
    count = ready.update(status=ApplicationStatus.BATCHED, batch=batch)
    record_audit(
        actor=actor,
        action="subsidies.create_payment_batch",
        target=batch,
        after={"term": term.code, "number": number, "applications": count},
        county=term.county,
    )
    return batch


@transaction.atomic
def mark_batch_paid(*, actor: User | None, batch: YuluPaymentBatch, paid_on: date) -> int:
    """The bank has paid the batch: one payment row per application, set-based. The database
    refuses a second payment for the same student and term."""
    require_actor_in(actor, batch.county, Role.COUNTY_ADMIN)
    batch = YuluPaymentBatch.objects.select_for_update().select_related("term", "county").get(pk=batch.pk)
    if batch.status != BatchStatus.OPEN:
        raise ValidationError({"batch": _("该批次已标记为已发放。")})
    if paid_on > today():
        raise ValidationError({"paid_on": _("发放日期不能晚于今天。")})
    rows = list(
        batch.applications.filter(status=ApplicationStatus.BATCHED).values_list(
            "pk", "member_id", "household_id", "village_id", "member__id_number_index"
        )
    )
    already = set(
        YuluPayment.objects.filter(term=batch.term, member_id__in=[r[1] for r in rows]).values_list(
            "member_id", flat=True
        )
    )
    if already:
        raise ValidationError(
            {"batch": _("批次中有%(n)d名学生本学期已发放过，不能重复发放。") % {"n": len(already)}}
        )
    YuluPayment.objects.bulk_create(
        YuluPayment(
            county=batch.county,
            term=batch.term,
            member_id=member_id,
            household_id=household_id,
            village_id=village_id,
            id_number_index=index,
            application_id=app_id,
            batch=batch,
            amount=batch.term.amount,
            paid_on=paid_on,
        )
        for app_id, member_id, household_id, village_id, index in rows
    )
    batch.applications.filter(status=ApplicationStatus.BATCHED).update(status=ApplicationStatus.PAID)
    batch.status, batch.paid_on = BatchStatus.PAID, paid_on
    batch.save(update_fields=["status", "paid_on"])
    record_audit(
        actor=actor,
        action="subsidies.mark_batch_paid",
        target=batch,
        after={"paid_on": str(paid_on), "payments": len(rows)},
        county=batch.county,
    )
    return len(rows)


@transaction.atomic
def record_payment(
    *, actor: User | None, term: YuluTerm, member: Member, amount: Decimal | str, paid_on: date
) -> YuluPayment:
    """Record a payment made outside the batches (e.g. from the finance bureau's 报账 list), so
    that the paid list reconciliation checks is complete."""
    require_actor_in(actor, term.county, Role.COUNTY_ADMIN)
    if member.county_id != term.county_id:
        raise ValidationError({"member": _("学生不属于该学期所在县。")})
    if YuluPayment.objects.filter(term=term, member=member).exists():
        raise ValidationError({"member": _("该学生本学期已有发放记录，不能重复发放。")})
    payment = YuluPayment.objects.create(
        county=term.county,
        term=term,
        member=member,
        household_id=member.household_id,
        village_id=member.village_id,
        id_number_index=member.id_number_index,
        source=PaymentSource.RECORDED,
        # Above the term's standard is an error of the list, not a payment to store.
        amount=_money(amount, "amount", maximum=term.amount),
        paid_on=paid_on,
    )
    record_audit(
        actor=actor,
        action="subsidies.record_payment",
        target_type="subsidies.yulupayment",
        target_id=str(payment.pk),
        after={
            "term": term.code,
            "member": member.pk,
            "amount": str(payment.amount),
            "paid_on": str(paid_on),
        },
        county=term.county,
    )
    return payment


@transaction.atomic
def export_bank_file(*, actor: User | None, batch: YuluPaymentBatch) -> bytes:
    """The bank payment file (xlsx) of a batch, with full account numbers: audited."""
    require_actor_in(actor, batch.county, Role.COUNTY_ADMIN)
    from bangfu.subsidies.exports import bank_file_xlsx

    content = bank_file_xlsx(batch, decrypt=lambda token: decrypt_text(token, context=BANK_CONTEXT))
    record_audit(
        actor=actor,
        action="subsidies.export_bank_file",
        target=batch,
        after={"applications": batch.applications.count()},
        county=batch.county,
    )
    return content


# --- technician programme: enrolment, status, per-term funding ---------------------------------------
@transaction.atomic
def enrol_technician_student(
    *,
    actor: User | None,
    cohort: TechnicianCohort,
    member: Member,
    school: str,
    trade: str,
    start_date: date,
) -> TechnicianEnrolment:
    """Enrol a member of a registered household (active, household still registered)."""
    require_actor_in(actor, member.village, Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK)
    errors: dict[str, str] = {}
    if member.county_id != cohort.county_id:
        errors["member"] = _("学生不属于该县。")
    elif not (member.active and member.household.active):
        errors["member"] = _("该成员不在册或所在户已不在建档立卡名单中。")
    elif TechnicianEnrolment.objects.filter(cohort=cohort, member=member).exists():
        errors["member"] = _("该学生已报名本批次。")
    if not school.strip():
        errors["school"] = _("培训学校不能为空。")
    if not trade.strip():
        errors["trade"] = _("专业工种不能为空。")
    if errors:
        raise ValidationError(errors)
    enrolment = TechnicianEnrolment.objects.create(
        county=cohort.county,
        cohort=cohort,
        member=member,
        household=member.household,
        village=member.village,
        school=school.strip(),
        trade=trade.strip(),
        start_date=start_date,
    )
    record_audit(
        actor=actor,
        action="subsidies.enrol_technician_student",
        target_type="subsidies.technicianenrolment",
        target_id=str(enrolment.pk),
        after={"cohort": cohort.year, "member": member.pk, "trade": enrolment.trade},
        county=cohort.county,
    )
    return enrolment


@transaction.atomic
def set_technician_status(
    *, actor: User | None, enrolment: TechnicianEnrolment, status: str, reason: str = ""
) -> TechnicianEnrolment:
    require_actor_in(actor, enrolment.village, Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK)
    if status not in TECHNICIAN_TRANSITIONS.get(enrolment.status, set()):
        raise ValidationError(
            {
                "status": _("不能从“%(a)s”变更为“%(b)s”。")
                % {"a": TechnicianStatus(enrolment.status).label, "b": status}
            }
        )
    if status == TechnicianStatus.DROPPED and not reason.strip():
        raise ValidationError({"reason": _("退出必须填写原因。")})
    before = {"status": enrolment.status}
    enrolment.status = status
    enrolment.drop_reason = reason.strip() if status == TechnicianStatus.DROPPED else enrolment.drop_reason
    enrolment.save(update_fields=["status", "drop_reason"])
    record_audit(
        actor=actor,
        action="subsidies.set_technician_status",
        target_type="subsidies.technicianenrolment",
        target_id=str(enrolment.pk),
        before=before,
        after={"status": status},
        reason=reason.strip(),
        county=enrolment.county,
    )
    return enrolment


@transaction.atomic
def fund_technician_term(
    *, actor: User | None, cohort: TechnicianCohort, term_code: str, paid_on: date
) -> int:
    """Fund every current (studying) student of the cohort for a term at the cohort's amount,
    once per student and term. Returns how many were funded."""
    require_actor_in(actor, cohort.county, Role.COUNTY_ADMIN)
    year, season = parse_term_code(term_code)
    code = f"{year}-{season}"
    current = TechnicianEnrolment.objects.filter(cohort=cohort, status=TechnicianStatus.STUDYING).exclude(
        fundings__term_code=code
    )
    ids = list(current.values_list("pk", flat=True))
    if not ids:
        raise ValidationError({"term_code": _("没有需要资助的在读学员（或本学期均已资助）。")})
    TechnicianFunding.objects.bulk_create(
        TechnicianFunding(enrolment_id=pk, term_code=code, amount=cohort.amount_per_term, paid_on=paid_on)
        for pk in ids
    )
    record_audit(
        actor=actor,
        action="subsidies.fund_technician_term",
        target=cohort,
        after={"term": code, "students": len(ids), "amount_each": str(cohort.amount_per_term)},
        county=cohort.county,
    )
    return len(ids)


@transaction.atomic
def pay_sanzhi_month(*, actor: User | None, county: Area, month: date, paid_on: date) -> int:
    """Pay the monthly subsidy for `month` to every placement of the county on post that month and
    not yet paid for it, at its plan's amount (set-based). Returns how many were paid."""
    require_actor_in(actor, county, Role.COUNTY_ADMIN)
    _check_county_level(county)
    month = month.replace(day=1)
    rows = list(
        SanzhiPlacement.objects.filter(
            county=county,
            status=PlacementStatus.SERVING,
            start_date__lt=add_months(month, 1),
            end_date__gt=month,
        )
        .exclude(payments__kind=SanzhiPaymentKind.MONTHLY, payments__month=month)
        .values_list("pk", "applicant__plan__monthly_subsidy")
    )
    if not rows:
        raise ValidationError(
            {"month": _("%(m)s没有需要发放生活补贴的在岗人员。") % {"m": month.strftime("%Y-%m")}}
        )
    SanzhiPayment.objects.bulk_create(
        SanzhiPayment(
            placement_id=pk, kind=SanzhiPaymentKind.MONTHLY, month=month, amount=amount, paid_on=paid_on
        )
        for pk, amount in rows
    )
    record_audit(
        actor=actor,
        action="subsidies.pay_sanzhi_month",
        target_type="subsidies.sanzhipayment",
        after={"month": str(month), "placements": len(rows)},
        county=county,
    )
    return len(rows)


@transaction.atomic
def import_paid_list(*, actor: User | None, term: YuluTerm, data: bytes, filename: str) -> int:
    """Record the finance bureau's paid list for a term (payments made outside the batches).

    All or nothing: every row must name a member of the term's county not yet paid for the term,
    once. Errors name the row and field. Set-based: one lookup by blind index, one bulk insert."""
    require_actor_in(actor, term.county, Role.COUNTY_ADMIN)
    from bangfu.lib import idnumbers
    from bangfu.lib.crypto import blind_indexer
    from bangfu.registry.models import Member
    from bangfu.registry.services import ID_INDEX_PURPOSE
    from bangfu.subsidies.paidlist import parse_paid_list

    rows, errors = parse_paid_list(
        data, filename, maximum=term.amount, earliest=date(term.start_date.year - 1, 1, 1)
    )
    index_of = blind_indexer(ID_INDEX_PURPOSE)
    indexes = {row.line: index_of(idnumbers.normalise(row.id_number)) for row in rows}
    members = {
        m.id_number_index: m
        for m in Member.objects.filter(county=term.county, id_number_index__in=set(indexes.values())).only(
            "pk", "household_id", "village_id", "id_number_index"
        )
    }
    paid = set(
        YuluPayment.objects.filter(term=term, member__in=[m.pk for m in members.values()]).values_list(
            "member_id", flat=True
        )
    )
    seen: dict[str, int] = {}
    for row in rows:
        index = indexes[row.line]
        member = members.get(index)
        if member is None:
            errors.append(
                (row.line, _("第%(line)d行：证件号码在本县建档立卡名单中不存在。") % {"line": row.line})
            )
        elif member.pk in paid:
            errors.append((row.line, _("第%(line)d行：该学生本学期已有发放记录。") % {"line": row.line}))
        elif index in seen:
            message = _("第%(line)d行：与第%(other)d行是同一人，不能重复发放。")
            errors.append((row.line, message % {"line": row.line, "other": seen[index]}))
        seen.setdefault(index, row.line)
    if errors:
        raise ValidationError([message for _line, message in sorted(errors)])
    if not rows:
        raise ValidationError(_("文件中没有发放记录。"))
    YuluPayment.objects.bulk_create(
        YuluPayment(
            county=term.county,
            term=term,
            member_id=members[indexes[row.line]].pk,
            household_id=members[indexes[row.line]].household_id,
            village_id=members[indexes[row.line]].village_id,
            id_number_index=indexes[row.line],
            source=PaymentSource.RECORDED,
            amount=row.amount,
            paid_on=row.paid_on,
        )
        for row in rows
    )
    record_audit(
        actor=actor,
        action="subsidies.import_paid_list",
        target=term,
        after={"file": filename[:100], "payments": len(rows)},
        county=term.county,
    )
    return len(rows)
