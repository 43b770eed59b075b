"""The set-based write half of the registry import: areas, households, members, versions, history.

Everything runs inside the caller's transaction. Rows are written with `executemany` through the
connection's cursor (COPY on PostgreSQL for inserts); no model instance is built per row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Max
from django.utils.translation import gettext as _

from bangfu.areas.models import Area, Level
from bangfu.areas.services import create_area
from bangfu.lib import clock, idnumbers
from bangfu.lib.crypto import blind_indexer, decrypt_text, encryptor
from bangfu.registry.importer import FileProblem, Record, RowError
from bangfu.registry.models import Household, Member, MemberVersion, RegistryChange

ID_CONTEXT = "registry.member.id_number"
PHONE_CONTEXT = "registry.phone"
ID_INDEX_PURPOSE = "id_number"

HOUSEHOLD_FIELDS = (
    "village_id",
    "attribute",
    "main_cause",
    "other_causes",
    "exit_year",
    "exited",
    "monitored",
    "monitoring_category",
    "household_size",
    "annual_income",
    "net_income",
    "per_capita_net_income",
    "phone",
    "active",
)
MEMBER_FIELDS = (
    "household_id",
    "village_id",
    "number",
    "name",
    "id_type",
    "relation",
    "ethnicity",
    "education",
    "schooling",
    "health",
    "labour_skill",
    "phone",
    "active",
)
VERSIONED = ("household_id", "schooling", "active", "education", "health", "labour_skill")
LEFT_REASON_FULL = "完整名单中未出现"
MEMBER_INSERT_COLUMNS = (
    "id",
    "household_id",
    "county_id",
    "village_id",
    "number",
    "name",
    "id_type",
    "id_number_encrypted",
    "id_number_index",
    "id_number_masked",
    "sex",
    "birth_date",
    "ethnicity",
    "relation",
    "education",
    "schooling",
    "health",
    "labour_skill",
    "phone_encrypted",
    "phone_masked",
    "active",
    "left_on",
    "left_reason",
    "created_at",
    "updated_at",
)
MEMBER_BATCH = 20_000  # new member rows held before they are inserted (bounds memory)
SQLITE_CACHE_KIB = 64 * 1024  # SQLite page cache while an import writes


@dataclass
class Outcome:
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    households: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    households_created: int = 0
    households_updated: int = 0
    areas_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _row_warning(row: int, text: str) -> str:
    return _("第%(row)d行：%(text)s") % {"row": row, "text": text}


# --- raw SQL helpers ------------------------------------------------------------------------------
def bulk_insert(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    cols = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:  # type: ignore[union-attr]
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608 - fixed identifiers
        for start in range(0, len(rows), 50_000):
            cursor.executemany(sql, rows[start : start + 50_000])


def bulk_execute(sql: str, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 50_000):
            cursor.executemany(sql, rows[start : start + 50_000])


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def allocate_ids(model: Any, count: int) -> list[int]:
    """`count` fresh primary keys for `model`, fetched set-based, so inserted rows need not be read
    back to learn their ids (that re-read cost as much as the insert itself).

    PostgreSQL: one `nextval` query over the table's sequence. SQLite: the ids after the largest
    used (or AUTOINCREMENT-reserved) one; safe because SQLite has a single writer and we are
    inside the import's transaction (a concurrent commit makes our insert fail, never collide)."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {_table(model)}")  # noqa: S608 - fixed identifier
        largest = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        reserved = cursor.fetchone()
        start = max(largest, reserved[0] if reserved else 0) + 1
    return list(range(start, start + count))


# --- areas ----------------------------------------------------------------------------------------
class AreaResolver:
    """Maps (county, township, village) names to village Areas, creating unknown townships and
    villages (listed as warnings) unless `strict`. Unknown counties are rejected: a county code
    (GB/T 2260) cannot be invented."""

    def __init__(self, *, actor: Any, strict: bool, allowed_prefix: str | None, dry_run: bool) -> None:
        self.actor = actor
        self.strict = strict
        self.allowed_prefix = allowed_prefix
        self.dry_run = dry_run
        self.counties: dict[str, Area | None] = {}
        self.cache: dict[tuple[str, str, str], Area | str] = {}
        self.created = 0

    def _county(self, name: str) -> Area | None:
        if name not in self.counties:
            found = list(Area.objects.filter(level=Level.COUNTY, name=name)[:2])
            if len(found) != 1 and self.allowed_prefix:
                found = [a for a in found if a.code.startswith(self.allowed_prefix[:6])]
            self.counties[name] = found[0] if len(found) == 1 else None
        return self.counties[name]

    def resolve(self, record: Record) -> tuple[Area | str, list[str]]:
        """(village Area, warnings) or (reason, []) when the row must be rejected."""
        key = (record.county, record.township, record.village)
        cached = self.cache.get(key)
        if cached is not None:
            return cached, []
        warnings: list[str] = []
        result = self._resolve(key, warnings)
        self.cache[key] = result
        return result, warnings

    def _resolve(self, key: tuple[str, str, str], warnings: list[str]) -> Area | str:
        county_name, township_name, village_name = key
        county = self._county(county_name)
        if county is None:
            return _("县“%(name)s”不存在（请先用 load-areas 导入区划）") % {"name": county_name}
        if self.allowed_prefix and not county.code.startswith(self.allowed_prefix[:6]):
            return _("县“%(name)s”不在您的管辖范围内") % {"name": county_name}
        township = Area.objects.filter(parent=county, level=Level.TOWNSHIP, name=township_name).first()
        if township is None:
            if self.strict:
                return _("乡镇“%(name)s”在%(parent)s中不存在") % {
                    "name": township_name,
                    "parent": county_name,
                }
            township = self._create(county, Level.TOWNSHIP, township_name)
            warnings.append(
                _("新建乡镇“%(name)s”（%(code)s）") % {"name": township_name, "code": township.code}
            )
        village = Area.objects.filter(parent=township, level=Level.VILLAGE, name=village_name).first()
        if village is None:
            if self.strict:
                return _("行政村“%(name)s”在%(parent)s中不存在") % {
                    "name": village_name,
                    "parent": township_name,
                }
            village = self._create(township, Level.VILLAGE, village_name)
            warnings.append(
                _("新建行政村“%(name)s”（%(code)s）") % {"name": village_name, "code": village.code}
            )
        if self.allowed_prefix and not village.code.startswith(self.allowed_prefix):
            return _("行政村“%(name)s”不在您的管辖范围内") % {"name": village_name}
        return village

    def _create(self, parent: Area, level: Level, name: str) -> Area:
        area = create_area(actor=self.actor, parent=parent, name=name)
        self.created += 1
        return area


# --- the write ------------------------------------------------------------------------------------
def _household_values(record: Record, village_id: int) -> dict[str, Any]:
    values = dict(record.household)
    values["village_id"] = village_id
    values["active"] = True
    return values


def write_records(**kwargs: Any) -> None:
    """Write the parsed rows (see `_write_records`). On SQLite the page cache is raised for the
    duration: the member and version indexes of a large county outgrow the default 2 MB cache, and
    every spilled page is written twice (cache → WAL) inside the one transaction."""
    if connection.vendor != "sqlite":
        _write_records(**kwargs)
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
        try:
            _write_records(**kwargs)
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _write_records(
    *,
    records: list[Record],
    errors: list[RowError],
    outcome: Outcome,
    actor: Any,
    as_of: date,
    full: bool,
    strict_areas: bool,
    allowed_prefix: str | None,
    dry_run: bool,
    import_job_id: int | None,
    progress: Callable[[str], None] = lambda phase: None,
) -> None:
    actor_id = actor.pk if actor is not None and getattr(actor, "pk", None) else None
    ops = connection.ops
    now = ops.adapt_datetimefield_value(clock.now())
    as_of_db = ops.adapt_datefield_value(as_of)
    index_of = blind_indexer(ID_INDEX_PURPOSE)
    encrypt_id = encryptor(ID_CONTEXT)
    encrypt_phone = encryptor(PHONE_CONTEXT)

    # 1. Areas, in-file duplicates, household/village consistency, address-code warnings.
    resolver = AreaResolver(actor=actor, strict=strict_areas, allowed_prefix=allowed_prefix, dry_run=dry_run)
    seen_ids: dict[str, int] = {}
    household_village: dict[tuple[int, str], tuple[int, int, str]] = {}
    accepted: list[tuple[Record, Area, str, int]] = []
    present: set[tuple[int, str]] = set()
    for error in errors:
        if error.id_number:
            seen_ids.setdefault(error.id_number, error.row)
    known_code: dict[tuple[str, int], bool] = {}
    county_of: dict[int, int] = {}
    for record in records:
        first = seen_ids.get(record.id_number)
        if first is not None:
            errors.append(
                RowError(record.row, _("证件号码与第%(row)d行重复") % {"row": first}, record.id_number)
            )
            continue
        seen_ids[record.id_number] = record.row
        village, area_warnings = resolver.resolve(record)
        if isinstance(village, str):
            errors.append(RowError(record.row, village, record.id_number))
            continue
        outcome.warnings.extend(_row_warning(record.row, w) for w in area_warnings)
        county_id = county_of.get(village.id)
        if county_id is None:
            county_id = county_of[village.id] = village.parent.parent_id  # type: ignore[union-attr,assignment]
        assert county_id is not None
        hh_key = (county_id, record.household_number)
        previous = household_village.get(hh_key)
        if previous is None:
            household_village[hh_key] = (village.id, record.row, record.village)
        elif previous[0] != village.id:
            errors.append(
                RowError(
                    record.row,
                    _("户编号%(number)s在第%(row)d行属于%(first)s，与本行的%(village)s不一致")
                    % {
                        "number": record.household_number,
                        "row": previous[1],
                        "first": previous[2],
                        "village": record.village,
                    },
                    record.id_number,
                )
            )
            continue
        code_key = (record.address_code, record.birth_date.year)
        known = known_code.get(code_key)
        if known is None:
            known = known_code[code_key] = idnumbers.address_code_known(*code_key)
        if not known:
            record.warnings = [
                *(record.warnings or []),
                _("证件号码的地址码%(code)s在%(year)d年的区划代码表中不存在（仅提示）")
                % {"code": record.address_code, "year": record.birth_date.year},
            ]
        if record.warnings:
            outcome.warnings.extend(_row_warning(record.row, w) for w in record.warnings)
        idx = index_of(record.id_number)
        accepted.append((record, village, idx, county_id))
    outcome.areas_created = resolver.created
    # Rejected people with a valid ID are still "present" for --full: never deactivate them.
    rejected_present = {index_of(e.id_number) for e in errors if e.id_number}
    progress("areas")

    county_ids = set(county_of.values())
    if not county_ids:
        _finish_counts(outcome, errors, 0)
        return
    latest = MemberVersion.objects.filter(county_id__in=county_ids).aggregate(latest=Max("valid_from"))[
        "latest"
    ]
    if latest is not None and latest > as_of:
        raise FileProblem(
            _("数据日期%(as_of)s早于已导入的数据日期%(latest)s；请按时间顺序导入")
            % {"as_of": as_of.isoformat(), "latest": latest.isoformat()}
        )

    # 2. Existing rows of the counties concerned.
    hh_existing: dict[tuple[int, str], tuple[Any, ...]] = {}
    for row in Household.objects.filter(county_id__in=county_ids).values_list(
        "county_id", "number", "id", *[f if f != "phone" else "phone_encrypted" for f in HOUSEHOLD_FIELDS]
    ):
        hh_existing[(row[0], row[1])] = row[2:]
    member_existing: dict[tuple[int, str], tuple[Any, ...]] = {}
    for row in Member.objects.filter(county_id__in=county_ids).values_list(
        "county_id",
        "id_number_index",
        "id",
        "household__number",
        *[f if f != "phone" else "phone_encrypted" for f in MEMBER_FIELDS],
    ):
        member_existing[(row[0], row[1])] = row[2:]

    # 3. Reject people registered in another household; pick each household's facts.
    final: list[tuple[Record, Area, str, int]] = []
    hh_facts: dict[tuple[int, str], tuple[Record, int]] = {}
    for record, village, idx, county_id in accepted:
        existing = member_existing.get((county_id, idx))
        if existing is not None and existing[1] != record.household_number:
            errors.append(
                RowError(
                    record.row,
                    _("证件号码已登记在另一户（户编号%(other)s），不能同时属于户编号%(number)s")
                    % {"other": existing[1], "number": record.household_number},
                    record.id_number,
                )
            )
            present.add((county_id, idx))
            continue
        present.add((county_id, idx))
        key = (county_id, record.household_number)
        facts = hh_facts.get(key)
        if facts is None or (record.relation == "户主" and facts[0].relation != "户主"):
            hh_facts[key] = (record, village.id)
        final.append((record, village, idx, county_id))
    outcome.households = len(hh_facts)

    # 4. Households: insert new, update changed.
    hh_table = _table(Household)
    change_rows: list[tuple[Any, ...]] = []
    new_households: list[tuple[Any, ...]] = []
    hh_updates: list[tuple[Any, ...]] = []
    hh_field_index = {name: i + 1 for i, name in enumerate(HOUSEHOLD_FIELDS)}
    # household key → id: existing ids now, new ones allocated up front (no re-read after insert).
    hh_ids = {key: row[0] for key, row in hh_existing.items()}
    fresh_hh_ids = iter(allocate_ids(Household, sum(1 for key in hh_facts if key not in hh_existing)))
    for (county_id, number), (record, village_id) in hh_facts.items():
        values = _household_values(record, village_id)
        phone = values.pop("phone")
        existing = hh_existing.get((county_id, number))
        if existing is None:
            hh_id = hh_ids[(county_id, number)] = next(fresh_hh_ids)
            new_households.append(
                (
                    hh_id,
                    county_id,
                    village_id,
                    number,
                    values["attribute"],
                    values["main_cause"],
                    values["other_causes"],
                    values["exit_year"],
                    values["exited"],
                    values["monitored"],
                    values["monitoring_category"],
                    values["household_size"],
                    ops.adapt_decimalfield_value(values["annual_income"], 14, 2),
                    ops.adapt_decimalfield_value(values["net_income"], 14, 2),
                    ops.adapt_decimalfield_value(values["per_capita_net_income"], 14, 2),
                    encrypt_phone(phone) if phone else "",
                    idnumbers.mask_phone(phone) if phone else "",
                    True,
                    now,
                    now,
                )
            )
            continue
        hh_id = existing[0]
        old_phone = (
            decrypt_text(existing[hh_field_index["phone"]], context=PHONE_CONTEXT)
            if existing[hh_field_index["phone"]]
            else ""
        )
        changed: list[tuple[str, Any, Any]] = []
        for name in HOUSEHOLD_FIELDS:
            old = old_phone if name == "phone" else existing[hh_field_index[name]]
            new = phone if name == "phone" else values[name]
            if old != new:
                changed.append((name, old, new))
        if not changed:
            continue
        outcome.households_updated += 1
        for name, old, new in changed:
            if name == "phone":
                old, new = idnumbers.mask_phone(old) if old else "", idnumbers.mask_phone(new) if new else ""
            change_rows.append(
                _change(county_id, hh_id, None, name, old, new, as_of_db, now, actor_id, import_job_id)
            )
        hh_updates.append(
            (
                village_id,
                values["attribute"],
                values["main_cause"],
                values["other_causes"],
                values["exit_year"],
                values["exited"],
                values["monitored"],
                values["monitoring_category"],
                values["household_size"],
                ops.adapt_decimalfield_value(values["annual_income"], 14, 2),
                ops.adapt_decimalfield_value(values["net_income"], 14, 2),
                ops.adapt_decimalfield_value(values["per_capita_net_income"], 14, 2),
                encrypt_phone(phone) if phone else "",
                idnumbers.mask_phone(phone) if phone else "",
                True,
                now,
                hh_id,
            )
        )
    bulk_insert(
        hh_table,
        (
            "id",
            "county_id",
            "village_id",
            "number",
            "attribute",
            "main_cause",
            "other_causes",
            "exit_year",
            "exited",
            "monitored",
            "monitoring_category",
            "household_size",
            "annual_income",
            "net_income",
            "per_capita_net_income",
            "phone_encrypted",
            "phone_masked",
            "active",
            "created_at",
            "updated_at",
        ),
        new_households,
    )
    bulk_execute(
        f"UPDATE {hh_table} SET village_id=%s, attribute=%s, main_cause=%s, other_causes=%s, exit_year=%s, "  # noqa: S608
        "exited=%s, monitored=%s, monitoring_category=%s, household_size=%s, annual_income=%s, "
        "net_income=%s, per_capita_net_income=%s, phone_encrypted=%s, phone_masked=%s, active=%s, "
        "updated_at=%s WHERE id=%s",
        hh_updates,
    )
    outcome.households_created = len(new_households)
    progress("households")

    # 5. Members.
    m_table = _table(Member)
    new_members: list[tuple[Any, ...]] = []
    version_rows: list[tuple[Any, ...]] = []  # first versions of new members, then changes
    member_updates: list[tuple[Any, ...]] = []
    version_changes: list[tuple[int, int, tuple[Any, ...]]] = []  # (member id, county, versioned values)
    m_field_index = {name: i + 2 for i, name in enumerate(MEMBER_FIELDS)}
    # Ids for the new members are allocated up front (no re-read for the versions); new rows are
    # inserted every MEMBER_BATCH rows so their encrypted tuples do not pile up in memory.
    fresh_ids = iter(
        allocate_ids(Member, sum(1 for _r, _v, idx, c in final if (c, idx) not in member_existing))
    )
    created = 0
    for record, village, idx, county_id in final:
        hh_id = hh_ids[(county_id, record.household_number)]
        existing = member_existing.get((county_id, idx))
        if existing is None:
            phone = record.member_phone
            member_id = next(fresh_ids)
            new_members.append(
                (
                    member_id,
                    hh_id,
                    county_id,
                    village.id,
                    record.member_number,
                    record.name,
                    record.id_type,
                    encrypt_id(record.id_number),
                    idx,
                    idnumbers.mask(record.id_number),
                    record.sex,
                    ops.adapt_datefield_value(record.birth_date),
                    record.ethnicity,
                    record.relation,
                    record.education,
                    record.schooling,
                    record.health,
                    record.labour_skill,
                    encrypt_phone(phone) if phone else "",
                    idnumbers.mask_phone(phone) if phone else "",
                    True,
                    None,
                    "",
                    now,
                    now,
                )
            )
            version_rows.append(
                (
                    member_id,
                    county_id,
                    hh_id,
                    as_of_db,
                    None,
                    record.schooling,
                    True,
                    record.education,
                    record.health,
                    record.labour_skill,
                    now,
                    actor_id,
                )
            )
            if len(new_members) >= MEMBER_BATCH:
                bulk_insert(m_table, MEMBER_INSERT_COLUMNS, new_members)
                created += len(new_members)
                new_members.clear()
            continue
        new_values = {
            "household_id": hh_id,
            "village_id": village.id,
            "number": record.member_number,
            "name": record.name,
            "id_type": record.id_type,
            "relation": record.relation,
            "ethnicity": record.ethnicity,
            "education": record.education,
            "schooling": record.schooling,
            "health": record.health,
            "labour_skill": record.labour_skill,
            "phone": record.member_phone,
            "active": True,
        }
        member_id = existing[0]
        old_phone_token = existing[m_field_index["phone"]]
        changed = []
        versioned_changed = False
        for name in MEMBER_FIELDS:
            if name == "phone":
                if not old_phone_token and not record.member_phone:
                    continue
                old = decrypt_text(old_phone_token, context=PHONE_CONTEXT) if old_phone_token else ""
            else:
                old = existing[m_field_index[name]]
            new = new_values[name]
            if old != new:
                changed.append((name, old, new))
                if name in VERSIONED:
                    versioned_changed = True
        if not changed:
            outcome.unchanged += 1
            continue
        outcome.updated += 1
        for name, old, new in changed:
            if name == "phone":
                old, new = idnumbers.mask_phone(old) if old else "", idnumbers.mask_phone(new) if new else ""
            if name == "household_id":
                name, old, new = "household", existing[1], record.household_number
            change_rows.append(
                _change(county_id, hh_id, member_id, name, old, new, as_of_db, now, actor_id, import_job_id)
            )
        phone = record.member_phone
        member_updates.append(
            (
                hh_id,
                village.id,
                record.member_number,
                record.name,
                record.id_type,
                record.relation,
                record.ethnicity,
                record.education,
                record.schooling,
                record.health,
                record.labour_skill,
                encrypt_phone(phone) if phone else "",
                idnumbers.mask_phone(phone) if phone else "",
                now,
                member_id,
            )
        )
        if versioned_changed:
            version_changes.append(
                (
                    member_id,
                    county_id,
                    (hh_id, record.schooling, True, record.education, record.health, record.labour_skill),
                )
            )
    bulk_insert(m_table, MEMBER_INSERT_COLUMNS, new_members)
    outcome.created = created + len(new_members)
    bulk_execute(
        f"UPDATE {m_table} SET household_id=%s, village_id=%s, number=%s, name=%s, id_type=%s, relation=%s, "  # noqa: S608
        "ethnicity=%s, education=%s, schooling=%s, health=%s, labour_skill=%s, phone_encrypted=%s, "
        "phone_masked=%s, active=TRUE, left_on=NULL, left_reason='', updated_at=%s WHERE id=%s",
        member_updates,
    )
    progress("members")

    # 6. --full: members of the covered villages absent from the file leave the register.
    if full:
        covered = {village.id for _r, village, _i, _c in final}
        for (county_id, idx), existing in member_existing.items():
            if (
                (county_id, idx) in present
                or idx in rejected_present
                or not existing[m_field_index["active"]]
            ):
                continue
            if existing[m_field_index["village_id"]] not in covered:
                continue
            member_id, hh_id = existing[0], existing[m_field_index["household_id"]]
            outcome.deactivated += 1
            change_rows.append(
                _change(
                    county_id, hh_id, member_id, "active", True, False, as_of_db, now, actor_id, import_job_id
                )
            )
            version_changes.append(
                (
                    member_id,
                    county_id,
                    (
                        hh_id,
                        existing[m_field_index["schooling"]],
                        False,
                        existing[m_field_index["education"]],
                        existing[m_field_index["health"]],
                        existing[m_field_index["labour_skill"]],
                    ),
                )
            )
        deactivate = [
            (as_of_db, LEFT_REASON_FULL, now, member_id)
            for member_id, _c, values in version_changes
            if not values[2]
        ]
        bulk_execute(
            f"UPDATE {m_table} SET active=FALSE, left_on=%s, left_reason=%s, updated_at=%s WHERE id=%s",  # noqa: S608
            deactivate,
        )
        # A household whose last member left leaves the register too (kept, marked inactive).
        left_households = {v[0]: c for _m, c, v in version_changes if not v[2]}
        still_active = set(
            Member.objects.filter(household_id__in=list(left_households), active=True).values_list(
                "household_id", flat=True
            )
        )
        emptied = [hh for hh in left_households if hh not in still_active]
        bulk_execute(
            f"UPDATE {hh_table} SET active=FALSE, updated_at=%s WHERE id=%s",  # noqa: S608
            [(now, hh) for hh in emptied],
        )
        change_rows.extend(
            _change(
                left_households[hh], hh, None, "active", True, False, as_of_db, now, actor_id, import_job_id
            )
            for hh in emptied
        )

    # 7. Versions: new members open their first version; changed ones close the open version.
    v_table = _table(MemberVersion)
    if version_changes:
        same_day = set(
            MemberVersion.objects.filter(county_id__in=county_ids, valid_from=as_of).values_list(
                "member_id", flat=True
            )
        )
        bulk_execute(
            f"UPDATE {v_table} SET valid_to=%s WHERE member_id=%s AND valid_to IS NULL AND valid_from < %s",  # noqa: S608
            [(as_of_db, m, as_of_db) for m, _c, _v in version_changes if m not in same_day],
        )
        bulk_execute(
            f"UPDATE {v_table} SET household_id=%s, schooling=%s, active=%s, education=%s, health=%s, "  # noqa: S608
            "labour_skill=%s, recorded_at=%s, recorded_by_id=%s WHERE member_id=%s AND valid_from=%s",
            [(*v, now, actor_id, m, as_of_db) for m, _c, v in version_changes if m in same_day],
        )
        version_rows.extend(
            (m, c, v[0], as_of_db, None, v[1], v[2], v[3], v[4], v[5], now, actor_id)
            for m, c, v in version_changes
            if m not in same_day
        )
    bulk_insert(
        v_table,
        (
            "member_id",
            "county_id",
            "household_id",
            "valid_from",
            "valid_to",
            "schooling",
            "active",
            "education",
            "health",
            "labour_skill",
            "recorded_at",
            "recorded_by_id",
        ),
        version_rows,
    )
    bulk_insert(
        _table(RegistryChange),
        (
            "county_id",
            "household_id",
            "member_id",
            "field",
            "old_value",
            "new_value",
            "effective_on",
            "changed_at",
            "changed_by_id",
            "import_job_id",
        ),
        change_rows,
    )
    progress("history")
    _finish_counts(outcome, errors, len(final))


def _change(
    county_id: int,
    household_id: int,
    member_id: int | None,
    name: str,
    old: Any,
    new: Any,
    effective: Any,
    now: Any,
    actor_id: int | None,
    job_id: int | None,
) -> tuple[Any, ...]:
    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "是" if value else "否"
        return str(value)[:200]

    return (county_id, household_id, member_id, name, text(old), text(new), effective, now, actor_id, job_id)


def _finish_counts(outcome: Outcome, errors: list[RowError], accepted: int) -> None:
    errors.sort(key=lambda e: e.row)
    outcome.errors = errors
    outcome.accepted = accepted
    outcome.rejected = len(errors)
