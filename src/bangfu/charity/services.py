"""Every write of the charity app: campaigns, donations (entry and statement import), spending.

Keyword-only, atomic, audited. A rejected request or import changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from bangfu.accounts.duties import DutiesRefused, audit_refusal, check_signature
from bangfu.accounts.models import Role, User
from bangfu.accounts.scopes import require_actor_in
from bangfu.areas.models import Area, Level
from bangfu.audit.services import record_audit
from bangfu.charity import funds
from bangfu.charity.earmarks import GENERAL, earmark_key, key_kind, key_village_code
from bangfu.charity.models import (
    APPROVALS_NEEDED,
    CAMPAIGN_TRANSITIONS,
    DISCLOSURE_WORKING_DAYS,
    SPENDING_TRANSITIONS,
    Campaign,
    CampaignStatus,
    Channel,
    Donation,
    DonationImport,
    DonationKind,
    DonorKind,
    EarmarkKind,
    RecipientKind,
    Spending,
    SpendingApproval,
    SpendingStatus,
    add_working_days,
)
from bangfu.ledger.approvals import ApprovalRefused, assign_slot, is_complete
from bangfu.lib import clock, sheets
from bangfu.lib.clock import today
from bangfu.lib.dates import date_problem
from bangfu.lib.money import AmountError, parse_amount
from bangfu.partners.models import Organisation

REVIEWER = "reviewer"
# Two approvals by users other than the requester.
APPROVAL_SLOTS = (REVIEWER,) * APPROVALS_NEEDED


def _require_admin(actor: User, county: Area) -> None:
    """A county admin of the campaign's county (charity money is never moved by the system)."""
    if actor is None:
        raise PermissionDenied
    require_actor_in(actor, county, Role.COUNTY_ADMIN)


# --- campaigns ------------------------------------------------------------------------------------
@transaction.atomic
def create_campaign(
    *,
    actor: User,
    county: Area,
    year: int,
    name: str,
    organiser: Organisation,
    starts_on: date,
    ends_on: date,
    target: Decimal,
    disclosure_deadline: date | None = None,
    description: str = "",
    code: str = "",
) -> Campaign:
    if actor is not None:
        _require_admin(actor, county)
    errors: dict[str, str] = {}
    if county.level != Level.COUNTY:
        errors["county"] = _("所属县必须是县级区划。")
    if ends_on < starts_on:
        errors["ends_on"] = _("募集结束日期不能早于开始日期。")
    if organiser.county_id != county.pk:
        errors["organiser"] = _("主办单位不属于该县。")
    if target < 0:
        errors["target"] = _("募集目标不能为负数。")
    deadline = disclosure_deadline or add_working_days(ends_on, DISCLOSURE_WORKING_DAYS)
    if deadline < ends_on:
        errors["disclosure_deadline"] = _("公示截止日期不能早于募集结束日期。")
    if errors:
        raise ValidationError(errors)
    if not code:
        code = f"{county.county_code}-{year}"
        suffix = 2
        while Campaign.objects.filter(code=code).exists():
            code = f"{county.county_code}-{year}-{suffix}"
            suffix += 1
    campaign = Campaign(
        county=county,
        code=code,
        year=year,
        name=name,
        organiser=organiser,
        starts_on=starts_on,
        ends_on=ends_on,
        target=target,
        disclosure_deadline=deadline,
        description=description,
    )
    campaign.full_clean()
    campaign.save()
    record_audit(
        actor=actor,
        action="charity.campaign.create",
        target=campaign,
        after={"code": code, "year": year, "target": str(target), "deadline": deadline.isoformat()},
        county=county,
    )
    return campaign


@transaction.atomic
def change_campaign_status(*, actor: User | None, campaign: Campaign, status: str) -> Campaign:
    if actor is not None:
        _require_admin(actor, campaign.county)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if status not in CAMPAIGN_TRANSITIONS[campaign.status]:
        raise ValidationError(
            {
                "status": _("活动状态不能从“%(a)s”改为“%(b)s”。")
                % {"a": CampaignStatus(campaign.status).label, "b": CampaignStatus(status).label}
            }
        )
    before = campaign.status
    campaign.status = status
    if status == CampaignStatus.DISCLOSED:
        campaign.disclosed_on = today()
    campaign.save(update_fields=["status", "disclosed_on", "updated_at"])
    record_audit(
        actor=actor,
        action="charity.campaign.status",
        target=campaign,
        before={"status": before},
        after={"status": status},
        county=campaign.county,
    )
    return campaign


# --- donations: one validator for the form and the import ------------------------------------------
@dataclass
class RowError:
    row: int  # spreadsheet row number (the header is row 1); 0 for a single entry
    field: str
    message: str

    def __str__(self) -> str:
        if self.row:
            return _("第%(row)d行 %(field)s：%(message)s") % {
                "row": self.row,
                "field": self.field,
                "message": self.message,
            }
        return f"{self.field}：{self.message}"


class DonationImportError(ValidationError):
    def __init__(self, errors: list[RowError]) -> None:
        self.row_errors = errors
        super().__init__([str(e) for e in errors])


@dataclass
class DonationInput:
    receipt_number: str
    donor_kind: str
    donor_name: str
    amount: Any
    donated_on: Any
    channel: str
    donor_uscc: str = ""
    publish_name: Any = False
    kind: str = DonationKind.MONEY
    goods_description: str = ""
    earmark_kind: str = EarmarkKind.NONE
    earmark_village: str = ""  # 12-digit code
    earmark_household: str = ""
    earmark_project: str = ""
    note: str = ""
    row: int = 0
    errors: list[RowError] = field(default_factory=list)


_DONOR_KIND_ALIASES = {
    "个人": DonorKind.PERSON,
    "person": DonorKind.PERSON,
    "单位": DonorKind.ORGANISATION,
    "企业": DonorKind.ORGANISATION,
    "organisation": DonorKind.ORGANISATION,
    "organization": DonorKind.ORGANISATION,
}
_KIND_ALIASES = {
    "资金": DonationKind.MONEY,
    "现金": DonationKind.MONEY,
    "money": DonationKind.MONEY,
    "": DonationKind.MONEY,
    "物资": DonationKind.GOODS,
    "goods": DonationKind.GOODS,
}
_EARMARK_ALIASES = {
    "": EarmarkKind.NONE,
    "非定向": EarmarkKind.NONE,
    "none": EarmarkKind.NONE,
    "定向到村": EarmarkKind.VILLAGE,
    "村": EarmarkKind.VILLAGE,
    "village": EarmarkKind.VILLAGE,
    "定向到户": EarmarkKind.HOUSEHOLD,
    "户": EarmarkKind.HOUSEHOLD,
    "household": EarmarkKind.HOUSEHOLD,
    "定向到项目": EarmarkKind.PROJECT,
    "项目": EarmarkKind.PROJECT,
    "project": EarmarkKind.PROJECT,
}
_CHANNEL_ALIASES = {
    **{c.value: c.value for c in Channel},
    **{str(c.label): c.value for c in Channel},
    "银行": Channel.BANK,
    "转账": Channel.BANK,
    "平台": Channel.PLATFORM,
    "微信": Channel.PLATFORM,
    "支付宝": Channel.PLATFORM,
}
_TRUE = {"1", "true", "yes", "y", "是", "同意", "t"}
_FALSE = {"", "0", "false", "no", "n", "否", "不同意", "f"}
_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def parse_date(raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    match = _DATE_RE.match(str(raw).strip())
    if not match:
        raise ValueError
    return date(int(match[1]), int(match[2]), int(match[3]))


def _clean(item: DonationInput, campaign: Campaign, villages: dict[str, Area]) -> dict[str, Any] | None:
    """Validate one donation; fill item.errors and return model fields, or None."""

    def err(fieldname: str, message: str) -> None:
        item.errors.append(RowError(item.row, fieldname, message))

    receipt = str(item.receipt_number or "").strip()
    if not receipt:
        err(_("收据编号"), _("不能为空"))
    elif len(receipt) > 40:
        err(_("收据编号"), _("不能超过40个字符"))
    donor_kind = _DONOR_KIND_ALIASES.get(str(item.donor_kind or "").strip().lower())
    if donor_kind is None:
        err(_("捐赠人类型"), _("“%(v)s”无效，应为 个人 或 单位") % {"v": item.donor_kind})
    name = str(item.donor_name or "").strip()
    if not name:
        err(_("捐赠人"), _("不能为空"))
    elif len(name) > 120:
        err(_("捐赠人"), _("不能超过120个字符"))
    code = str(item.donor_uscc or "").strip().upper()
    if donor_kind == DonorKind.ORGANISATION:
        if not code:
            err(_("统一社会信用代码"), _("单位捐赠必须填写统一社会信用代码"))
        else:
            try:
                code = uscc.validate(code)
            except StdnumError:
                err(
                    _("统一社会信用代码"),
                    _("“%(v)s”不是有效的统一社会信用代码（校验位不符或格式错误）") % {"v": code},
                )
    elif code:
        err(_("统一社会信用代码"), _("个人捐赠不应填写统一社会信用代码"))
    amount: Decimal | None = None
    try:
        amount = parse_amount(item.amount)
    except AmountError as exc:
        err(_("金额"), str(exc))
    donated_on: date | None = None
    try:
        donated_on = parse_date(item.donated_on)
    except (ValueError, TypeError):
        err(_("捐赠日期"), _("“%(v)s”不是有效日期，应为 YYYY-MM-DD") % {"v": item.donated_on})
    if donated_on is not None:
        # A campaign takes the donations of its own year — money often arrives before the day
        # itself and the bank statement after it — and none from the future.
        problem = date_problem(
            donated_on,
            earliest=min(campaign.starts_on, date(campaign.year, 1, 1)),
            latest=min(max(campaign.ends_on, date(campaign.year, 12, 31)), today()),
        )
        if problem:
            err(_("捐赠日期"), problem)
    channel = _CHANNEL_ALIASES.get(str(item.channel or "").strip())
    if channel is None:
        err(_("渠道"), _("“%(v)s”无效") % {"v": item.channel})
    publish_raw = item.publish_name
    if isinstance(publish_raw, bool):
        publish = publish_raw
    elif str(publish_raw).strip().lower() in _TRUE:
        publish = True
    elif str(publish_raw).strip().lower() in _FALSE:
        publish = False
    else:
        publish = False
        err(_("同意公开"), _("“%(v)s”无效，应为 是 或 否") % {"v": publish_raw})
    kind = _KIND_ALIASES.get(str(item.kind or "").strip().lower())
    goods = str(item.goods_description or "").strip()
    if kind is None:
        err(_("捐赠形式"), _("“%(v)s”无效，应为 资金 或 物资") % {"v": item.kind})
    elif kind == DonationKind.GOODS and not goods:
        err(_("物资说明"), _("物资捐赠必须说明物资"))
    elif kind == DonationKind.MONEY and goods:
        err(_("物资说明"), _("资金捐赠不应填写物资说明"))
    earmark = _EARMARK_ALIASES.get(str(item.earmark_kind or "").strip().lower())
    village: Area | None = None
    household = str(item.earmark_household or "").strip()
    project = str(item.earmark_project or "").strip()
    village_code = str(item.earmark_village or "").strip()
    if earmark is None:
        err(_("定向"), _("“%(v)s”无效，应为 非定向/定向到村/定向到户/定向到项目") % {"v": item.earmark_kind})
    elif earmark in (EarmarkKind.VILLAGE, EarmarkKind.HOUSEHOLD):
        village = villages.get(village_code)
        if village is None:
            err(_("定向村代码"), _("“%(v)s”不是本县的行政村代码") % {"v": village_code})
        if earmark == EarmarkKind.HOUSEHOLD and not household:
            err(_("定向户编号"), _("定向到户必须填写户编号"))
    elif earmark == EarmarkKind.PROJECT:
        if not project:
            err(_("定向项目"), _("定向到项目必须填写项目名称"))
    if earmark != EarmarkKind.HOUSEHOLD and household:
        err(_("定向户编号"), _("只有定向到户才填写户编号"))
    if item.errors:
        return None
    return {
        "receipt_number": receipt,
        "donor_kind": donor_kind,
        "donor_name": name,
        "donor_uscc": code if donor_kind == DonorKind.ORGANISATION else "",
        "publish_name": publish,
        "kind": kind,
        "amount": amount,
        "goods_description": goods,
        "earmark_kind": earmark,
        "earmark_village": village,
        "earmark_household": household if earmark == EarmarkKind.HOUSEHOLD else "",
        "earmark_project": project if earmark == EarmarkKind.PROJECT else "",
        "channel": channel,
        "donated_on": donated_on,
        "note": str(item.note or "").strip()[:200],
    }


def _county_villages(campaign: Campaign) -> dict[str, Area]:
    return {
        a.code: a for a in Area.objects.filter(level=Level.VILLAGE, code__startswith=campaign.county.prefix)
    }


def _check_campaign_accepts(campaign: Campaign) -> None:
    if campaign.status == CampaignStatus.DISCLOSED:
        raise ValidationError({"campaign": _("活动已公示，不能再登记捐赠。")})


def _save_donations(
    *, actor: User, campaign: Campaign, cleaned: list[dict[str, Any]], source: DonationImport | None
) -> list[Donation]:
    donations = [
        Donation(campaign=campaign, county=campaign.county, created_by=actor, source_import=source, **fields)
        for fields in cleaned
    ]
    created = Donation.objects.bulk_create(donations, batch_size=500)
    if not created or created[0].pk is None:  # backends without RETURNING
        receipts = [d.receipt_number for d in donations]
        created = list(Donation.objects.filter(receipt_number__in=receipts).select_related("earmark_village"))
    funds.post_donations(actor=actor, campaign=campaign, donations=created, batch=source)
    return created


@transaction.atomic
def record_donation(*, actor: User, campaign: Campaign, data: DonationInput) -> Donation:
    """Staff entry of one donation. Raises ValidationError naming each bad field."""
    _require_admin(actor, campaign.county)
    _check_campaign_accepts(campaign)
    cleaned = _clean(data, campaign, _county_villages(campaign))
    if cleaned is not None and Donation.objects.filter(receipt_number=cleaned["receipt_number"]).exists():
        data.errors.append(
            RowError(0, _("收据编号"), _("“%(v)s”已登记，不能重复") % {"v": cleaned["receipt_number"]})
        )
        cleaned = None
    if cleaned is None:
        raise DonationImportError(data.errors)
    (donation,) = _save_donations(actor=actor, campaign=campaign, cleaned=[cleaned], source=None)
    record_audit(
        actor=actor,
        action="charity.donation.create",
        target=donation,
        after={"receipt": donation.receipt_number, "amount": str(donation.amount), "kind": donation.kind},
        county=campaign.county,
    )
    return donation


# --- statement import -----------------------------------------------------------------------------
# Column headers of a statement (Chinese first, the English alias second).
IMPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "receipt_number": ("收据编号", "receipt_number"),
    "donor_kind": ("捐赠人类型", "donor_kind"),
    "donor_name": ("捐赠人", "donor_name"),
    "donor_uscc": ("统一社会信用代码", "donor_uscc"),
    "amount": ("金额", "amount"),
    "donated_on": ("捐赠日期", "donated_on"),
    "channel": ("渠道", "channel"),
    "publish_name": ("同意公开", "publish_name"),
    "kind": ("捐赠形式", "kind"),
    "goods_description": ("物资说明", "goods_description"),
    "earmark_kind": ("定向", "earmark_kind"),
    "earmark_village": ("定向村代码", "earmark_village"),
    "earmark_household": ("定向户编号", "earmark_household"),
    "earmark_project": ("定向项目", "earmark_project"),
    "note": ("备注", "note"),
}
REQUIRED_COLUMNS = ("receipt_number", "donor_kind", "donor_name", "amount", "donated_on", "channel")
MAX_IMPORT_ROWS = 50_000


def read_table(data: bytes, filename: str) -> tuple[list[list[Any]], str]:
    """Rows of the first sheet (xlsx/xls) or of a CSV (UTF-8, GB18030, UTF-16), after
    `bangfu.lib.sheets` checked the file; a refusal is the file's one error."""
    try:
        sheet = sheets.open_sheet(name=filename, data=data, use="upload")
        return sheet.table(), sheet.format
    except sheets.SheetRefused as exc:
        raise DonationImportError([RowError(0, _("文件"), str(exc))]) from None


def parse_statement(rows: list[list[Any]]) -> tuple[list[DonationInput], list[RowError]]:
    if not rows:
        return [], [RowError(1, _("表头"), _("文件为空"))]
    header = [str(h or "").strip() for h in rows[0]]
    lookup = {alias.lower(): key for key, aliases in IMPORT_COLUMNS.items() for alias in aliases}
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        key = lookup.get(name.lower())
        if key is not None and key not in positions:
            positions[key] = index
    missing = [IMPORT_COLUMNS[k][0] for k in REQUIRED_COLUMNS if k not in positions]
    if missing:
        return [], [RowError(1, _("表头"), _("缺少列：%(c)s") % {"c": "、".join(missing)})]
    items: list[DonationInput] = []
    long_cells: list[RowError] = []
    max_chars = sheets.limits("upload").max_cell_chars
    for number, raw in enumerate(rows[1:], start=2):
        long = next((i for i, cell in enumerate(raw) if sheets.cell_too_long(cell, max_chars)), None)
        if long is not None:
            where = (
                header[long] if long < len(header) and header[long] else _("第%(col)d列") % {"col": long + 1}
            )
            long_cells.append(RowError(number, where, _("超过%(max)d个字符") % {"max": max_chars}))
            continue
        cells = {key: (raw[i] if i < len(raw) else "") for key, i in positions.items()}
        cells = {k: ("" if v is None else v) for k, v in cells.items()}
        if not any(str(v).strip() for v in cells.values()):
            continue
        values: dict[str, Any] = {k: cells.get(k, "") for k in IMPORT_COLUMNS}
        items.append(DonationInput(row=number, **values))
    if long_cells:
        return [], long_cells
    if len(items) > MAX_IMPORT_ROWS:
        return [], [RowError(0, _("文件"), _("一次最多导入%(n)d行") % {"n": MAX_IMPORT_ROWS})]
    if not items:
        return [], [RowError(2, _("数据"), _("没有数据行"))]
    return items, []


@dataclass
class ImportResult:
    batch: DonationImport
    count: int
    total: Decimal


@transaction.atomic
def import_donations(*, actor: User, campaign: Campaign, data: bytes, filename: str) -> ImportResult:
    """Import a bank or platform statement. All or nothing: if any row has an error, nothing is
    saved and DonationImportError lists every error with its row, field and reason."""
    _require_admin(actor, campaign.county)
    _check_campaign_accepts(campaign)
    rows, file_format = read_table(data, filename)
    items, errors = parse_statement(rows)
    if errors:
        raise DonationImportError(errors)
    villages = _county_villages(campaign)
    cleaned: list[dict[str, Any]] = []
    first_row: dict[str, int] = {}
    for item in items:
        fields = _clean(item, campaign, villages)
        if fields is None:
            errors.extend(item.errors)
            continue
        receipt = fields["receipt_number"]
        if receipt in first_row:
            errors.append(
                RowError(
                    item.row,
                    _("收据编号"),
                    _("“%(v)s”与第%(r)d行重复") % {"v": receipt, "r": first_row[receipt]},
                )
            )
            continue
        first_row[receipt] = item.row
        fields["_row"] = item.row
        cleaned.append(fields)
    existing = set(
        Donation.objects.filter(receipt_number__in=list(first_row)).values_list("receipt_number", flat=True)
    )
    for fields in cleaned:
        if fields["receipt_number"] in existing:
            errors.append(
                RowError(
                    fields["_row"],
                    _("收据编号"),
                    _("“%(v)s”已登记，不能重复") % {"v": fields["receipt_number"]},
                )
            )
    if errors:
        errors.sort(key=lambda e: e.row)
        raise DonationImportError(errors)
    for fields in cleaned:
        del fields["_row"]
    total = sum((f["amount"] for f in cleaned), Decimal("0"))
    batch = DonationImport.objects.create(
        campaign=campaign,
        filename=filename[:200],
        file_format=file_format[:12],
        rows=len(cleaned),
        total=total,
        created_by=actor,
    )
    _save_donations(actor=actor, campaign=campaign, cleaned=cleaned, source=batch)
    record_audit(
        actor=actor,
        action="charity.donation.import",
        target=batch,
        after={"rows": len(cleaned), "total": str(total), "format": file_format},
        county=campaign.county,
    )
    return ImportResult(batch=batch, count=len(cleaned), total=total)


# --- spending with two-person approval ------------------------------------------------------------
@transaction.atomic
def request_spending(
    *,
    actor: User,
    campaign: Campaign,
    earmark: str,
    recipient_kind: str,
    purpose: str,
    amount: Decimal,
    village: Area | None = None,
    household: str = "",
    project: str = "",
) -> Spending:
    """Ask to spend from one pool (the unearmarked pool or one earmark). Nothing moves until two
    users other than the requester approve."""
    _require_admin(actor, campaign.county)
    errors: dict[str, str] = {}
    household, project, purpose = household.strip(), project.strip(), purpose.strip()
    if not purpose:
        errors["purpose"] = _("用途不能为空。")
    try:
        amount = parse_amount(amount)
    except AmountError as exc:
        errors["amount"] = _("金额%(reason)s。") % {"reason": exc}
    if recipient_kind not in RecipientKind.values:
        errors["recipient_kind"] = _("使用对象无效。")
    if recipient_kind in (RecipientKind.VILLAGE, RecipientKind.HOUSEHOLD):
        if (
            village is None
            or village.level != Level.VILLAGE
            or not village.code.startswith(campaign.county.prefix)
        ):
            errors["village"] = _("请选择本县的受益村。")
        if recipient_kind == RecipientKind.HOUSEHOLD and not household:
            errors["household"] = _("资金用于户时必须填写户编号。")
    if recipient_kind == RecipientKind.PROJECT and not project:
        errors["project"] = _("资金用于项目时必须填写项目名称。")
    # Earmarked money only to its earmark.
    kind = key_kind(earmark)
    if not errors and kind != EarmarkKind.NONE:
        mismatch = False
        if kind == EarmarkKind.PROJECT:
            mismatch = recipient_kind != RecipientKind.PROJECT or earmark != f"project:{project}"
        elif kind == EarmarkKind.VILLAGE:
            mismatch = village is None or key_village_code(earmark) != village.code
        elif kind == EarmarkKind.HOUSEHOLD:
            mismatch = recipient_kind != RecipientKind.HOUSEHOLD or earmark != earmark_key(
                EarmarkKind.HOUSEHOLD, village=village, household=household
            )
        if mismatch:
            errors["earmark"] = _("定向资金只能用于其指定对象。")
    if earmark != GENERAL and earmark not in funds.pool_keys(campaign):
        errors.setdefault("earmark", _("该活动没有这项资金来源。"))
    if not errors and amount > funds.balance(campaign, earmark):
        errors["amount"] = _("金额超过该资金来源的余额（%(b)s 元）。") % {
            "b": funds.balance(campaign, earmark)
        }
    if errors:
        raise ValidationError(errors)
    spending = Spending.objects.create(
        campaign=campaign,
        county=campaign.county,
        earmark_key=earmark,
        recipient_kind=recipient_kind,
        village=village,
        household=household if recipient_kind == RecipientKind.HOUSEHOLD else "",
        project=project if recipient_kind == RecipientKind.PROJECT else "",
        purpose=purpose,
        amount=amount,
        requested_by=actor,
    )
    record_audit(
        actor=actor,
        action="charity.spending.request",
        target=spending,
        after={"amount": str(amount), "earmark": kind, "recipient_kind": recipient_kind},
        county=campaign.county,
    )
    return spending


# One predicate per spending action (issue #17): `check_*` raises the refusal and is called by the
# service on the locked row; `can_*` asks it for the page, so 同意 / 驳回 / 冲正 are shown exactly when
# pressing them would succeed (a reason typed or not is the form's business).
def check_decide_spending(actor: User, spending: Spending, approve: bool) -> None:
    """Approve (approve=True) or reject: a county admin other than the requester who has not
    decided yet, on a pending request; an approval must also pass the separation-of-duties rule
    (DutiesRefused) and, when it is the last one needed, find the balance still covering it."""
    _require_admin(actor, spending.campaign.county)
    if spending.status != SpendingStatus.REQUESTED:
        raise ValidationError({"status": _("该申请已处理，不能再审批。")})
    # The shared two-person rule (bangfu.ledger.approvals): not the requester, each user once.
    filled = [(uid, REVIEWER) for uid in spending.approvals.values_list("user_id", flat=True)]
    try:
        assign_slot(
            required=APPROVAL_SLOTS,
            filled=filled,
            requester_id=spending.requested_by_id,
            approver_id=actor.pk,
            approver_sides={REVIEWER},
        )
    except ApprovalRefused as exc:
        raise ValidationError({"user": exc.messages}) from exc
    if not approve:
        return
    check_signature(
        approver=actor,
        requester_id=spending.requested_by_id,
        signer_ids=[uid for uid, _slot in filled],
        requested_at=spending.requested_at,
    )
    approvals = [REVIEWER for _a in spending.approvals.filter(approved=True)] + [REVIEWER]
    if is_complete(APPROVAL_SLOTS, approvals):
        balance = funds.balance(spending.campaign, spending.earmark_key)
        if spending.amount > balance:
            raise ValidationError({"amount": _("金额超过该资金来源的余额（%(b)s 元）。") % {"b": balance}})


def check_reverse_spending(actor: User, spending: Spending) -> None:
    _require_admin(actor, spending.campaign.county)
    if SpendingStatus.REVERSED not in SPENDING_TRANSITIONS[spending.status]:
        raise ValidationError({"status": _("只有已批准的资金使用才能冲正。")})


def _allowed(check: Any, *args: Any) -> bool:
    try:
        check(*args)
    except (PermissionDenied, ValidationError):
        return False
    return True


def can_approve_spending(actor: User, spending: Spending) -> bool:
    return _allowed(check_decide_spending, actor, spending, True)


def can_reject_spending(actor: User, spending: Spending) -> bool:
    return _allowed(check_decide_spending, actor, spending, False)


def can_reverse_spending(actor: User, spending: Spending) -> bool:
    return _allowed(check_reverse_spending, actor, spending)


def decide_spending(*, actor: User, spending: Spending, approve: bool, comment: str = "") -> Spending:
    """One approver's decision. The requester cannot approve; each user decides once; a rejection
    closes the request; the second approval checks the balance again and debits the ledger. An
    approval the separation-of-duties rule refuses (accounts.duties) is audited, nothing else."""
    try:
        return _decide_spending(actor=actor, spending=spending, approve=approve, comment=comment)
    except DutiesRefused as exc:
        audit_refusal(
            actor=actor, action="charity.spending.approve", target=spending, county=spending.county, exc=exc
        )
        raise ValidationError({"user": exc.messages}, code=exc.code) from exc


@transaction.atomic
def _decide_spending(*, actor: User, spending: Spending, approve: bool, comment: str = "") -> Spending:
    spending = Spending.objects.select_for_update().select_related("campaign__county").get(pk=spending.pk)
    _require_admin(actor, spending.campaign.county)
    check_decide_spending(actor, spending, approve)  # the balance is checked again under lock below
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("驳回时必须填写意见。")})
    SpendingApproval.objects.create(
        spending=spending, user=actor, approved=approve, comment=comment.strip()[:200]
    )
    action = "charity.spending.approve" if approve else "charity.spending.reject"
    if not approve:
        spending.status = SpendingStatus.REJECTED
        spending.decided_at = clock.now()
        spending.save(update_fields=["status", "decided_at"])
    elif is_complete(APPROVAL_SLOTS, [REVIEWER for _a in spending.approvals.filter(approved=True)]):
        funds.lock_campaign(spending.campaign)
        balance = funds.balance(spending.campaign, spending.earmark_key)
        if spending.amount > balance:
            raise ValidationError({"amount": _("金额超过该资金来源的余额（%(b)s 元）。") % {"b": balance}})
        spending.ledger_ref = funds.post_spending(actor=actor, spending=spending)
        spending.status = SpendingStatus.APPROVED
        spending.decided_at = clock.now()
        spending.save(update_fields=["status", "decided_at", "ledger_ref"])
    record_audit(
        actor=actor,
        action=action,
        target=spending,
        after={"status": spending.status, "comment": comment.strip()[:200]},
        county=spending.campaign.county,
    )
    return spending


@transaction.atomic
def void_donation(*, actor: User, donation: Donation, reason: str) -> Donation:
    """Void a wrongly recorded donation: it stays (with who, when and why) but no longer counts,
    and its ledger credit is reversed. Refused once the money has been spent."""
    donation = Donation.objects.select_for_update().select_related("campaign__county").get(pk=donation.pk)
    _require_admin(actor, donation.campaign.county)
    reason = reason.strip()
    if donation.voided_at is not None:
        raise ValidationError({"reason": _("该捐赠已作废。")})
    if not reason:
        raise ValidationError({"reason": _("作废必须填写原因。")})
    funds.lock_campaign(donation.campaign)
    try:
        funds.unpost_donation(actor=actor, donation=donation, reason=reason[:200])
    except ValidationError as exc:
        raise ValidationError({"reason": _("该笔资金已被使用，余额不足，不能作废。")}) from exc
    donation.voided_at = clock.now()
    donation.voided_by = actor
    donation.void_reason = reason[:200]
    donation.save(update_fields=["voided_at", "voided_by", "void_reason"])
    record_audit(
        actor=actor,
        action="charity.donation.void",
        target=donation,
        after={"receipt": donation.receipt_number, "amount": str(donation.amount)},
        reason=reason[:200],
        county=donation.campaign.county,
    )
    return donation


@transaction.atomic
def reverse_spending(*, actor: User, spending: Spending, reason: str) -> Spending:
    """Undo an approved spending (e.g. the money came back): the ledger debit is reversed, the
    request keeps its approvals and is marked reversed with who, when and why."""
    from bangfu.ledger.models import Entry
    from bangfu.ledger.services import reverse_entry

    spending = Spending.objects.select_for_update().select_related("campaign__county").get(pk=spending.pk)
    _require_admin(actor, spending.campaign.county)
    reason = reason.strip()
    check_reverse_spending(actor, spending)
    if not reason:
        raise ValidationError({"reason": _("冲正必须填写原因。")})
    entry = Entry.objects.get(pk=int(spending.ledger_ref))
    reverse_entry(actor=actor, entry=entry, reason=reason[:200])
    spending.status = SpendingStatus.REVERSED
    spending.reversed_at = clock.now()
    spending.reversal_reason = reason[:200]
    spending.save(update_fields=["status", "reversed_at", "reversal_reason"])
    record_audit(
        actor=actor,
        action="charity.spending.reverse",
        target=spending,
        after={"status": spending.status},
        reason=reason[:200],
        county=spending.campaign.county,
    )
    return spending
