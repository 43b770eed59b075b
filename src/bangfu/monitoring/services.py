"""Every write to monitoring. Keyword-only, atomic, scope-checked first, audited.

A refused write raises ValidationError with a Chinese message and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import require_actor_in
from bangfu.areas.models import Area, Level
from bangfu.audit.services import record_audit
from bangfu.lib import clock, idnumbers
from bangfu.lib.crypto import blind_index, decrypt_text, encrypt_text
from bangfu.lib.dates import check_date
from bangfu.lib.money import ZERO, clean_amount
from bangfu.lib.periods import add_months
from bangfu.monitoring.models import (
    LIVE_STATUSES,
    OPEN_STATUSES,
    FoundBy,
    IncomeCheck,
    Kind,
    Lead,
    LeadState,
    Measure,
    MeasureType,
    MonitoredHousehold,
    MonitoredMember,
    MonitoringPolicy,
    MonitoringVisit,
    Phase,
    ProcedureStep,
    Risk,
    RiskType,
    Status,
    Step,
)
from bangfu.monitoring.selectors import expected_step, policy_for, publicity_ends, stable_since
from bangfu.partners.models import Cadre
from bangfu.registry.models import Household
from bangfu.registry.writer import ID_INDEX_PURPOSE

ID_CONTEXT = "monitoring.member.id_number"
ENTER_ROLES = (Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK, Role.VILLAGE_OFFICER)
# Who may record each step: the village runs its review and 公示, the township checks, the
# county decides and enters the result into the national system.
STEP_ROLES: dict[str, tuple[str, ...]] = {
    Step.APPLIED: ENTER_ROLES,
    Step.VILLAGE_REVIEW: ENTER_ROLES,
    Step.PUBLICITY: ENTER_ROLES,
    Step.TOWNSHIP_REVIEW: (Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK),
    Step.COUNTY_APPROVAL: (Role.COUNTY_ADMIN,),
    Step.ENTERED: (Role.COUNTY_ADMIN,),
}
FULL_ID_ROLES = (Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK)


def _refuse(message: str) -> ValidationError:
    return ValidationError(message)


def _label(choices: Any, value: str) -> str:
    return str(dict(choices.choices).get(value, value))


# --- settings -------------------------------------------------------------------------------------
@transaction.atomic
def set_policy(
    *,
    actor: Any,
    county: Area,
    year: int,
    national_standard: Decimal,
    line_factor: Decimal = Decimal("1.5"),
    stable_months: int = 6,
    publicity_days: int = 7,
    visit_days: int = 31,
    lead_days: int = 15,
    medical_threshold: Decimal = Decimal("10000"),
) -> MonitoringPolicy:
    require_actor_in(actor, county, Role.COUNTY_ADMIN)
    standard = clean_amount(national_standard, field="national_standard")
    if not Decimal("1") <= Decimal(line_factor) <= Decimal("5"):
        raise ValidationError({"line_factor": _("监测线倍数应在1至5之间。")})
    if not 1 <= publicity_days <= 30:
        raise ValidationError({"publicity_days": _("公示天数应在1至30天之间。")})
    policy, _created = MonitoringPolicy.objects.update_or_create(
        county=county,
        year=year,
        defaults={
            "national_standard": standard,
            "line_factor": Decimal(line_factor),
            "stable_months": stable_months,
            "publicity_days": publicity_days,
            "visit_days": visit_days,
            "lead_days": lead_days,
            "medical_threshold": clean_amount(medical_threshold, field="medical_threshold"),
        },
    )
    record_audit(
        actor=actor,
        action="monitoring.policy.set",
        target=policy,
        after={"year": year, "line": str(policy.line), "publicity_days": publicity_days},
        county=county,
    )
    return policy


# --- households -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class MemberInput:
    name: str
    relation: str
    id_number: str
    health: str = ""
    labour_skill: str = ""


def _clean_members(members: Sequence[MemberInput], county: Area) -> list[MonitoredMember]:
    """Validate every member (all problems at once) and build unsaved rows."""
    from bangfu.registry.importer import id_message
    from bangfu.registry.models import Member

    today = clock.today()
    problems: list[str] = []
    rows: list[MonitoredMember] = []
    seen: dict[str, int] = {}
    if not members:
        problems.append(_("请至少填写一名家庭成员（户主）。"))
    for position, member in enumerate(members, start=1):
        prefix = _("第%(n)d名成员：") % {"n": position}
        name = member.name.strip()
        if not name or len(name) > 60:
            problems.append(prefix + _("姓名为空或超过60个字。"))
        if not member.relation.strip():
            problems.append(prefix + _("与户主关系为空。"))
        try:
            info = idnumbers.validate(member.id_number, today=today)
        except idnumbers.IdNumberError as exc:
            problems.append(prefix + id_message(exc) + "。")
            continue
        index = blind_index(info.number, purpose=ID_INDEX_PURPOSE)
        if index in seen:
            problems.append(prefix + _("证件号码与第%(n)d名成员重复。") % {"n": seen[index]})
            continue
        seen[index] = position
        masked = idnumbers.mask(info.number)
        if Member.objects.filter(county=county, id_number_index=index).exists():
            problems.append(
                prefix
                + _("证件号码%(id)s已在建档立卡名单中，请按脱贫不稳定户从建档立卡户纳入。") % {"id": masked}
            )
        elif MonitoredMember.objects.filter(county=county, id_number_index=index).exists():
            problems.append(prefix + _("证件号码%(id)s已是监测对象成员。") % {"id": masked})
        rows.append(
            MonitoredMember(
                county=county,
                name=name,
                relation=member.relation.strip()[:20],
                id_number_encrypted=encrypt_text(info.number, context=ID_CONTEXT),
                id_number_index=index,
                id_number_masked=masked,
                sex=info.sex,
                birth_date=info.birth_date,
                health=member.health.strip()[:20],
                labour_skill=member.labour_skill.strip()[:20],
            )
        )
    if problems:
        raise ValidationError({"members": problems})
    return rows


def _next_number(county: Area, year: int) -> str:
    prefix = f"JC{year}"
    taken = MonitoredHousehold.objects.filter(county=county, number__startswith=prefix).count()
    return f"{prefix}{taken + 1:05d}"


@transaction.atomic
def create_monitored_household(
    *,
    actor: Any,
    kind: str,
    found_by: str,
    found_on: date,
    risk_types: Sequence[str],
    registry_household: Household | None = None,
    village: Area | None = None,
    members: Sequence[MemberInput] = (),
    per_capita_income: Any = None,
    rigid_expenses: Any = ZERO,
    helper: Cadre | None = None,
    note: str = "",
    lead: Lead | None = None,
) -> MonitoredHousehold:
    """Open a monitoring record: the procedure's first step (申请或发现) is recorded with it.

    A registry household brings its members from the registry; a household outside it (边缘户)
    brings its own `members`, whose ID numbers are validated, encrypted, indexed and masked."""
    where = registry_household.village if registry_household is not None else village
    require_actor_in(actor, where, *ENTER_ROLES)  # None: the role only; the village is checked next
    if where is None or where.level != Level.VILLAGE:
        raise ValidationError({"village": _("请选择行政村。")})
    county = Area.objects.get(level=Level.COUNTY, code__startswith=where.county_code)
    if kind not in Kind.values:
        raise ValidationError({"kind": _("监测对象类别无效。")})
    if found_by not in FoundBy.values:
        raise ValidationError({"found_by": _("发现方式无效。")})
    check_date(found_on, field="found_on", label=_("发现日期"), latest=clock.today())
    risks = list(dict.fromkeys(risk_types))
    if not risks or any(r not in RiskType.values for r in risks):
        raise ValidationError({"risk_types": _("请至少选择一种有效的风险类型。")})
    income = (
        None
        if per_capita_income in (None, "")
        else clean_amount(per_capita_income, field="per_capita_income", minimum=ZERO)
    )
    expenses = clean_amount(rigid_expenses or ZERO, field="rigid_expenses", minimum=ZERO)
    if helper is not None and helper.county_id != county.pk:
        raise ValidationError({"helper": _("帮扶责任人不属于本县。")})
    member_rows: list[MonitoredMember] = []
    if registry_household is not None:
        if kind == Kind.MARGINAL:
            raise ValidationError(
                {"kind": _("建档立卡户不能按边缘易致贫户纳入，应为脱贫不稳定户或突发严重困难户。")}
            )
        if MonitoredHousehold.objects.filter(
            registry_household=registry_household, status__in=LIVE_STATUSES
        ).exists():
            raise ValidationError(_("该户已有正在办理或监测中的记录。"))
        registry_members = list(registry_household.members.filter(active=True).order_by("id"))
        head = next((m for m in registry_members if m.relation == "户主"), None)
        head_name = head.name if head else (registry_members[0].name if registry_members else "")
        size = len(registry_members)
        number = registry_household.number
    else:
        if kind == Kind.UNSTABLE:
            raise ValidationError({"kind": _("脱贫不稳定户应从建档立卡户纳入。")})
        member_rows = _clean_members(members, county)
        head_row = next((m for m in member_rows if m.relation == "户主"), member_rows[0])
        head_name = head_row.name
        size = len(member_rows)
        number = _next_number(county, found_on.year)
    if (
        MonitoredHousehold.objects.filter(county=county, number=number)
        .exclude(status__in=LIVE_STATUSES)
        .exists()
    ):
        # A registry household monitored again after an earlier record ended: "<户编号>-2" …
        earlier = MonitoredHousehold.objects.filter(county=county, number__startswith=number).count()
        number = f"{number}-{earlier + 1}"
    household = MonitoredHousehold.objects.create(
        county=county,
        village=where,
        number=number,
        registry_household=registry_household,
        head_name=head_name,
        kind=kind,
        found_by=found_by,
        found_on=found_on,
        household_size=size,
        per_capita_income=income,
        rigid_expenses=expenses,
        helper=helper,
        status=Status.IDENTIFYING,
        phase=Phase.IDENTIFY,
        last_step=Step.APPLIED,
        created_by=actor if actor is not None else None,
    )
    for row in member_rows:
        row.household = household
    MonitoredMember.objects.bulk_create(member_rows)
    Risk.objects.bulk_create([Risk(household=household, risk_type=r, opened_on=found_on) for r in risks])
    if income is not None:
        IncomeCheck.objects.create(
            household=household, checked_on=found_on, per_capita_income=income, recorded_by=actor
        )
    ProcedureStep.objects.create(
        household=household,
        phase=Phase.IDENTIFY,
        step=Step.APPLIED,
        date=found_on,
        note=note,
        recorded_by=actor,
    )
    if lead is not None:
        _decide_lead(
            actor=actor, lead=lead, state=LeadState.VERIFIED, reason=_("已纳入监测程序"), household=household
        )
    record_audit(
        actor=actor,
        action="monitoring.household.create",
        target=household,
        after={
            "kind": kind,
            "found_by": found_by,
            "risk_types": risks,
            "members": [m.id_number_masked for m in member_rows],
            "registry_household": registry_household.number if registry_household else "",
        },
        county=county,
    )
    return household


@transaction.atomic
def record_step(
    *,
    actor: Any,
    household: MonitoredHousehold,
    step: str,
    on: date,
    passed: bool = True,
    days: int | None = None,
    objections: str = "",
    note: str = "",
) -> ProcedureStep:
    """Record the next step of the procedure; anything out of order is refused, nothing changed.

    From 监测帮扶中, the step 申请或发现 opens risk elimination, which needs every risk closed and
    the income above the line for the county's `stable_months`."""
    require_actor_in(actor, household.village, *STEP_ROLES.get(step, ENTER_ROLES))
    if step not in Step.values:
        raise _refuse(_("未知的程序步骤。"))
    given = household
    household = MonitoredHousehold.objects.select_for_update().get(pk=household.pk)
    today = clock.today()
    expected = expected_step(household)
    label = _label(Step, step)
    if expected is None:
        raise _refuse(
            _("该户状态为“%(status)s”，不能再办理“%(step)s”。")
            % {"status": _label(Status, household.status), "step": label}
        )
    phase, want = expected
    if step != want:
        raise _refuse(
            _("程序顺序错误：%(phase)s当前应办理“%(want)s”，不能办理“%(step)s”。")
            % {"phase": _label(Phase, phase), "want": _label(Step, want), "step": label}
        )
    if on > today:
        raise _refuse(_("%(step)s的日期%(date)s晚于今天。") % {"step": label, "date": on.isoformat()})
    previous = ProcedureStep.objects.filter(household=household).order_by("-id").first()
    if previous is not None and on < previous.date:
        raise _refuse(
            _("%(step)s的日期%(date)s早于上一步“%(prev)s”的日期%(prev_date)s。")
            % {
                "step": label,
                "date": on.isoformat(),
                "prev": _label(Step, previous.step),
                "prev_date": previous.date.isoformat(),
            }
        )
    policy = policy_for(household.county, on.year)
    if step == Step.TOWNSHIP_REVIEW and previous is not None and previous.step == Step.PUBLICITY:
        ends = publicity_ends(previous)
        if on < ends:
            raise _refuse(
                _("村级公示期未满（公示至%(date)s），不能办理乡镇审核。") % {"date": ends.isoformat()}
            )
    if step == Step.PUBLICITY:
        days = days or policy.publicity_days
        if not 1 <= days <= 30:
            raise _refuse(_("公示天数应在1至30天之间。"))
    else:
        days = None
    if step == Step.APPLIED:  # from 监测帮扶中: opening risk elimination
        problems = elimination_problems(household, today)
        if problems:
            raise _refuse(_("不能申请风险消除：") + "；".join(problems) + "。")
    if step == Step.PUBLICITY or step == Step.ENTERED:
        passed = True
    before = {"status": household.status, "phase": household.phase, "last_step": household.last_step}
    record = ProcedureStep.objects.create(
        household=household,
        phase=phase,
        step=step,
        date=on,
        passed=passed,
        days=days,
        objections=objections.strip(),
        note=note.strip(),
        recorded_by=actor,
    )
    household.phase = phase
    household.last_step = step
    if step == Step.APPLIED:
        household.status = Status.ELIMINATING
    elif not passed:
        # Not passed at a review: identification ends (未纳入), elimination returns to monitoring.
        household.status = Status.NOT_INCLUDED if phase == Phase.IDENTIFY else Status.MONITORED
        if phase == Phase.ELIMINATE:
            household.last_step = Step.ENTERED
            household.phase = Phase.IDENTIFY
    elif step == Step.ENTERED:
        if phase == Phase.IDENTIFY:
            household.status, household.identified_on = Status.MONITORED, on
        else:
            household.status, household.eliminated_on = Status.ELIMINATED, on
    household.save(update_fields=["phase", "last_step", "status", "identified_on", "eliminated_on"])
    for name in ("phase", "last_step", "status", "identified_on", "eliminated_on"):
        setattr(given, name, getattr(household, name))  # the caller's copy is current too
    record_audit(
        actor=actor,
        action=f"monitoring.step.{phase}.{step}",
        target=household,
        before=before,
        after={
            "status": household.status,
            "date": on.isoformat(),
            "passed": passed,
            "days": days,
            "objections": bool(objections.strip()),
        },
        county=household.county,
    )
    return record


def elimination_problems(household: MonitoredHousehold, today: date) -> list[str]:
    """Why risk elimination cannot start today (empty when it can)."""
    problems = []
    open_risks = [
        _label(RiskType, r)
        for r in Risk.objects.filter(household=household, closed_on__isnull=True).values_list(
            "risk_type", flat=True
        )
    ]
    if open_risks:
        problems.append(_("尚有未消除的风险（%(risks)s）") % {"risks": "、".join(open_risks)})
    policy = policy_for(household.county, today.year)
    since = stable_since(household, policy.line)
    needed = add_months(today, -policy.stable_months)
    if since is None or since > needed:
        problems.append(
            _("人均纯收入未连续%(months)d个月高于监测线%(line)s元（最近一次连续高于监测线始于%(since)s）")
            % {
                "months": policy.stable_months,
                "line": policy.line,
                "since": since.isoformat() if since else _("无"),
            }
        )
    return problems


@transaction.atomic
def close_risk(
    *, actor: Any, household: MonitoredHousehold, risk_type: str, on: date, note: str = ""
) -> Risk:
    require_actor_in(actor, household.village, *ENTER_ROLES)
    risk = Risk.objects.filter(household=household, risk_type=risk_type, closed_on__isnull=True).first()
    if risk is None:
        raise _refuse(_("该户没有未消除的“%(risk)s”风险。") % {"risk": _label(RiskType, risk_type)})
    if on < risk.opened_on or on > clock.today():
        raise _refuse(_("风险消除日期应在%(start)s至今天之间。") % {"start": risk.opened_on.isoformat()})
    risk.closed_on, risk.note = on, note.strip()[:200]
    risk.save(update_fields=["closed_on", "note"])
    record_audit(
        actor=actor,
        action="monitoring.risk.close",
        target=household,
        after={"risk": risk_type, "on": on.isoformat()},
        county=household.county,
    )
    return risk


@transaction.atomic
def open_risk(*, actor: Any, household: MonitoredHousehold, risk_type: str, on: date, note: str = "") -> Risk:
    require_actor_in(actor, household.village, *ENTER_ROLES)
    if risk_type not in RiskType.values:
        raise _refuse(_("风险类型无效。"))
    if household.status not in LIVE_STATUSES:
        raise _refuse(_("该户已不在监测中。"))
    if Risk.objects.filter(household=household, risk_type=risk_type, closed_on__isnull=True).exists():
        raise _refuse(_("该户已有未消除的“%(risk)s”风险。") % {"risk": _label(RiskType, risk_type)})
    risk = Risk.objects.create(
        household=household, risk_type=risk_type, opened_on=on, note=note.strip()[:200]
    )
    record_audit(
        actor=actor,
        action="monitoring.risk.open",
        target=household,
        after={"risk": risk_type},
        county=household.county,
    )
    return risk


@transaction.atomic
def record_income(
    *, actor: Any, household: MonitoredHousehold, on: date, per_capita_income: Any
) -> IncomeCheck:
    require_actor_in(actor, household.village, *ENTER_ROLES)
    check_date(on, field="checked_on", label=_("核算日期"), earliest=household.found_on, latest=clock.today())
    amount = clean_amount(per_capita_income, field="per_capita_income", minimum=ZERO)
    check = IncomeCheck.objects.create(
        household=household, checked_on=on, per_capita_income=amount, recorded_by=actor
    )
    household.per_capita_income = amount
    household.save(update_fields=["per_capita_income"])
    record_audit(
        actor=actor,
        action="monitoring.income",
        target=household,
        after={"on": on.isoformat(), "income": str(amount)},
        county=household.county,
    )
    return check


@transaction.atomic
def assign_helper(*, actor: Any, household: MonitoredHousehold, helper: Cadre) -> MonitoredHousehold:
    require_actor_in(actor, household.village, Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK)
    if helper.county_id != household.county_id or not helper.is_active:
        raise _refuse(_("帮扶责任人应为本县在岗的帮扶干部。"))
    before = {"helper": household.helper.name if household.helper else ""}
    household.helper = helper
    household.save(update_fields=["helper"])
    record_audit(
        actor=actor,
        action="monitoring.helper",
        target=household,
        before=before,
        after={"helper": helper.name},
        county=household.county,
    )
    return household


def reveal_member_id(*, actor: Any, member: MonitoredMember) -> str:
    """The full ID number of an own member, for an in-scope county admin or township clerk;
    audited every time (like `registry.services.reveal_id_number`)."""
    require_actor_in(actor, member.household.village, *FULL_ID_ROLES)
    with transaction.atomic():
        record_audit(
            actor=actor,
            action="monitoring.member.reveal_id",
            target=member,
            after={"id_number": member.id_number_masked},
            county=member.household.county,
        )
    return decrypt_text(member.id_number_encrypted, context=ID_CONTEXT)


# --- leads ----------------------------------------------------------------------------------------
def _decide_lead(
    *, actor: Any, lead: Lead, state: str, reason: str, household: MonitoredHousehold | None = None
) -> Lead:
    if lead.state != LeadState.OPEN:
        raise _refuse(_("该线索已核实，不能重复处理。"))
    lead.state, lead.reason, lead.decided_on, lead.decided_by = state, reason, clock.today(), actor
    lead.monitored_household = household
    lead.save(update_fields=["state", "reason", "decided_on", "decided_by", "monitored_household"])
    record_audit(
        actor=actor,
        action=f"monitoring.lead.{state}",
        target=lead,
        after={"reason": reason},
        county=lead.county,
    )
    return lead


@transaction.atomic
def decide_lead(*, actor: Any, lead: Lead, verified: bool, reason: str) -> Lead:
    """Verify (属实, to be entered into the procedure) or dismiss a lead; the reason is required."""
    require_actor_in(actor, lead.village or lead.county, *ENTER_ROLES)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("请填写核实说明（属实或排除的理由）。")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("核实说明不能超过200个字。")})
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    return _decide_lead(
        actor=actor, lead=lead, state=LeadState.VERIFIED if verified else LeadState.DISMISSED, reason=reason
    )


# --- support --------------------------------------------------------------------------------------
@transaction.atomic
def add_measure(
    *,
    actor: Any,
    household: MonitoredHousehold,
    measure_type: str,
    detail: str,
    start: date,
    end: date | None = None,
    amount: Any = None,
    source: str = "",
    yulu_payment: Any = None,
    pairing: Any = None,
    project: Any = None,
) -> Measure:
    """A support measure. A linked record (Yulu payment, kinship pairing, project) supplies the
    facts it holds (amount, dates, source) instead of retyping them; it must concern this
    household (its member, its pairing, its village)."""
    require_actor_in(actor, household.village, *ENTER_ROLES)
    if household.status not in LIVE_STATUSES:
        raise _refuse(_("该户已不在监测中，不能再添加帮扶措施。"))
    if measure_type not in MeasureType.values:
        raise ValidationError({"measure_type": _("帮扶措施类型无效。")})
    hh = household.registry_household_id
    if yulu_payment is not None:
        if hh is None or yulu_payment.household_id != hh:
            raise ValidationError({"yulu_payment": _("该雨露计划发放记录不属于本户。")})
        measure_type, amount, start = MeasureType.EDUCATION, yulu_payment.amount, yulu_payment.paid_on
        source = source or _("雨露计划")
        detail = detail or _("雨露计划补助（%(term)s）") % {"term": yulu_payment.term}
    if pairing is not None:
        if hh is None or pairing.target_household_id != hh:
            raise ValidationError({"pairing": _("该结对不是本户的结对认亲。")})
        start, end = pairing.start_date, pairing.end_date
        source = source or str(pairing.helper_organisation)
        detail = detail or _("结对帮扶")
    if project is not None:
        if project.area is None or not household.village.code.startswith(project.area.prefix):
            raise ValidationError({"project": _("该项目的实施地点不包括本户所在村。")})
        detail = detail or project.title
        start = project.started_on or start
    detail = detail.strip()
    if not detail or len(detail) > 200:
        raise ValidationError({"detail": _("措施内容为空或超过200个字。")})
    check_date(start, field="start", label=_("开始日期"))
    if end is not None and end < start:
        raise ValidationError({"end": _("结束日期不能早于开始日期。")})
    value = None if amount in (None, "") else clean_amount(amount, field="amount", minimum=ZERO)
    measure = Measure.objects.create(
        household=household,
        measure_type=measure_type,
        detail=detail,
        start=start,
        end=end,
        amount=value,
        source=source.strip()[:100],
        yulu_payment=yulu_payment,
        pairing=pairing,
        project=project,
        created_by=actor,
    )
    record_audit(
        actor=actor,
        action="monitoring.measure.add",
        target=household,
        after={
            "type": measure_type,
            "amount": str(value) if value is not None else "",
            "start": start.isoformat(),
        },
        county=household.county,
    )
    return measure


@transaction.atomic
def record_visit(
    *,
    actor: Any,
    household: MonitoredHousehold,
    on: date,
    form: str = "in_person",
    notes: str = "",
    cadre: Cadre | None = None,
) -> MonitoringVisit:
    """The 帮扶责任人's visit (or a call), recorded by them or by the village/township staff."""
    require_actor_in(actor, household.village, *ENTER_ROLES, Role.UNIT_REPORTER)
    cadre = cadre or household.helper
    if cadre is None:
        raise _refuse(_("该户尚未确定帮扶责任人，请先指定帮扶责任人。"))
    if (
        actor is not None
        and actor.role == Role.UNIT_REPORTER
        and actor.organisation_id != cadre.organisation_id
    ):
        raise Http404("household")
    if household.status not in OPEN_STATUSES:
        raise _refuse(_("该户不在监测帮扶中。"))
    if form not in ("in_person", "phone"):
        raise ValidationError({"form": _("走访形式无效。")})
    check_date(on, field="date", label=_("走访日期"), earliest=household.found_on, latest=clock.today())
    visit = MonitoringVisit.objects.create(
        household=household, cadre=cadre, date=on, form=form, notes=notes.strip(), created_by=actor
    )
    record_audit(
        actor=actor,
        action="monitoring.visit",
        target=household,
        after={"date": on.isoformat(), "form": form},
        county=household.county,
    )
    return visit
