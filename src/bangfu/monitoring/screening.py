"""Screening (筛查预警): turn data bangfu holds or receives into leads to verify.

Every rule is one set-based query over the county on the office clock; leads are written with one
`bulk_create`. A lead's `subject` ("h<household pk>:<year>" or "p<ID blind index>:<year>") with
its source is unique per county, so running the screening again adds only what is new, and a
subject verified or dismissed this year is not raised again by the same source until next year.

Department lists (医保, 应急, 民政) come in through `lib/sheets.py`'s guarded reader; each row's ID
number is validated like the registry import's, duplicates and unknown people are reported by row
with the registry import's wording, and people are matched by blind index, never decrypted.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import (
    CharField,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import require_actor_in
from bangfu.areas.models import Area
from bangfu.audit.services import record_audit
from bangfu.lib import clock, idnumbers, sheets
from bangfu.lib.crypto import blind_indexer
from bangfu.lib.money import ZERO, AmountError, parse_amount
from bangfu.monitoring.models import (
    LIVE_STATUSES,
    Department,
    DepartmentList,
    DepartmentRecord,
    Lead,
    LeadSource,
    LeadState,
    MonitoredHousehold,
    MonitoredMember,
)
from bangfu.monitoring.selectors import policy_for
from bangfu.registry.importer import RowError, cell_text, id_message
from bangfu.registry.models import Household, Member, MemberVersion
from bangfu.registry.writer import ID_INDEX_PURPOSE

# 健康状况 values that raise a lead when a member newly has them (DOMAIN §2.2).
SERIOUS_HEALTH = ("患有大病", "残疾")
# 劳动技能 values that count as a labour member.
LABOUR = ("普通劳动力", "技能劳动力")
BATCH = 2000


def _batched(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class ScreeningResult:
    created: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # per rule, for the benchmark

    def lap(self, name: str, since: float) -> None:
        self.seconds[str(name)] = round(time.perf_counter() - since - sum(self.seconds.values()), 3)

    @property
    def total(self) -> int:
        return sum(self.created.values())


def _live_household_ids(county: Area) -> Any:
    return MonitoredHousehold.objects.filter(
        county=county, status__in=LIVE_STATUSES, registry_household__isnull=False
    ).values("registry_household_id")


def _insert_leads(queryset: QuerySet[Any], columns: dict[str, Any]) -> int:
    """One INSERT … SELECT of leads: `columns` maps each Lead column to an expression over
    `queryset`. No row passes through Python (16,000 leads of a 100,000-member county cost half
    the screening's time as model instances). A subject already raised for the source is skipped
    by the unique (county, source, subject) constraint (two members of one household on one list
    make one lead)."""
    names = {column: f"c_{i}" for i, column in enumerate(columns)}
    rows = (
        queryset.annotate(**{names[c]: e for c, e in columns.items()}).values_list(*names.values()).order_by()
    )
    select, params = rows.query.sql_with_params()
    table = Lead._meta.db_table
    # The WHERE of `select` keeps SQLite from reading ON CONFLICT as a join's ON.
    sql = f"INSERT INTO {table} ({', '.join(columns)}) {select} ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def _text(value: str) -> Value:
    return Value(value, output_field=CharField())


def _subject(prefix: str, key: Any, year: int) -> Concat:
    return Concat(
        _text(prefix), Cast(key, output_field=CharField()), _text(f":{year}"), output_field=CharField()
    )


def _not_raised(queryset: QuerySet[Any], county: Area, source: str) -> QuerySet[Any]:
    return queryset.exclude(
        Exists(Lead.objects.filter(county=county, source=source, subject=OuterRef("l_subject")))
    )


def _constants(county: Area, source: str, detail: Any, today: date) -> dict[str, Any]:
    return {
        "county_id": Value(county.pk, output_field=IntegerField()),
        "source": _text(source),
        "detail": detail,
        "found_on": Value(today, output_field=DateField()),
        "state": _text(LeadState.OPEN.value),
        "reason": _text(""),
    }


def _insert_household_leads(
    county: Area, source: str, households: QuerySet[Household], detail: str, today: date
) -> int:
    """A lead on every household of `households` not yet raised for this source this year."""
    rows = _not_raised(households.annotate(l_subject=_subject("h", "pk", today.year)), county, source)
    return _insert_leads(
        rows,
        {
            **_constants(county, source, _text(detail[:200]), today),
            "village_id": F("village_id"),
            "subject": F("l_subject"),
            "registry_household_id": F("pk"),
            "name": _text(""),
            "id_number_masked": _text(""),
        },
    )


@transaction.atomic
def run_screening(*, actor: Any, county: Area, today: date | None = None) -> ScreeningResult:
    """Every rule over the county; returns the number of new leads per source."""
    require_actor_in(actor, county, Role.COUNTY_ADMIN)
    today = today or clock.today()
    policy = policy_for(county, today.year)
    result = ScreeningResult()
    live = _live_household_ids(county)
    households = Household.objects.filter(county=county, active=True).exclude(pk__in=live)

    # 1. Per-capita net income below the monitoring line.
    clock_start = time.perf_counter()
    below = households.filter(per_capita_net_income__lt=policy.line)
    detail = _("人均纯收入低于%(year)d年监测线%(line)s元") % {"year": today.year, "line": policy.line}
    result.created[LeadSource.INCOME] = _insert_household_leads(
        county, LeadSource.INCOME, below, detail, today
    )
    result.lap(LeadSource.INCOME, clock_start)

    # 2. A member whose health became 大病 / 残疾 between two imports: the open version has it,
    #    the version it replaced did not.
    replaced = MemberVersion.objects.filter(
        member_id=OuterRef("member_id"), valid_to=OuterRef("valid_from")
    ).exclude(health__in=SERIOUS_HEALTH)
    sick = (
        MemberVersion.objects.filter(
            county=county, valid_to__isnull=True, active=True, health__in=SERIOUS_HEALTH
        )
        .filter(Exists(replaced))
        .values("household_id")
    )
    detail = _("家庭成员新患大病或新增残疾")
    result.created[LeadSource.HEALTH] = _insert_household_leads(
        county, LeadSource.HEALTH, households.filter(pk__in=sick), detail, today
    )
    result.lap(LeadSource.HEALTH, clock_start)

    # 3. No labour member left, where the household had one before.
    labour_now = MemberVersion.objects.filter(
        household_id=OuterRef("pk"), valid_to__isnull=True, active=True, labour_skill__in=LABOUR
    )
    labour_before = MemberVersion.objects.filter(
        household_id=OuterRef("pk"), valid_to__isnull=False, active=True, labour_skill__in=LABOUR
    )
    without = households.filter(Exists(labour_before)).exclude(Exists(labour_now))
    result.created[LeadSource.LABOUR] = _insert_household_leads(
        county, LeadSource.LABOUR, without, _("家庭已无劳动力"), today
    )
    result.lap(LeadSource.LABOUR, clock_start)

    # 4. Department lists of this year.
    for department_list in DepartmentList.objects.filter(county=county, as_of__year=today.year):
        for source, n in screen_department_list(department_list, today=today).items():
            result.created[source] = result.created.get(source, 0) + n
    result.lap("department_lists", clock_start)
    record_audit(actor=actor, action="monitoring.screening", after={"created": result.created}, county=county)
    return result


SOURCE_OF = {
    Department.MEDICAL: LeadSource.MEDICAL,
    Department.EMERGENCY: LeadSource.DISASTER,
    Department.CIVIL_AFFAIRS: LeadSource.ASSISTANCE,
}


def screen_department_list(department_list: DepartmentList, *, today: date) -> dict[str, int]:
    """Leads from one department list, two INSERT … SELECTs: people matched to a registry member
    (a lead on their household, unless it is monitored already) and people known nowhere (a lead
    on the person: a possible 边缘户). Matching is by blind index only."""
    county = department_list.county
    source = SOURCE_OF[Department(department_list.department)]
    records = DepartmentRecord.objects.filter(department_list=department_list)
    if department_list.department == Department.MEDICAL:
        threshold = policy_for(county, today.year).medical_threshold
        records = records.filter(amount__gte=threshold)
    label = str(Department(department_list.department).label)
    detail = Concat(
        _text(f"{label}名单（{department_list.as_of.isoformat()}）第"),
        Cast("row", output_field=CharField()),
        _text("行"),
        output_field=CharField(),
    )
    member_household = Member.objects.filter(
        county=county, id_number_index=OuterRef("id_number_index")
    ).order_by()
    open_household = Household.objects.filter(pk=OuterRef("l_household"), active=True).exclude(
        pk__in=_live_household_ids(county)
    )
    matched = _not_raised(
        records.annotate(l_household=Subquery(member_household.values("household_id")[:1]))
        .annotate(
            l_village=Subquery(open_household.values("village_id")[:1]),
            l_subject=_subject("h", "l_household", today.year),
        )
        .filter(l_village__isnull=False),
        county,
        source,
    )
    shared = {
        **_constants(county, source, detail, today),
        "name": F("name"),
        "id_number_masked": F("id_number_masked"),
        "department_record_id": F("pk"),
        "subject": F("l_subject"),
    }
    created = _insert_leads(
        matched, {**shared, "village_id": F("l_village"), "registry_household_id": F("l_household")}
    )
    known_outside = MonitoredMember.objects.filter(county=county, id_number_index=OuterRef("id_number_index"))
    unknown = _not_raised(
        records.exclude(Exists(member_household))
        .exclude(Exists(known_outside))
        .annotate(l_subject=_subject("p", "id_number_index", today.year)),
        county,
        source,
    )
    created += _insert_leads(unknown, shared)
    return {source: created}


# --- department list import -----------------------------------------------------------------------
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "患者姓名", "救助对象姓名", "户主姓名"),
    "id_number": ("证件号码", "身份证号", "身份证号码", "公民身份号码", "身份证件号码"),
    "amount": ("金额", "医疗费用", "医疗总费用", "个人自付", "个人自付费用", "自付金额", "损失金额"),
    "category": ("类别", "救助类别", "保障类别", "受灾类型", "灾情", "对象类别"),
}
_KEY_OF = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}
HEADER_ROWS = 10


@dataclass
class ListSummary:
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    unknown: int = 0
    leads: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: list[RowError] = field(default_factory=list)  # accepted rows worth a word (unknown people)
    department_list: DepartmentList | None = None

    def as_dict(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in ("rows", "accepted", "rejected", "unknown", "leads")}


def _header(rows: list[list[Any]]) -> tuple[int, dict[str, int]]:
    for index, row in enumerate(rows[:HEADER_ROWS]):
        columns: dict[str, int] = {}
        for position, cell in enumerate(row):
            key = _KEY_OF.get(
                "".join(cell_text(cell).split()).replace("*", "").replace("（元）", "").replace("(元)", "")
            )
            if key is not None and key not in columns:
                columns[key] = position
        if "id_number" in columns and "name" in columns:
            return index, columns
    raise ValidationError(_("前10行中没有找到表头（应包含 姓名、证件号码 列）"))


@transaction.atomic
def import_department_list(
    *, actor: Any, county: Area, department: str, file_name: str, data: bytes, as_of: date
) -> ListSummary:
    """Read a department list, keep its valid rows, screen it. Rows with a bad ID number or a
    duplicate are rejected and reported by row; people in neither the registry nor monitoring are
    kept (they may be 边缘户) and reported by row too. A refused file writes nothing."""
    require_actor_in(actor, county, Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK)
    if department not in Department.values:
        raise ValidationError({"department": _("部门无效。")})
    today = clock.today()
    if as_of > today:
        raise ValidationError({"as_of": _("数据日期不能晚于今天。")})
    try:
        all_rows = list(sheets.open_sheet(name=file_name, data=data, use="upload").rows())
    except sheets.SheetRefused as exc:
        raise ValidationError(str(exc)) from None
    header_index, columns = _header(all_rows)
    if department == Department.MEDICAL and "amount" not in columns:
        raise ValidationError(_("医保名单缺少金额列（医疗费用、个人自付等）。"))
    summary = ListSummary()
    index_of = blind_indexer(ID_INDEX_PURPOSE)
    seen: dict[str, int] = {}
    records: list[DepartmentRecord] = []

    def get(cells: list[Any], key: str) -> str:
        position = columns.get(key)
        return cell_text(cells[position]) if position is not None and position < len(cells) else ""

    for row_number, cells in enumerate(all_rows[header_index + 1 :], start=header_index + 2):
        if not any(cell_text(c) for c in cells):
            continue
        summary.rows += 1
        problems = []
        name = get(cells, "name")
        if not name:
            problems.append(_("姓名为空"))
        elif len(name) > 60:
            problems.append(_("%(column)s超过%(limit)d个字") % {"column": "姓名", "limit": 60})
        info = None
        try:
            info = idnumbers.validate(get(cells, "id_number"), today=today)
        except idnumbers.IdNumberError as exc:
            problems.append(id_message(exc))
        amount = None
        raw_amount = get(cells, "amount")
        if raw_amount:
            try:
                amount = parse_amount(raw_amount, minimum=ZERO, exact=False)
            except AmountError as exc:
                problems.append(_("金额%(reason)s") % {"reason": exc})
        elif department == Department.MEDICAL:
            problems.append(_("金额为空"))
        index = index_of(info.number) if info else ""
        if info and not problems and index in seen:
            problems.append(_("证件号码与第%(row)d行重复") % {"row": seen[index]})
        if problems:
            summary.errors.append(RowError(row_number, "；".join(problems), info.number if info else ""))
            continue
        assert info is not None
        seen[index] = row_number
        records.append(
            DepartmentRecord(
                county=county,
                row=row_number,
                name=name,
                id_number_index=index,
                id_number_masked=idnumbers.mask(info.number),
                category=get(cells, "category")[:40],
                amount=amount,
            )
        )
    # Unknown people: in neither the registry nor a monitored household of this county (one query
    # per table over the indexes of the file).
    indexes = [r.id_number_index for r in records]
    known: set[str] = set()
    for chunk in _batched(indexes, 900):
        known.update(
            Member.objects.filter(county=county, id_number_index__in=chunk).values_list(
                "id_number_index", flat=True
            )
        )
        known.update(
            MonitoredMember.objects.filter(county=county, id_number_index__in=chunk).values_list(
                "id_number_index", flat=True
            )
        )
    for record in records:
        if record.id_number_index not in known:
            summary.unknown += 1
            summary.notes.append(
                RowError(
                    record.row,
                    _(
                        "证件号码%(id)s不在本县建档立卡或监测对象名单中，已列为线索待核实（可能为边缘易致贫户）"
                    )
                    % {"id": record.id_number_masked},
                )
            )
    summary.rejected = len(summary.errors)
    summary.accepted = len(records)
    department_list = DepartmentList.objects.create(
        county=county, department=department, file_name=file_name[:200], as_of=as_of, created_by=actor
    )
    for record in records:
        record.department_list = department_list
    DepartmentRecord.objects.bulk_create(records, batch_size=BATCH)
    summary.leads = sum(screen_department_list(department_list, today=today).values())
    department_list.summary = summary.as_dict()
    department_list.save(update_fields=["summary"])
    summary.department_list = department_list
    record_audit(
        actor=actor,
        action="monitoring.department_list.import",
        target=department_list,
        after=summary.as_dict(),
        county=county,
    )
    return summary


def report_lines(summary: ListSummary) -> list[str]:
    """Row-exact lines, as the registry import prints them."""
    lines = [_("第%(row)d行被拒绝：%(reason)s") % {"row": e.row, "reason": e.reason} for e in summary.errors]
    lines += [_("第%(row)d行：%(reason)s") % {"row": n.row, "reason": n.reason} for n in summary.notes]
    return sorted(lines, key=lambda line: int("".join(itertools.takewhile(str.isdigit, line[1:])) or 0))
