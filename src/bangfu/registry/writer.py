"""The set-based write half of the registry import: areas, households, members, versions, history.

Everything runs inside the caller's transaction. Rows are written with `executemany` through the
connection's cursor (COPY on PostgreSQL for inserts); no model instance is built per row.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Max
from django.utils.translation import gettext as _

from bangfu.areas.models import Area, Level, county_code_of
from bangfu.areas.services import create_area
from bangfu.lib import clock, idnumbers
from bangfu.lib.crypto import blind_indexer, bulk_encryptor, decrypt_text, encryptor
from bangfu.registry.importer import HOUSEHOLD_FACTS, FileProblem, Record, RowError
from bangfu.registry.models import Household, Member, MemberVersion, RegistryChange

ID_CONTEXT = "registry.member.id_number"
PHONE_CONTEXT = "registry.phone"
ID_INDEX_PURPOSE = "id_number"

HOUSEHOLD_FIELDS = ("village_id", *HOUSEHOLD_FACTS, "active")  # compared; phone in clear
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
)  # then the columns every new member has alike (`RecordWriter._write_members`)
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
def bulk_insert(
    table: str, columns: Sequence[str], rows: list[tuple[Any, ...]], alike: dict[str, Any] | None = None
) -> None:
    """Insert `rows` (values of `columns`), each also with the values of `alike`, columns whose
    value is the same in every row. SQLite gets those as literals in the statement: Python's
    sqlite3 looks up an adapter for every parameter that is not exactly an int, float, str or bytes
    (None and bools too), about 1 µs each, a third of what binding the import's rows cost
    (callgrind); PostgreSQL's COPY gets them at the end of each row."""
    if not rows:
        return
    alike = alike or {}
    cols = ", ".join((*columns, *alike))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            tail = tuple(alike.values())
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:  # type: ignore[union-attr]
                for row in rows:
                    copy.write_row(row + tail)
            return
        marks = ", ".join(["%s"] * len(columns) + [_sqlite_literal(v) for v in alike.values()])
        sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608 - fixed identifiers
        for start in range(0, len(rows), 50_000):
            cursor.executemany(sql, rows[start : start + 50_000])


def _sqlite_literal(value: bool | int | str | None) -> str:
    """`value` as an SQLite literal that stores what binding it would (a bool as 0 or 1), its `%`
    doubled for the `%s` placeholders of Django's cursor."""
    if value is None:
        return "NULL"
    if isinstance(value, int):  # bools included
        return str(int(value))
    if isinstance(value, str):
        return "'" + value.replace("'", "''").replace("%", "%%") + "'"
    raise TypeError(f"no SQLite literal for {type(value).__name__}")


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
                found = [a for a in found if a.code.startswith(county_code_of(self.allowed_prefix))]
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
        if self.allowed_prefix and not county.code.startswith(county_code_of(self.allowed_prefix)):
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
# The household columns, spelled once: HOUSEHOLD_FIELDS are compared (phone in clear), and written as
# HOUSEHOLD_COLUMNS (phone as its encrypted and masked pair) by both the insert and the update.
_HOUSEHOLD_DECIMALS = frozenset({"annual_income", "net_income", "per_capita_net_income"})
HOUSEHOLD_COLUMNS = tuple(
    column
    for name in HOUSEHOLD_FIELDS
    for column in (("phone_encrypted", "phone_masked") if name == "phone" else (name,))
)
HOUSEHOLD_INSERT_COLUMNS = ("id", "county_id", "number", *HOUSEHOLD_COLUMNS, "created_at", "updated_at")
HOUSEHOLD_UPDATE_SET = ", ".join(f"{column}=%s" for column in HOUSEHOLD_COLUMNS) + ", updated_at=%s"
# The member columns an update rewrites: MEMBER_FIELDS but phone (as its pair) and active (fixed).
MEMBER_UPDATE_FIELDS = tuple(name for name in MEMBER_FIELDS if name not in ("phone", "active"))
MEMBER_UPDATE_SET = (
    ", ".join(f"{name}=%s" for name in MEMBER_UPDATE_FIELDS)
    + ", phone_encrypted=%s, phone_masked=%s, active=TRUE, left_on=NULL, left_reason='', updated_at=%s"
)
VERSION_INSERT_COLUMNS = (
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
)
# The columns of a new member's first version that differ from one member to the next.
FIRST_VERSION_COLUMNS = (
    "member_id",
    "county_id",
    "household_id",
    "schooling",
    "education",
    "health",
    "labour_skill",
)
CHANGE_INSERT_COLUMNS = (
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
)
_HOUSEHOLD_AT = {name: i + 1 for i, name in enumerate(HOUSEHOLD_FIELDS)}  # in an existing row
# Where a household's facts sit in the HOUSEHOLD_FIELDS values `_household_row` builds.
_FACT_VALUES = operator.itemgetter(*HOUSEHOLD_FACTS)
_DECIMAL_AT = tuple(i for i, name in enumerate(HOUSEHOLD_FIELDS) if name in _HOUSEHOLD_DECIMALS)
_PHONE_AT = HOUSEHOLD_FIELDS.index("phone")
_MEMBER_AT = {name: i + 2 for i, name in enumerate(MEMBER_FIELDS)}  # in an existing row

# (record, village id, county id, (county id, household number), the existing member's row or None)
# of a row that passed the checks.
Accepted = tuple[Record, int, int, tuple[int, str], tuple[Any, ...] | None]
# (member id, county id, (household id, schooling, active, education, health, labour skill)).
VersionChange = tuple[int, int, tuple[Any, ...]]


@dataclass
class _Write:
    """What the steps of one write share: its inputs, the encryptors, and the history it collects."""

    outcome: Outcome
    errors: list[RowError]
    as_of: date
    as_of_db: Any
    now: Any
    actor_id: int | None
    import_job_id: int | None
    encrypt_phone: Callable[[str], str]
    ops: Any  # the connection's operations (value adapters), looked up once
    change_rows: list[tuple[Any, ...]] = field(default_factory=list)
    version_rows: list[tuple[Any, ...]] = field(default_factory=list)
    version_changes: list[VersionChange] = field(default_factory=list)

    def change(
        self, county_id: int, household_id: int, member_id: int | None, name: str, old: Any, new: Any
    ) -> None:
        self.change_rows.append(
            _change(
                county_id,
                household_id,
                member_id,
                name,
                old,
                new,
                self.as_of_db,
                self.now,
                self.actor_id,
                self.import_job_id,
            )
        )

    def phone_pair(self, phone: str) -> tuple[str, str]:
        """(encrypted, masked) of a phone number, ("", "") for none."""
        return (self.encrypt_phone(phone), idnumbers.mask_phone(phone)) if phone else ("", "")


class Sealer:
    """Puts each record's ID number and phone in stored form (`Record.sealed`) and adds the warning
    for an address code unknown in the birth year: the CPU-heavy, row-by-row part of a write, done
    by the reader process while the writer writes. Make one per process: its encryptors draw their
    own nonces."""

    def __init__(self) -> None:
        self.index_of = blind_indexer(ID_INDEX_PURPOSE)
        self.encrypt_ids = bulk_encryptor(ID_CONTEXT)
        self.encrypt_phones = bulk_encryptor(PHONE_CONTEXT)
        self.known_code: dict[tuple[str, int], bool] = {}

    def __call__(self, records: list[Record]) -> None:
        # Column by column, with C-level `map` and whole-column encryption rather than Python calls
        # per record: this runs for every row of a file, in the reader process that bounds the
        # import's speed.
        todo = [record for record in records if record.sealed is None]
        if not todo:
            return
        numbers = [record.id_number for record in todo]
        phones = [record.member_phone for record in todo]
        phone_tokens = iter(self.encrypt_phones([phone for phone in phones if phone]))
        mask_phone = idnumbers.mask_phone
        sealed = zip(
            map(self.index_of, numbers),
            self.encrypt_ids(numbers),
            map(idnumbers.mask, numbers),
            [next(phone_tokens) if phone else "" for phone in phones],
            [mask_phone(phone) if phone else "" for phone in phones],
            strict=True,
        )
        for record, stored in zip(todo, sealed, strict=True):
            record.sealed = stored
        # Address codes are asked once per distinct (code, birth year).
        known_code = self.known_code
        codes = [(record.address_code, record.birth_date.year) for record in todo]
        for code_key in set(codes).difference(known_code):
            known_code[code_key] = idnumbers.address_code_known(*code_key)
        for record, code_key in zip(todo, codes, strict=True):
            if not known_code[code_key]:
                _warn_address_code(record)


@contextmanager
def _sqlite_cache() -> Iterator[None]:
    """On SQLite, raise the page cache while the import writes: the member and version indexes of a
    large county outgrow the default 2 MB cache, and every spilled page is written twice (cache →
    WAL) inside the one transaction."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
        try:
            yield
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


class RecordWriter:
    """Writes parsed rows a window at a time, in the caller's transaction, as the reader hands them
    over (`add`), so reading and writing overlap and no window outlives its write; `finish` writes
    what needs the whole file: the households (their facts come from the head's row, wherever it
    is), with `full` the members absent from the file, the history, and the counts.

    Per window: in-file duplicate ID numbers (the first row wins, an error row with a valid number
    included), areas, one village per household, address-code warnings; the counties the rows
    concern are checked against `as_of` and their existing rows loaded when they first appear;
    then new members are inserted (with their first version) and changed ones updated.

    Use as a context manager around the `add` calls and `finish`."""

    def __init__(
        self,
        *,
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
        ops = connection.ops
        self.write = _Write(
            outcome=outcome,
            errors=[],
            as_of=as_of,
            as_of_db=ops.adapt_datefield_value(as_of),
            now=ops.adapt_datetimefield_value(clock.now()),
            actor_id=actor.pk if actor is not None and getattr(actor, "pk", None) else None,
            import_job_id=import_job_id,
            encrypt_phone=encryptor(PHONE_CONTEXT),
            ops=ops,
        )
        self.full = full
        self.progress = progress
        self.resolver = AreaResolver(
            actor=actor, strict=strict_areas, allowed_prefix=allowed_prefix, dry_run=dry_run
        )
        self.seen_ids: dict[str, int] = {}  # ID number → the row that first named it
        self.household_village: dict[tuple[int, str], tuple[int, int, str]] = {}
        # (county, township, village) names → (village id, county id), or why such rows are rejected.
        self.places: dict[tuple[str, str, str], tuple[int, int] | str] = {}
        self.counties: set[int] = set()
        self.hh_existing: dict[tuple[int, str], tuple[Any, ...]] = {}
        self.member_existing: dict[tuple[int, str], tuple[Any, ...]] = {}
        self.same_day: set[int] = set()  # existing members with a version opened on `as_of`
        # Each household's facts: (facts, from the head's row, village id), the head's row winning.
        self.hh_facts: dict[tuple[int, str], tuple[dict[str, Any], bool, int]] = {}
        self.hh_ids: dict[tuple[int, str], int] = {}
        self.new_households: dict[tuple[int, str], dict[str, Any]] = {}  # → the facts inserted
        self.present: set[tuple[int, str]] = set()  # existing members the file names
        self.covered: set[int] = set()  # villages of the written rows
        self.accepted = 0
        self.ids = _Ids()
        self.seal = Sealer()
        self._cache = _sqlite_cache()

    def __enter__(self) -> RecordWriter:
        self._cache.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._cache.__exit__(*exc)

    def add(self, records: list[Record], errors: list[RowError]) -> None:
        """Check and write one window: its accepted rows and the parse errors of the same rows."""
        self.write.errors.extend(errors)
        for error in errors:
            if error.id_number:
                self.seen_ids.setdefault(error.id_number, error.row)
        self._write_members(*self._check_rows(records))

    def finish(self) -> None:
        write, outcome = self.write, self.write.outcome
        outcome.areas_created = self.resolver.created
        self.progress("areas")
        if not self.counties:
            _finish_counts(outcome, write.errors, 0)
            return
        outcome.households = len(self.hh_facts)
        self._write_households()
        self.progress("households")
        self.progress("members")
        if self.full:
            # Rejected people with a valid ID are still "present": never deactivate them.
            rejected_present = {self.seal.index_of(e.id_number) for e in write.errors if e.id_number}
            _leave_absent(write, self.member_existing, self.present, rejected_present, self.covered)
        _write_history(write, self.same_day)
        self.progress("history")
        _finish_counts(outcome, write.errors, self.accepted)

    def _check_rows(self, records: list[Record]) -> tuple[list[Accepted], int]:
        """In-file duplicate ID numbers, areas, one village per household, people registered in
        another household; note each household's facts (its head's row, else its first) and give
        a new household its id. One pass over the rows (records not sealed by the reader process
        are sealed here). Returns the accepted rows and how many of them are new members."""
        errors, outcome = self.write.errors, self.write.outcome
        seen_ids, household_village, places = self.seen_ids, self.household_village, self.places
        hh_facts, hh_ids, member_existing = self.hh_facts, self.hh_ids, self.member_existing
        self.seal(records)
        final: list[Accepted] = []
        fresh: list[tuple[int, str]] = []
        new_members = 0
        for record in records:
            number, row = record.id_number, record.row
            first = seen_ids.setdefault(number, row)  # rows are numbered apart: another is a duplicate
            if first != row:
                errors.append(RowError(row, _("证件号码与第%(row)d行重复") % {"row": first}, number))
                continue
            place = places.get((record.county, record.township, record.village))
            if place is None:
                place = self._place(record)
            if isinstance(place, str):
                errors.append(RowError(row, place, number))
                continue
            village_id, county_id = place
            hh_key = (county_id, record.household_number)
            previous = household_village.get(hh_key)
            if previous is None:
                household_village[hh_key] = (village_id, row, record.village)
            elif previous[0] != village_id:
                errors.append(_household_elsewhere(record, previous))
                continue
            if record.warnings:
                outcome.warnings.extend(_row_warning(row, w) for w in record.warnings)
            existing = member_existing.get((county_id, record.sealed[0]))  # type: ignore[index]
            if existing is None:
                new_members += 1
            else:
                self.present.add((county_id, record.sealed[0]))  # type: ignore[index]
                if existing[1] != record.household_number:
                    errors.append(_registered_elsewhere(record, existing[1]))
                    continue
            facts = hh_facts.get(hh_key)
            if facts is None:
                hh_facts[hh_key] = (record.household, record.relation == "户主", village_id)
                if hh_key not in hh_ids:
                    fresh.append(hh_key)
                self.covered.add(village_id)  # a household's rows share its village
            elif not facts[1] and record.relation == "户主":
                hh_facts[hh_key] = (record.household, True, village_id)
            final.append((record, village_id, county_id, hh_key, existing))
        self._insert_households(fresh)
        self.accepted += len(final)
        return final, new_members

    def _place(self, record: Record) -> tuple[int, int] | str:
        """The (village id, county id) of a row's area names, or the reason to reject the row,
        remembered for the next rows: the village is resolved (and the areas it needs created,
        with their warnings), and its county checked and loaded when it first appears."""
        key = (record.county, record.township, record.village)
        village, area_warnings = self.resolver.resolve(record)
        if isinstance(village, str):
            self.places[key] = village
            return village
        self.write.outcome.warnings.extend(_row_warning(record.row, w) for w in area_warnings)
        county_id: int = village.parent.parent_id  # type: ignore[union-attr,assignment]
        if county_id not in self.counties:
            self._open_county(county_id)
        place = self.places[key] = (village.id, county_id)
        return place

    def _open_county(self, county_id: int) -> None:
        """A county's first row: the file must not be older than its last import; its existing
        households and members are loaded (phones stay encrypted)."""
        _check_as_of({county_id}, self.write.as_of)
        self.counties.add(county_id)
        hh_existing, member_existing = _existing_rows({county_id})
        self.hh_existing.update(hh_existing)
        self.member_existing.update(member_existing)
        self.hh_ids.update((key, row[0]) for key, row in hh_existing.items())
        self.same_day.update(
            MemberVersion.objects.filter(county_id=county_id, valid_from=self.write.as_of).values_list(
                "member_id", flat=True
            )
        )

    def _insert_households(self, fresh: list[tuple[int, str]]) -> None:
        """Insert the window's new households with the facts known so far (their first row's, or
        their head's), before their members: the members' foreign keys then find them at once.
        `finish` rewrites the few whose head's row comes in a later window."""
        write = self.write
        rows: list[tuple[Any, ...]] = []
        for key, hh_id in zip(fresh, self.ids.take(Household, len(fresh)), strict=True):
            self.hh_ids[key] = hh_id
            facts, _head, village_id = self.hh_facts[key]
            self.new_households[key] = facts
            rows.append((hh_id, *key, *_household_row(write, facts, village_id), write.now, write.now))
        bulk_insert(_table(Household), HOUSEHOLD_INSERT_COLUMNS, rows)

    def _write_households(self) -> None:
        """Rewrite the new households whose head's row came after their first window; update the
        changed existing ones (with their history)."""
        write = self.write
        hh_table = _table(Household)
        hh_updates: list[tuple[Any, ...]] = []
        for (county_id, number), (facts, _head, village_id) in self.hh_facts.items():
            hh_id = self.hh_ids[(county_id, number)]
            inserted = self.new_households.get((county_id, number))
            if inserted is not None:
                if facts != inserted:
                    hh_updates.append((*_household_row(write, facts, village_id), write.now, hh_id))
                continue
            changed = _household_changes(self.hh_existing[(county_id, number)], facts, village_id)
            if not changed:
                continue
            write.outcome.households_updated += 1
            for name, old, new in changed:
                if name == "phone":
                    old = idnumbers.mask_phone(old) if old else ""
                    new = idnumbers.mask_phone(new) if new else ""
                write.change(county_id, hh_id, None, name, old, new)
            hh_updates.append((*_household_row(write, facts, village_id), write.now, hh_id))
        bulk_execute(f"UPDATE {hh_table} SET {HOUSEHOLD_UPDATE_SET} WHERE id=%s", hh_updates)  # noqa: S608
        write.outcome.households_created = len(self.new_households)

    def _write_members(self, final: list[Accepted], new_count: int) -> None:
        """Insert the window's new members with their first version, update the changed ones."""
        write, hh_ids = self.write, self.hh_ids
        new_members: list[tuple[Any, ...]] = []
        version_rows: list[tuple[Any, ...]] = []
        member_updates: list[tuple[Any, ...]] = []
        fresh_ids = iter(self.ids.take(Member, new_count))
        now, as_of_db, actor_id = write.now, write.as_of_db, write.actor_id
        adapt_date = write.ops.adapt_datefield_value
        add_member, add_version = new_members.append, version_rows.append
        for record, village_id, county_id, hh_key, existing in final:
            hh_id = hh_ids[hh_key]
            if existing is not None:
                update = _member_update(write, record, existing, hh_id, village_id, county_id)
                if update is not None:
                    member_updates.append(update)
                continue
            member_id = next(fresh_ids)
            idx, id_encrypted, id_masked, phone_encrypted, phone_masked = record.sealed  # type: ignore[misc]
            schooling, education, health, skill = (
                record.schooling,
                record.education,
                record.health,
                record.labour_skill,
            )
            add_member(  # the values of MEMBER_INSERT_COLUMNS
                (
                    member_id,
                    hh_id,
                    county_id,
                    village_id,
                    record.member_number,
                    record.name,
                    record.id_type,
                    id_encrypted,
                    idx,
                    id_masked,
                    record.sex,
                    adapt_date(record.birth_date),
                    record.ethnicity,
                    record.relation,
                    education,
                    schooling,
                    health,
                    skill,
                    phone_encrypted,
                    phone_masked,
                )
            )
            add_version((member_id, county_id, hh_id, schooling, education, health, skill))
        member_alike = {
            "active": True,
            "left_on": None,
            "left_reason": "",
            "created_at": now,
            "updated_at": now,
        }
        bulk_insert(_table(Member), MEMBER_INSERT_COLUMNS, new_members, member_alike)
        version_alike = {
            "valid_from": as_of_db,
            "valid_to": None,
            "active": True,
            "recorded_at": now,
            "recorded_by_id": actor_id,
        }
        bulk_insert(_table(MemberVersion), FIRST_VERSION_COLUMNS, version_rows, version_alike)
        write.outcome.created += len(new_members)
        bulk_execute(f"UPDATE {_table(Member)} SET {MEMBER_UPDATE_SET} WHERE id=%s", member_updates)  # noqa: S608


class _Ids:
    """Fresh primary keys across windows. On SQLite `allocate_ids` reads the table's largest id,
    which rows allocated but not yet inserted do not raise: later blocks continue from the last."""

    def __init__(self) -> None:
        self.next: dict[Any, int] = {}

    def take(self, model: Any, count: int) -> list[int]:
        if count <= 0:
            return []
        if connection.vendor == "postgresql":
            return allocate_ids(model, count)
        start = self.next.get(model) or allocate_ids(model, 1)[0]
        self.next[model] = start + count
        return list(range(start, start + count))


def _registered_elsewhere(record: Record, other: str) -> RowError:
    return RowError(
        record.row,
        _("证件号码已登记在另一户（户编号%(other)s），不能同时属于户编号%(number)s")
        % {"other": other, "number": record.household_number},
        record.id_number,
    )


def _household_elsewhere(record: Record, previous: tuple[int, int, str]) -> RowError:
    return RowError(
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


def _warn_address_code(record: Record) -> None:
    """Adds the warning of a row whose ID number's address code did not exist in its birth year."""
    record.warnings = [
        *(record.warnings or []),
        _("证件号码的地址码%(code)s在%(year)d年的区划代码表中不存在（仅提示）")
        % {"code": record.address_code, "year": record.birth_date.year},
    ]


def _check_as_of(county_ids: set[int], as_of: date) -> None:
    """Imports of a county go in date order: a file older than the last one imported is refused."""
    latest = MemberVersion.objects.filter(county_id__in=county_ids).aggregate(latest=Max("valid_from"))[
        "latest"
    ]
    if latest is not None and latest > as_of:
        raise FileProblem(
            _("数据日期%(as_of)s早于已导入的数据日期%(latest)s；请按时间顺序导入")
            % {"as_of": as_of.isoformat(), "latest": latest.isoformat()}
        )


def _existing_rows(
    county_ids: set[int],
) -> tuple[dict[tuple[int, str], tuple[Any, ...]], dict[tuple[int, str], tuple[Any, ...]]]:
    """Step 2: the existing households, by (county, number): (id, *HOUSEHOLD_FIELDS); and members,
    by (county, ID blind index): (id, household number, *MEMBER_FIELDS). Phones stay encrypted."""
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
    return hh_existing, member_existing


def _household_row(write: _Write, facts: dict[str, Any], village_id: int) -> list[Any]:
    """The values of HOUSEHOLD_COLUMNS for a household's facts: the facts in HOUSEHOLD_FACTS order
    at once, then the few that need it adapted in place (one household in four rows, so the
    per-field branching this replaces showed in the import's profile)."""
    row = [village_id, *_FACT_VALUES(facts), True]  # HOUSEHOLD_FIELDS
    adapt_decimal = write.ops.adapt_decimalfield_value
    for at in _DECIMAL_AT:
        row[at] = adapt_decimal(row[at], 14, 2)
    row[_PHONE_AT : _PHONE_AT + 1] = write.phone_pair(row[_PHONE_AT])
    return row


def _household_changes(
    existing: tuple[Any, ...], facts: dict[str, Any], village_id: int
) -> list[tuple[str, Any, Any]]:
    """(field, old, new) of each HOUSEHOLD_FIELDS value that differs; phones compared in clear."""
    changed: list[tuple[str, Any, Any]] = []
    for name in HOUSEHOLD_FIELDS:
        old = existing[_HOUSEHOLD_AT[name]]
        if name == "phone":
            old = decrypt_text(old, context=PHONE_CONTEXT) if old else ""
            new = facts["phone"]
        elif name == "village_id":
            new = village_id
        elif name == "active":
            new = True
        else:
            new = facts[name]
        if old != new:
            changed.append((name, old, new))
    return changed


def _member_update(
    write: _Write, record: Record, existing: tuple[Any, ...], hh_id: int, village_id: int, county_id: int
) -> tuple[Any, ...] | None:
    """The update of an existing member (values for MEMBER_UPDATE_SET, then its id), its history and
    version change noted on `write`; None when nothing changed."""
    new_values = {
        "household_id": hh_id,
        "village_id": village_id,
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
    old_phone_token = existing[_MEMBER_AT["phone"]]
    changed: list[tuple[str, Any, Any]] = []
    versioned_changed = False
    for name in MEMBER_FIELDS:
        if name == "phone":
            if not old_phone_token and not record.member_phone:
                continue
            old = decrypt_text(old_phone_token, context=PHONE_CONTEXT) if old_phone_token else ""
        else:
            old = existing[_MEMBER_AT[name]]
        new = new_values[name]
        if old != new:
            changed.append((name, old, new))
            if name in VERSIONED:
                versioned_changed = True
    if not changed:
        write.outcome.unchanged += 1
        return None
    write.outcome.updated += 1
    for name, old, new in changed:
        if name == "phone":
            old, new = idnumbers.mask_phone(old) if old else "", idnumbers.mask_phone(new) if new else ""
        if name == "household_id":
            name, old, new = "household", existing[1], record.household_number
        write.change(county_id, hh_id, member_id, name, old, new)
    if versioned_changed:
        write.version_changes.append(
            (
                member_id,
                county_id,
                (hh_id, record.schooling, True, record.education, record.health, record.labour_skill),
            )
        )
    return (
        *[new_values[name] for name in MEMBER_UPDATE_FIELDS],
        *write.phone_pair(record.member_phone),
        write.now,
        member_id,
    )


def _leave_absent(
    write: _Write,
    member_existing: dict[tuple[int, str], tuple[Any, ...]],
    present: set[tuple[int, str]],
    rejected_present: set[str],
    covered: set[int],
) -> None:
    """Step 6 (--full): the active members of the covered villages that the file does not name
    leave the register; a household whose last member left leaves too (kept, marked inactive)."""
    m_table, hh_table = _table(Member), _table(Household)
    for (county_id, idx), existing in member_existing.items():
        if (county_id, idx) in present or idx in rejected_present or not existing[_MEMBER_AT["active"]]:
            continue
        if existing[_MEMBER_AT["village_id"]] not in covered:
            continue
        member_id, hh_id = existing[0], existing[_MEMBER_AT["household_id"]]
        write.outcome.deactivated += 1
        write.change(county_id, hh_id, member_id, "active", True, False)
        write.version_changes.append(
            (
                member_id,
                county_id,
                (
                    hh_id,
                    existing[_MEMBER_AT["schooling"]],
                    False,
                    existing[_MEMBER_AT["education"]],
                    existing[_MEMBER_AT["health"]],
                    existing[_MEMBER_AT["labour_skill"]],
                ),
            )
        )
    left = [(m, c, v) for m, c, v in write.version_changes if not v[2]]
    bulk_execute(
        f"UPDATE {m_table} SET active=FALSE, left_on=%s, left_reason=%s, updated_at=%s WHERE id=%s",  # noqa: S608
        [(write.as_of_db, LEFT_REASON_FULL, write.now, member_id) for member_id, _c, _v in left],
    )
    left_households = {v[0]: c for _m, c, v in left}
    still_active = set(
        Member.objects.filter(household_id__in=list(left_households), active=True).values_list(
            "household_id", flat=True
        )
    )
    emptied = [hh for hh in left_households if hh not in still_active]
    bulk_execute(
        f"UPDATE {hh_table} SET active=FALSE, updated_at=%s WHERE id=%s",  # noqa: S608
        [(write.now, hh) for hh in emptied],
    )
    for hh in emptied:
        write.change(left_households[hh], hh, None, "active", True, False)


def _write_history(write: _Write, same_day: set[int]) -> None:
    """Changed members close their open version (or, when it opened on this same date — `same_day`
    — rewrite it) and open a new one; then the field-by-field change rows. (New members' first
    versions are written with them.)"""
    v_table = _table(MemberVersion)
    as_of_db, now, actor_id = write.as_of_db, write.now, write.actor_id
    if write.version_changes:
        bulk_execute(
            f"UPDATE {v_table} SET valid_to=%s WHERE member_id=%s AND valid_to IS NULL AND valid_from < %s",  # noqa: S608
            [(as_of_db, m, as_of_db) for m, _c, _v in write.version_changes if m not in same_day],
        )
        bulk_execute(
            f"UPDATE {v_table} SET household_id=%s, schooling=%s, active=%s, education=%s, health=%s, "  # noqa: S608
            "labour_skill=%s, recorded_at=%s, recorded_by_id=%s WHERE member_id=%s AND valid_from=%s",
            [(*v, now, actor_id, m, as_of_db) for m, _c, v in write.version_changes if m in same_day],
        )
        write.version_rows.extend(
            (m, c, v[0], as_of_db, None, v[1], v[2], v[3], v[4], v[5], now, actor_id)
            for m, c, v in write.version_changes
            if m not in same_day
        )
    bulk_insert(v_table, VERSION_INSERT_COLUMNS, write.version_rows)
    bulk_insert(_table(RegistryChange), CHANGE_INSERT_COLUMNS, write.change_rows)


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
