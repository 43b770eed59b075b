"""Every write of projects: keyword-only, atomic, audited.

资金共管: a disbursement is paid when one user of the funding side and one of the recipient side
have approved it (`approve_disbursement`). The disbursement row is locked first, then the ledger
locks the project's account while it checks the balance, so concurrent approvals neither pay a
request twice nor overdraw the fund.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from bangfu.accounts.duties import DutiesRefused, audit_refusal, check_signature
from bangfu.accounts.models import Role, User
from bangfu.accounts.scopes import area_prefix, require_actor_in
from bangfu.areas.models import Area, Level, county_code_of
from bangfu.audit.services import diff, record_audit
from bangfu.ledger.approvals import assign_slot, is_complete
from bangfu.ledger.models import AccountKind, Entry, EntryKind
from bangfu.ledger.selectors import account_balance
from bangfu.ledger.services import InsufficientBalance, open_account, post_entry, reverse_entry
from bangfu.lib.clock import now as clock_now
from bangfu.lib.clock import today
from bangfu.lib.dates import check_date, date_problem, latest_year
from bangfu.lib.money import CENT, ZERO, clean_amount
from bangfu.partners.models import Organisation, Pairing
from bangfu.projects.models import (
    DISBURSEMENT_TRANSITIONS,
    EVALUATED_PAIRING_KINDS,
    FUNDABLE_STATUSES,
    PROJECT_TRANSITIONS,
    REQUIRED_SIDES,
    Allocation,
    Category,
    Disbursement,
    DisbursementApproval,
    DisbursementAttachment,
    DisbursementStatus,
    Evaluation,
    EvaluationKind,
    FundSource,
    InvestmentPlan,
    Project,
    ProjectKind,
    ProjectStatus,
    RectificationItem,
    Side,
    evaluation_due_on,
)
from bangfu.projects.scopes import sides_of

# Supporting documents: what county offices scan and sign (OFD is China's e-document format).
ATTACHMENT_SUFFIXES = {".pdf", ".ofd", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx"}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
# Words the project pages use as fixed paths (projects/<word>/) cannot be project codes.
RESERVED_CODES = {"new", "disbursements", "attachments", "evaluations", "rectifications", "plans", "reports"}


def _county_code(obj: Any) -> str:
    return obj.county.county_code


def _money(value: Any, field: str, *, positive: bool) -> Decimal:
    return clean_amount(value, field=field, minimum=CENT if positive else ZERO)


def _require_county_admin(actor: User, county: Area) -> None:
    try:
        require_actor_in(actor, county, Role.COUNTY_ADMIN)
    except PermissionDenied:
        raise PermissionDenied(_("只有本县管理员可以执行此操作。")) from None


def _require_side(actor: User, project: Project) -> set[str]:
    sides = sides_of(actor, project)
    if not sides:
        raise PermissionDenied(_("您不是该项目的资助方或受援方，不能执行此操作。"))
    return sides


def _slot_labels() -> dict[str, str]:
    return {Side.FUNDER.value: str(Side.FUNDER.label), Side.RECIPIENT.value: str(Side.RECIPIENT.label)}


# --- projects -------------------------------------------------------------------------------------
@transaction.atomic
def create_project(
    *,
    actor: User,
    county: Area,
    code: str,
    title: str,
    kind: str,
    category: str,
    year: int,
    area: Area,
    funders: Sequence[Organisation],
    description: str = "",
    beneficiary_households: int = 0,
    beneficiary_people: int = 0,
    beneficiary_poor_households: int = 0,
    planned_start: date | None = None,
    planned_end: date | None = None,
    budget_partner: Decimal = Decimal("0.00"),
    budget_province: Decimal = Decimal("0.00"),
    budget_county: Decimal = Decimal("0.00"),
    budget_enterprise: Decimal = Decimal("0.00"),
    budget_social: Decimal = Decimal("0.00"),
    investment_plan: InvestmentPlan | None = None,
) -> Project:
    """Register a planned project and open its fund account on the ledger.

    County admins register any project of their county; a unit reporter registers projects its
    own organisation funds."""
    errors: dict[str, str] = {}
    if county.level != Level.COUNTY:
        raise ValidationError({"county": _("所属县必须是县级区划。")})
    if actor.role == Role.UNIT_REPORTER:
        if actor.organisation_id not in {f.pk for f in funders}:
            errors["funders"] = _("单位填报员只能登记本单位资助的项目。")
        prefix = area_prefix(actor)
        if prefix is None or not county.code.startswith(county_code_of(prefix)):
            raise PermissionDenied(_("该县不在您的权限范围内。"))
    else:
        _require_county_admin(actor, county)
    code = code.strip()
    if not CODE_RE.match(code) or code.lower() in RESERVED_CODES:
        errors["code"] = _("项目编号只能由字母、数字、-、_ 组成，最长 32 位。")
    elif Project.objects.filter(county=county, code=code).exists():
        errors["code"] = _("项目编号 %(code)s 已存在。") % {"code": code}
    if not title.strip():
        errors["title"] = _("请填写项目名称。")
    if kind not in ProjectKind.values:
        errors["kind"] = _("帮扶类别无效。")
    if category not in Category.values:
        errors["category"] = _("项目类型无效。")
    if not 2000 <= year <= 2100:
        errors["year"] = _("年度无效。")
    if not area.code.startswith(county.prefix):
        errors["area"] = _("实施地点不在该县内。")
    if not funders:
        errors["funders"] = _("至少指定一个资助单位。")
    elif any(f.county_id != county.pk for f in funders):
        errors["funders"] = _("资助单位必须是本县登记的单位。")
    if planned_start and planned_end and planned_end < planned_start:
        errors["planned_end"] = _("计划完工日期早于计划开工日期。")
    if investment_plan is not None and (
        investment_plan.county_id != county.pk
        or investment_plan.year != year
        or investment_plan.partner_id not in {f.pk for f in funders}
    ):
        errors["investment_plan"] = _("年度投资计划必须是本县、同一年度、资助单位之一的计划。")
    budgets = {
        "budget_partner": budget_partner,
        "budget_province": budget_province,
        "budget_county": budget_county,
        "budget_enterprise": budget_enterprise,
        "budget_social": budget_social,
    }
    for field, value in budgets.items():
        try:
            budgets[field] = _money(value, field, positive=False)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    account = open_account(
        actor=actor,
        county=county,
        kind=AccountKind.PROJECT_FUND,
        reference=f"project:{code}",
        name=_("项目资金：%(code)s %(title)s") % {"code": code, "title": title.strip()},
        earmark_area=area,
    )
    project = Project(
        county=county,
        code=code,
        title=title.strip(),
        kind=kind,
        category=category,
        year=year,
        area=area,
        description=description,
        beneficiary_households=beneficiary_households,
        beneficiary_people=beneficiary_people,
        beneficiary_poor_households=beneficiary_poor_households,
        planned_start=planned_start,
        planned_end=planned_end,
        investment_plan=investment_plan,
        account=account,
        created_by=actor,
        **budgets,
    )
    project.full_clean(exclude=["funders"])
    project.save()
    project.funders.set(funders)
    record_audit(
        actor=actor,
        action="projects.create_project",
        target=project,
        after={
            "code": code,
            "kind": kind,
            "category": category,
            "area": area.code,
            "funders": sorted(f.code for f in funders),
            "budget": str(project.budget_total),
        },
        county=county,
    )
    return project


EDITABLE_FIELDS = (
    "title",
    "category",
    "description",
    "beneficiary_households",
    "beneficiary_people",
    "beneficiary_poor_households",
    "planned_start",
    "planned_end",
    "budget_partner",
    "budget_province",
    "budget_county",
    "budget_enterprise",
    "budget_social",
    "investment_plan",
)


@transaction.atomic
def update_project(*, actor: User, project: Project, **changes: Any) -> Project:
    """Correct a project's registration details (audited with before/after). Code, kind, year,
    location and funders are fixed once registered: they decide who approves its money."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("不能修改的字段：%(fields)s。") % {"fields": "、".join(sorted(unknown))})
    project = Project.objects.select_for_update().get(pk=project.pk)
    if actor.role == Role.UNIT_REPORTER:
        if Side.FUNDER.value not in sides_of(actor, project):
            raise PermissionDenied(_("单位填报员只能修改本单位资助的项目。"))
    else:
        _require_county_admin(actor, project.county)
    if project.status in (ProjectStatus.COMPLETED, ProjectStatus.CANCELLED):
        status = ProjectStatus(project.status).label
        raise ValidationError(_("项目状态为“%(status)s”，登记信息不能再修改。") % {"status": status})
    errors: dict[str, str] = {}
    if "title" in changes and not str(changes["title"]).strip():
        errors["title"] = _("请填写项目名称。")
    if "category" in changes and changes["category"] not in Category.values:
        errors["category"] = _("项目类型无效。")
    for field in [f for f in changes if f.startswith("budget_")]:
        try:
            changes[field] = _money(changes[field], field, positive=False)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    start = changes.get("planned_start", project.planned_start)
    end = changes.get("planned_end", project.planned_end)
    if start and end and end < start:
        errors["planned_end"] = _("计划完工日期早于计划开工日期。")
    plan = changes.get("investment_plan", project.investment_plan)
    if plan is not None and (
        plan.county_id != project.county_id
        or plan.year != project.year
        or not project.funders.filter(pk=plan.partner_id).exists()
    ):
        errors["investment_plan"] = _("年度投资计划必须是本县、同一年度、资助单位之一的计划。")
    if errors:
        raise ValidationError(errors)

    def snapshot() -> dict[str, Any]:
        return {
            f: (str(getattr(project, f"{f}_id")) if f == "investment_plan" else str(getattr(project, f)))
            for f in EDITABLE_FIELDS
        }

    before = snapshot()
    for field, value in changes.items():
        setattr(project, field, value.strip() if isinstance(value, str) else value)
    project.full_clean(exclude=["funders"])
    project.save(update_fields=[*changes, "updated_at"])
    old, new = diff(before, snapshot())
    if new:
        record_audit(
            actor=actor,
            action="projects.update_project",
            target=project,
            before=old,
            after=new,
            county=project.county,
        )
    return project


@transaction.atomic
def change_project_status(*, actor: User, project: Project, to: str, reason: str = "") -> Project:
    """Move a project along planned → approved → in progress → completed, or cancel it (with a
    reason). Approving it schedules its mid-year and annual evaluations."""
    _require_county_admin(actor, project.county)
    project = Project.objects.select_for_update().get(pk=project.pk)
    before = project.status
    if to not in PROJECT_TRANSITIONS.get(before, set()):
        raise ValidationError(
            _("项目状态不能从“%(from)s”变为“%(to)s”。")
            % {
                "from": ProjectStatus(before).label,
                "to": ProjectStatus(to).label if to in ProjectStatus.values else to,
            }
        )
    reason = reason.strip()
    if to == ProjectStatus.CANCELLED and not reason:
        raise ValidationError({"reason": _("取消项目必须填写原因。")})
    if (
        to in (ProjectStatus.CANCELLED, ProjectStatus.COMPLETED)
        and project.disbursements.filter(status=DisbursementStatus.PENDING).exists()
    ):
        raise ValidationError(_("该项目还有待审批的拨付申请，请先办结。"))
    project.status = to
    fields = ["status", "updated_at"]
    if to == ProjectStatus.IN_PROGRESS:
        project.started_on = today()
        fields.append("started_on")
    elif to == ProjectStatus.COMPLETED:
        project.completed_on = today()
        fields.append("completed_on")
    elif to == ProjectStatus.CANCELLED:
        project.cancel_reason = reason[:500]
        fields.append("cancel_reason")
    project.save(update_fields=fields)
    if to == ProjectStatus.APPROVED:
        _schedule_for_projects([project], project.year)
    record_audit(
        actor=actor,
        action="projects.change_status",
        target=project,
        before={"status": before},
        after={"status": to},
        reason=reason[:500],
        county=project.county,
    )
    return project


# --- funds ----------------------------------------------------------------------------------------
def _require_fundable(project: Project) -> None:
    if project.status not in FUNDABLE_STATUSES:
        raise ValidationError(
            _("项目状态为“%(status)s”，不能收支资金（须为已批准或实施中）。")
            % {"status": ProjectStatus(project.status).label}
        )


@transaction.atomic
def record_allocation(
    *,
    actor: User,
    project: Project,
    amount: Decimal,
    source: str,
    funder: Organisation | None = None,
    received_on: date | None = None,
    memo: str = "",
) -> Allocation:
    """Money received into the project's fund (资金到位): a credit on its ledger account."""
    _require_side(actor, project)
    project = Project.objects.select_related("county", "account").get(pk=project.pk)
    _require_fundable(project)
    amount = _money(amount, "amount", positive=True)
    if source not in FundSource.values:
        raise ValidationError({"source": _("资金来源无效。")})
    if funder is not None and not project.funders.filter(pk=funder.pk).exists():
        raise ValidationError({"funder": _("拨付单位不是该项目的资助单位。")})
    received_on = received_on or today()
    if received_on > today():
        raise ValidationError({"received_on": _("到账日期不能晚于今天。")})
    # Money for a project arrives from the year before its own (funds issued in advance) on.
    check_date(received_on, field="received_on", label=_("到账日期"), earliest=date(project.year - 1, 1, 1))
    entry = post_entry(
        actor=actor,
        account=project.account,
        kind=EntryKind.CREDIT,
        amount=amount,
        memo=memo or _("资金到位"),
        source_type="projects.allocation",
        occurred_on=received_on,
    )
    allocation = Allocation.objects.create(
        project=project,
        county=project.county,
        source=source,
        funder=funder,
        amount=amount,
        received_on=received_on,
        memo=memo[:500],
        entry=entry,
        created_by=actor,
    )
    record_audit(
        actor=actor,
        action="projects.record_allocation",
        target=allocation,
        after={"project": project.code, "amount": str(amount), "source": source},
        county=project.county,
    )
    return allocation


@transaction.atomic
def reverse_allocation(*, actor: User, allocation: Allocation, reason: str) -> Entry:
    """Correct an allocation recorded by mistake: a ledger reversal of its credit (county admin
    only). Refused when it was reversed already or the money has been paid out since."""
    _require_county_admin(actor, allocation.county)
    reversal = reverse_entry(actor=actor, entry=allocation.entry, reason=reason)
    record_audit(
        actor=actor,
        action="projects.reverse_allocation",
        target=allocation,
        after={"project": allocation.project.code, "amount": str(-allocation.amount)},
        reason=reason.strip()[:500],
        county=allocation.county,
    )
    return reversal


@transaction.atomic
def request_disbursement(
    *,
    actor: User,
    project: Project,
    amount: Decimal,
    payee: str,
    purpose: str,
    attachments: str = "",
    upload: UploadedFile | None = None,
) -> Disbursement:
    """A user of either side asks to pay money out of the project's fund, optionally with one
    supporting document (`upload`); a refused document refuses the request too."""
    _require_side(actor, project)
    project = Project.objects.select_related("county", "account").get(pk=project.pk)
    _require_fundable(project)
    amount = _money(amount, "amount", positive=True)
    errors: dict[str, str] = {}
    if not payee.strip():
        errors["payee"] = _("请填写收款单位或个人。")
    if not purpose.strip():
        errors["purpose"] = _("请填写用途。")
    if errors:
        raise ValidationError(errors)
    balance = account_balance(project.account)
    if amount > balance:
        raise InsufficientBalance(account=project.account, balance=balance, amount=amount)
    disbursement = Disbursement.objects.create(
        project=project,
        county=project.county,
        amount=amount,
        payee=payee.strip()[:200],
        purpose=purpose.strip()[:500],
        attachments=attachments.strip(),
        requested_by=actor,
    )
    record_audit(
        actor=actor,
        action="projects.request_disbursement",
        target=disbursement,
        after={"project": project.code, "amount": str(amount), "payee": disbursement.payee},
        county=project.county,
    )
    if upload is not None:
        add_disbursement_attachment(actor=actor, disbursement=disbursement, upload=upload)
    return disbursement


@transaction.atomic
def add_disbursement_attachment(
    *, actor: User, disbursement: Disbursement, upload: UploadedFile
) -> DisbursementAttachment:
    """Attach a supporting document (either side). Kept after the request is decided: documents
    of paid requests are the audit trail."""
    _require_side(actor, disbursement.project)
    name = PurePath(upload.name or "").name[:200]
    suffix = PurePath(name).suffix.lower()
    if suffix not in ATTACHMENT_SUFFIXES:
        raise ValidationError(
            {
                "file": _("文件“%(name)s”的类型不允许，只接受 %(allowed)s。")
                % {"name": name, "allowed": " ".join(sorted(ATTACHMENT_SUFFIXES))}
            }
        )
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": _("文件“%(name)s”是空的。") % {"name": name}})
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            {
                "file": _("文件“%(name)s”超过 %(mb)s MB。")
                % {"name": name, "mb": MAX_ATTACHMENT_BYTES // 2**20}
            }
        )
    attachment = DisbursementAttachment(
        disbursement=disbursement, county=disbursement.county, name=name, size=size, uploaded_by=actor
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    record_audit(
        actor=actor,
        action="projects.add_disbursement_attachment",
        target=attachment,
        after={"disbursement": disbursement.pk, "name": name, "size": size},
        county=disbursement.county,
    )
    return attachment


def _require_pending(disbursement: Disbursement) -> None:
    if disbursement.status != DisbursementStatus.PENDING:
        raise ValidationError(
            _("该拨付申请状态为“%(status)s”，不能再审批或驳回。")
            % {"status": DisbursementStatus(disbursement.status).label},
            code="not_pending",
        )


# One predicate per action, used by the service (which raises the reason) and by the pages (which
# show the button only when the POST would succeed): `check_*` raise, `can_*` answer yes or no.
def check_approve_disbursement(
    actor: User, disbursement: Disbursement, filled: Sequence[tuple[int, str]] | None = None
) -> str:
    """The side this actor's approval would fill, or the refusal (ValidationError/PermissionDenied).
    `filled`: the (approver id, side) pairs already recorded (read from the request if None)."""
    _require_pending(disbursement)
    _require_fundable(disbursement.project)
    if filled is None:
        filled = [(a.approver_id, a.side) for a in disbursement.approvals.all()]
    side = assign_slot(
        required=REQUIRED_SIDES,
        filled=filled,
        requester_id=disbursement.requested_by_id,
        approver_id=actor.pk,
        approver_sides=sides_of(actor, disbursement.project),
        slot_labels=_slot_labels(),
    )
    check_signature(  # separation of duties (accounts.duties): the button hides what this refuses
        approver=actor,
        requester_id=disbursement.requested_by_id,
        signer_ids=[uid for uid, _side in filled],
        requested_at=disbursement.requested_at,
    )
    return side


def check_reject_disbursement(actor: User, disbursement: Disbursement) -> None:
    _require_pending(disbursement)
    _require_side(actor, disbursement.project)


def can_approve_disbursement(actor: User, disbursement: Disbursement) -> bool:
    try:
        check_approve_disbursement(actor, disbursement)
    except (ValidationError, PermissionDenied):
        return False
    return True


def can_reject_disbursement(actor: User, disbursement: Disbursement) -> bool:
    try:
        check_reject_disbursement(actor, disbursement)
    except (ValidationError, PermissionDenied):
        return False
    return True


def _lock_pending(disbursement: Disbursement) -> Disbursement:
    # Lock only the request's own row (`of=self`): without it PostgreSQL would also lock every
    # joined row (project, account, area, county) and serialise the whole county's approvals.
    # The money is guarded by the ledger's lock on the project's account.
    locked = (
        Disbursement.objects.select_for_update(of=("self",))
        .select_related("project", "project__account", "project__area", "project__county")
        .get(pk=disbursement.pk)
    )
    if locked.status != DisbursementStatus.PENDING:
        raise ValidationError(
            _("该拨付申请状态为“%(status)s”，不能再审批或驳回。")
            % {"status": DisbursementStatus(locked.status).label},
            code="not_pending",
        )
    return locked


def approve_disbursement(*, actor: User, disbursement: Disbursement) -> Disbursement:
    """Record one side's approval; the second side's approval pays (a ledger debit).

    Refusals (nothing is written): the requester approving their own request, a second approval
    of the same side or the same user, a user of neither side, a request no longer pending, a
    payment the fund's balance does not cover, and a signature the separation-of-duties rule
    refuses (accounts.duties; that attempt is audited)."""
    _require_side(actor, disbursement.project)
    try:
        return _approve_disbursement(actor=actor, disbursement=disbursement)
    except DutiesRefused as exc:
        audit_refusal(
            actor=actor,
            action="projects.approve_disbursement",
            target=disbursement,
            county=disbursement.county,
            exc=exc,
        )
        raise


@transaction.atomic
def _approve_disbursement(*, actor: User, disbursement: Disbursement) -> Disbursement:
    locked = _lock_pending(disbursement)
    project = locked.project
    filled = list(locked.approvals.values_list("approver_id", "side"))
    side = check_approve_disbursement(actor, locked, filled)
    DisbursementApproval.objects.create(disbursement=locked, approver=actor, side=side)
    paid = is_complete(REQUIRED_SIDES, [s for _uid, s in filled] + [side])
    if paid:
        entry = post_entry(
            actor=actor,
            account=project.account,
            kind=EntryKind.DEBIT,
            amount=locked.amount,
            memo=_("支付：%(payee)s，%(purpose)s") % {"payee": locked.payee, "purpose": locked.purpose},
            source=locked,
        )
        assert DisbursementStatus.PAID in DISBURSEMENT_TRANSITIONS[locked.status]
        locked.status = DisbursementStatus.PAID
        locked.entry = entry
        locked.decided_at = clock_now()
        locked.save(update_fields=["status", "entry", "decided_at"])
    record_audit(
        actor=actor,
        action="projects.pay_disbursement" if paid else "projects.approve_disbursement",
        target=locked,
        after={"side": side, "status": locked.status, "amount": str(locked.amount)},
        county=project.county,
    )
    return locked


@transaction.atomic
def reject_disbursement(*, actor: User, disbursement: Disbursement, reason: str) -> Disbursement:
    """Either side may reject a pending request, with a reason."""
    locked = _lock_pending(disbursement)
    check_reject_disbursement(actor, locked)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("驳回必须填写原因。")})
    locked.status = DisbursementStatus.REJECTED
    locked.reject_reason = reason[:500]
    locked.rejected_by = actor
    locked.decided_at = clock_now()
    locked.save(update_fields=["status", "reject_reason", "rejected_by", "decided_at"])
    record_audit(
        actor=actor,
        action="projects.reject_disbursement",
        target=locked,
        after={"status": locked.status},
        reason=reason[:500],
        county=locked.project.county,
    )
    return locked


# --- evaluations ----------------------------------------------------------------------------------
def _schedule_for_projects(projects: Iterable[Project], year: int) -> int:
    projects = list(projects)
    existing = set(
        Evaluation.objects.filter(project__in=projects, year=year).values_list("project_id", "kind")
    )
    rows = [
        Evaluation(
            project=p,
            county_id=p.county_id,
            year=year,
            kind=kind,
            due_on=evaluation_due_on(kind, year),
        )
        for p in projects
        for kind in EvaluationKind.values
        if (p.pk, kind) not in existing
    ]
    Evaluation.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def schedule_evaluations(*, actor: User, county: Area, year: int) -> int:
    """Open the mid-year and annual evaluation of every live project of the county for `year`
    (projects of earlier years still in progress included). Idempotent; returns rows created."""
    _require_county_admin(actor, county)
    projects = Project.objects.filter(county=county, year__lte=year).filter(
        status__in=[ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS]
    ) | Project.objects.filter(county=county, year=year, status=ProjectStatus.COMPLETED)
    created = _schedule_for_projects(projects, year)
    record_audit(
        actor=actor,
        action="projects.schedule_evaluations",
        target_type="projects.evaluation",
        after={"year": year, "created": created},
        county=county,
    )
    return created


@transaction.atomic
def schedule_pairing_evaluations(*, actor: User, county: Area, year: int) -> int:
    """Open the mid-year and annual evaluation of every pairing of the county that is evaluated
    (east–west, counterpart, enterprise, designated; never kinship) and runs on the evaluation's
    due date. Idempotent; returns rows created."""
    _require_county_admin(actor, county)
    rows = []
    for kind in EvaluationKind.values:
        due_on = evaluation_due_on(kind, year)
        running = Pairing.objects.filter(
            county=county, kind__in=EVALUATED_PAIRING_KINDS, start_date__lte=due_on
        ).filter(Q(end_date__isnull=True) | Q(end_date__gte=due_on))
        # One query per kind for the pairings still lacking this evaluation (set-based, no N+1).
        done = Evaluation.objects.filter(year=year, kind=kind, pairing__isnull=False).values("pairing_id")
        missing = running.exclude(pk__in=done).values_list("pk", flat=True)
        rows += [
            Evaluation(pairing_id=pk, county=county, year=year, kind=kind, due_on=due_on) for pk in missing
        ]
    Evaluation.objects.bulk_create(rows)
    record_audit(
        actor=actor,
        action="projects.schedule_pairing_evaluations",
        target_type="projects.evaluation",
        after={"year": year, "created": len(rows)},
        county=county,
    )
    return len(rows)


@transaction.atomic
def record_evaluation(
    *,
    actor: User,
    evaluation: Evaluation,
    score: Decimal,
    findings: str,
    rectifications: Sequence[tuple[str, date | None]] = (),
    evaluated_on: date | None = None,
) -> Evaluation:
    """Record the result of an evaluation with its rectification items (整改事项)."""
    _require_county_admin(actor, evaluation.county)
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.is_done:
        raise ValidationError(
            _("该评估已于 %(date)s 完成，不能重复录入。") % {"date": evaluation.evaluated_on}
        )
    errors: dict[str, str] = {}
    if not isinstance(score, Decimal) or not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
        errors["score"] = _("得分必须在 0 到 100 之间。")
    if not findings.strip():
        errors["findings"] = _("请填写评估发现。")
    evaluated_on = evaluated_on or today()
    if evaluated_on > today():
        errors["evaluated_on"] = _("评估日期不能晚于今天。")
    for number, (description, _deadline) in enumerate(rectifications, start=1):
        if not description.strip():
            errors["rectifications"] = _("第 %(n)s 条整改事项为空。") % {"n": number}
    if errors:
        raise ValidationError(errors)
    evaluation.score = score.quantize(CENT)
    evaluation.findings = findings.strip()
    evaluation.evaluated_on = evaluated_on
    evaluation.evaluator = actor
    evaluation.save(update_fields=["score", "findings", "evaluated_on", "evaluator"])
    RectificationItem.objects.bulk_create(
        [
            RectificationItem(evaluation=evaluation, description=description.strip()[:500], deadline=deadline)
            for description, deadline in rectifications
        ]
    )
    record_audit(
        actor=actor,
        action="projects.record_evaluation",
        target=evaluation,
        after={"score": str(evaluation.score), "rectifications": len(rectifications)},
        county=evaluation.county,
    )
    return evaluation


@transaction.atomic
def close_rectification(*, actor: User, item: RectificationItem, note: str) -> RectificationItem:
    """Close (销号) a rectification item with a note on what was done."""
    _require_county_admin(actor, item.evaluation.county)
    item = RectificationItem.objects.select_for_update().get(pk=item.pk)
    if item.closed_on is not None:
        raise ValidationError(_("该整改事项已销号。"))
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("销号必须填写整改结果。")})
    item.closed_on = today()
    item.closure_note = note[:500]
    item.closed_by = actor
    item.save(update_fields=["closed_on", "closure_note", "closed_by"])
    record_audit(
        actor=actor,
        action="projects.close_rectification",
        target=item,
        after={"closed_on": item.closed_on.isoformat()},
        reason=note[:500],
        county=item.evaluation.county,
    )
    return item


# --- investment plans -----------------------------------------------------------------------------
@transaction.atomic
def save_investment_plan(
    *,
    actor: User,
    county: Area,
    partner: Organisation,
    year: int,
    title: str,
    planned_amount: Decimal,
    planned_projects: int = 0,
    issued_on: date | None = None,
    note: str = "",
) -> InvestmentPlan:
    """Create or update a partner's yearly investment plan (county admin or the partner's own
    unit reporter)."""
    if actor.role == Role.UNIT_REPORTER:
        if actor.organisation_id != partner.pk:
            raise PermissionDenied(_("单位填报员只能填报本单位的投资计划。"))
    else:
        _require_county_admin(actor, county)
    errors: dict[str, str] = {}
    if partner.county_id != county.pk:
        errors["partner"] = _("帮扶方必须是本县登记的单位。")
    if not 2000 <= year <= latest_year():
        errors["year"] = _("年度无效。")
    if not title.strip():
        errors["title"] = _("请填写计划名称。")
    if issued_on is not None and issued_on > today():
        errors["issued_on"] = _("下达日期不能晚于今天。")
    elif issued_on is not None and "year" not in errors:
        # A year's plan is issued in that year or late in the year before.
        problem = date_problem(issued_on, earliest=date(year - 1, 1, 1), latest=date(year, 12, 31))
        if problem:
            errors["issued_on"] = _("下达日期%(problem)s。") % {"problem": problem}
    try:
        planned_amount = _money(planned_amount, "planned_amount", positive=False)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    plan = (
        InvestmentPlan.objects.select_for_update().filter(county=county, partner=partner, year=year).first()
    )
    before = None
    if plan is None:
        plan = InvestmentPlan(county=county, partner=partner, year=year, created_by=actor)
    else:
        before = {"planned_amount": str(plan.planned_amount), "issued_on": str(plan.issued_on)}
    plan.title = title.strip()
    plan.planned_amount = planned_amount
    plan.planned_projects = planned_projects
    plan.issued_on = issued_on
    plan.note = note
    plan.save()
    record_audit(
        actor=actor,
        action="projects.save_investment_plan",
        target=plan,
        before=before,
        after={"planned_amount": str(planned_amount), "issued_on": str(issued_on)},
        county=county,
    )
    return plan
