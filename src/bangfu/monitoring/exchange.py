"""Exchange with the national monitoring system (全国防返贫监测信息系统).

Export: one row per member of every household identified for monitoring (纳入 or 风险已消除), in
the column layout of the system's 监测对象信息 sheet: a title on row 1, the header on row 3 (as the
system writes its exports; DOMAIN §2.1 item 5), written through `lib/sheets.py`'s Workbook. Full
ID numbers only for a county admin or township clerk of the area (the export is audited); anyone
else gets masked numbers.

Reconcile: read an export of the national system (same reader as every upload), match members by
blind index, and list who is monitored in bangfu but not there, and the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import area_prefix
from bangfu.areas.models import Area
from bangfu.audit.services import record_audit
from bangfu.lib import clock, idnumbers, sheets
from bangfu.lib.crypto import blind_indexer, decrypt_text
from bangfu.monitoring.models import MeasureType, MonitoredHousehold, RiskType, Status
from bangfu.monitoring.services import ID_CONTEXT as OWN_ID_CONTEXT
from bangfu.registry.importer import cell_text
from bangfu.registry.writer import ID_CONTEXT as REGISTRY_ID_CONTEXT
from bangfu.registry.writer import ID_INDEX_PURPOSE

# (key, header) in the order of the national system's 监测对象信息 sheet (docs/monitoring.md).
EXPORT_COLUMNS = (
    ("county", "县"),
    ("township", "乡"),
    ("village", "村"),
    ("household_number", "户编号"),
    ("category", "监测对象类别"),
    ("name", "姓名"),
    ("id_type", "证件类型"),
    ("id_number", "证件号码"),
    ("relation", "与户主关系"),
    ("household_size", "家庭人口数"),
    ("risks", "主要风险类型"),
    ("identified", "识别监测时间"),
    ("income", "人均纯收入（元）"),
    ("eliminated", "风险是否已消除"),
    ("eliminated_on", "风险消除时间"),
    ("elimination_way", "风险消除方式"),
    ("measures", "帮扶措施"),
    ("helper", "帮扶责任人"),
)
HEADER_ROW = 2  # 0-based: the third row
EXPORTED = (Status.MONITORED, Status.ELIMINATING, Status.ELIMINATED)


def can_export_full_ids(user: Any, area: Area) -> bool:
    prefix = area_prefix(user)
    return (
        user is not None
        and prefix is not None
        and user.role in (Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK)
        and area.code.startswith(prefix)
    )


def _member_rows(households: list[MonitoredHousehold], full: bool) -> list[list[Any]]:
    from bangfu.registry.models import Member

    registry_ids = [h.registry_household_id for h in households if h.registry_household_id]
    registry_members: dict[int, list[Member]] = {}
    for m in Member.objects.filter(household_id__in=registry_ids, active=True).order_by("id"):
        registry_members.setdefault(m.household_id, []).append(m)
    risks = {value: str(label) for value, label in RiskType.choices}
    measures = {value: str(label) for value, label in MeasureType.choices}
    rows = []
    for hh in households:
        open_risks = "、".join(risks[r.risk_type] for r in hh.risks.all())
        measure_text = "、".join(dict.fromkeys(measures[m.measure_type] for m in hh.measures.all()))
        if hh.registry_household_id:
            people = [
                (
                    m.name,
                    m.get_id_type_display(),
                    m.id_number_encrypted,
                    REGISTRY_ID_CONTEXT,
                    m.id_number_masked,
                    m.relation,
                )
                for m in registry_members.get(hh.registry_household_id, [])
            ]
        else:
            people = [
                (m.name, "居民身份证", m.id_number_encrypted, OWN_ID_CONTEXT, m.id_number_masked, m.relation)
                for m in hh.members.all()
            ]
        for name, id_type, encrypted, context, masked, relation in people:
            rows.append(
                [
                    hh.county.name,
                    hh.village.parent.name if hh.village.parent else "",
                    hh.village.name,
                    hh.number,
                    hh.get_kind_display(),
                    name,
                    id_type,
                    decrypt_text(encrypted, context=context) if full else masked,
                    relation,
                    hh.household_size,
                    open_risks,
                    hh.identified_on.strftime("%Y%m") if hh.identified_on else "",
                    hh.per_capita_income,
                    "是" if hh.status == Status.ELIMINATED else "否",
                    hh.eliminated_on.strftime("%Y%m") if hh.eliminated_on else "",
                    "帮扶消除"
                    if hh.status == Status.ELIMINATED and hh.measures.exists()
                    else ("自然消除" if hh.status == Status.ELIMINATED else ""),
                    measure_text,
                    hh.helper.name if hh.helper else "",
                ]
            )
    return rows


@transaction.atomic
def export_monitored(*, actor: Any, area: Area, full_ids: bool = False) -> bytes:
    """The export workbook of `area` (county, township or village). `full_ids` is honoured only
    for those allowed (`can_export_full_ids`) and is audited; it is refused for anyone else."""
    if full_ids and actor is not None and not can_export_full_ids(actor, area):
        raise ValidationError(_("您无权导出完整证件号码。"))
    households = list(
        MonitoredHousehold.objects.filter(village__code__startswith=area.prefix, status__in=EXPORTED)
        .select_related("county", "village__parent", "helper")
        .prefetch_related("risks", "measures", "members")
        .order_by("village__code", "number")
    )
    rows = _member_rows(households, full_ids)
    record_audit(
        actor=actor,
        action="monitoring.export.full_ids" if full_ids else "monitoring.export",
        target_type="areas.area",
        target_id=area.code,
        after={"households": len(households), "rows": len(rows), "full_ids": full_ids},
        county=area,
    )
    book = sheets.Workbook()
    headers = [h for _key, h in EXPORT_COLUMNS]
    sheet = book.sheet("监测对象信息", (), widths=14, header_row=HEADER_ROW)
    book.title(sheet, 0, 0, len(headers) - 1, f"{area.name}防返贫监测对象信息（{clock.today().isoformat()}）")
    book.row(sheet, HEADER_ROW, headers, book.head)
    for r, values in enumerate(rows, start=HEADER_ROW + 1):
        book.row(sheet, r, values)
    return book.close()


# --- reconcile ------------------------------------------------------------------------------------
@dataclass
class Reconciliation:
    only_here: list[tuple[str, str, str]] = field(default_factory=list)  # (户编号, 姓名, masked ID)
    only_there: list[tuple[int, str, str]] = field(default_factory=list)  # (row, 姓名, masked ID)
    both: int = 0
    errors: list[str] = field(default_factory=list)


def reconcile(*, actor: Any, county: Area, file_name: str, data: bytes) -> Reconciliation:
    """Compare an export of the national system with bangfu's monitored people (read only)."""
    from bangfu.registry.importer import id_message
    from bangfu.registry.models import Member

    if actor is not None and (
        area_prefix(actor) is None or actor.role not in (Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK)
    ):
        raise ValidationError(_("您无权核对监测名单。"))
    try:
        rows = list(sheets.open_sheet(name=file_name, data=data, use="upload").rows())
    except sheets.SheetRefused as exc:
        raise ValidationError(str(exc)) from None
    header_index, id_col, name_col = -1, -1, -1
    for index, row in enumerate(rows[:10]):
        texts = ["".join(cell_text(c).split()) for c in row]
        if "证件号码" in texts and "姓名" in texts:
            header_index, id_col, name_col = index, texts.index("证件号码"), texts.index("姓名")
            break
    if header_index < 0:
        raise ValidationError(_("前10行中没有找到表头（应包含 姓名、证件号码 列）"))
    index_of = blind_indexer(ID_INDEX_PURPOSE)
    today = clock.today()
    result = Reconciliation()
    there: dict[str, tuple[int, str, str]] = {}
    for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        raw = cell_text(row[id_col]) if id_col < len(row) else ""
        if not raw:
            continue
        try:
            info = idnumbers.validate(raw, today=today, disability=True)
        except idnumbers.IdNumberError as exc:
            result.errors.append(_("第%(row)d行：%(reason)s") % {"row": number, "reason": id_message(exc)})
            continue
        name = cell_text(row[name_col]) if name_col < len(row) else ""
        there[index_of(info.number[:18])] = (number, name, idnumbers.mask(info.number))
    households = MonitoredHousehold.objects.filter(
        county=county, status__in=(Status.MONITORED, Status.ELIMINATING)
    )
    prefix = area_prefix(actor) if actor is not None else None
    if prefix:
        households = households.filter(village__code__startswith=prefix)
    here: dict[str, tuple[str, str, str]] = {}
    for hh in households.prefetch_related("members"):
        for m in hh.members.all():
            here[m.id_number_index] = (hh.number, m.name, m.id_number_masked)
    registry_ids = households.filter(registry_household__isnull=False).values("registry_household_id")
    for person in Member.objects.filter(household_id__in=registry_ids, active=True).select_related(
        "household"
    ):
        here[person.id_number_index] = (person.household.number, person.name, person.id_number_masked)
    result.both = len(here.keys() & there.keys())
    result.only_here = sorted(v for k, v in here.items() if k not in there)
    result.only_there = sorted(v for k, v in there.items() if k not in here)
    record_audit(
        actor=actor,
        action="monitoring.reconcile",
        after={"both": result.both, "only_here": len(result.only_here), "only_there": len(result.only_there)},
        county=county,
    )
    return result
