"""The peer of the registry import (issue #21): django-import-export importing the same rows.

Used by `bench/registry_import.py` in a fresh child process whose Django is already set up and
whose database is prepared like the main import's. What a Django shop would write: the sheet read
with python-calamine into a `tablib.Dataset` (the bench file has a merged title row above its
header, which import-export's own XLSX format cannot skip), a `ModelResource` for `Member` with the
documented fast options (`use_bulk`, `batch_size`, `skip_diff`, `force_init_instance` since every
row is new), the households created in bulk in `before_import`, and the NOT NULL columns the file
does not carry (encrypted ID, blind index, masked ID, sex, birth date, county, village) computed per
row in `before_import_row` with bangfu's own helpers. One transaction, `dry_run=False`.

It writes less than bangfu's import: households get only their number and areas (not the
household columns), and no MemberVersion / RegistryChange rows. That favours the peer.

Needs the bench-only extra: `.venv/bin/pip install -e '.[bench]'`.
"""

from __future__ import annotations

import datetime
import time
from pathlib import Path
from typing import Any

TODAY = datetime.date(2020, 7, 15)
HEADER_ROW = 1  # the bench file: a merged title row, then the header (see bangfu.registry.sample)
# Member columns the sheet does not have: filled per row in `before_import_row` (stored forms of
# the ID number and phone, and what the ID number says).
COMPUTED = (
    "id_number_encrypted",
    "id_number_index",
    "id_number_masked",
    "sex",
    "birth_date",
    "phone_encrypted",
    "phone_masked",
)


def missing() -> str:
    """Why the peer cannot run here, or "" if it can."""
    try:
        import import_export  # noqa: F401
        import tablib  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed (bench-only extra: .venv/bin/pip install -e '.[bench]')"
    return ""


def read_dataset(path: Path) -> Any:
    """The sheet as a tablib.Dataset: python-calamine rows, header from the second row."""
    import tablib
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    header = [str(cell) for cell in rows[HEADER_ROW]]
    return tablib.Dataset(*(tuple(row) for row in rows[HEADER_ROW + 1 :]), headers=header)


def _member_resource() -> Any:
    """The ModelResource class (defined once Django is set up: it imports the models)."""
    from django.core.exceptions import ValidationError
    from import_export import fields, resources, widgets

    from bangfu.areas.models import Area, Level
    from bangfu.lib import idnumbers
    from bangfu.lib.crypto import blind_indexer, encryptor
    from bangfu.registry.models import Household, Member, Schooling

    encrypt_id = encryptor("registry.member.id_number")
    encrypt_phone = encryptor("registry.phone")
    index_id = blind_indexer("id_number")

    class CachedForeignKeyWidget(widgets.ForeignKeyWidget):
        """ForeignKeyWidget answering from a dict that before_import fills (no query per row)."""

        cache: dict[str, Any] = {}

        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            return self.cache.get(str(value)) if value else None

    class SchoolingWidget(widgets.CharWidget):
        """The file carries the label (小学 …); the model stores the value."""

        by_label = {str(label): value for value, label in Schooling.choices}

        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            return self.by_label.get(str(value or "").strip(), "")

    class MemberResource(resources.ModelResource):
        household = fields.Field(
            attribute="household",
            column_name="户编号",
            widget=CachedForeignKeyWidget(Household, field="number"),
        )
        number = fields.Field(attribute="number", column_name="人编号")
        name = fields.Field(attribute="name", column_name="姓名")
        relation = fields.Field(attribute="relation", column_name="与户主关系")
        ethnicity = fields.Field(attribute="ethnicity", column_name="民族")
        education = fields.Field(attribute="education", column_name="文化程度")
        schooling = fields.Field(attribute="schooling", column_name="在校生状况", widget=SchoolingWidget())
        health = fields.Field(attribute="health", column_name="健康状况")
        labour_skill = fields.Field(attribute="labour_skill", column_name="劳动技能")
        # Computed in before_import_row from the ID number / phone / areas.
        id_number_encrypted = fields.Field(attribute="id_number_encrypted", column_name="id_number_encrypted")
        id_number_index = fields.Field(attribute="id_number_index", column_name="id_number_index")
        id_number_masked = fields.Field(attribute="id_number_masked", column_name="id_number_masked")
        sex = fields.Field(attribute="sex", column_name="sex")
        birth_date = fields.Field(
            attribute="birth_date", column_name="birth_date", widget=widgets.DateWidget()
        )
        phone_encrypted = fields.Field(attribute="phone_encrypted", column_name="phone_encrypted")
        phone_masked = fields.Field(attribute="phone_masked", column_name="phone_masked")
        county_id = fields.Field(
            attribute="county_id", column_name="county_id", widget=widgets.IntegerWidget()
        )
        village_id = fields.Field(
            attribute="village_id", column_name="village_id", widget=widgets.IntegerWidget()
        )

        class Meta:
            model = Member
            fields = (
                "household",
                "number",
                "name",
                "relation",
                "ethnicity",
                "education",
                "schooling",
                "health",
                "labour_skill",
                *COMPUTED,
                "county_id",
                "village_id",
            )
            import_id_fields: tuple[str, ...] = ()
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            force_init_instance = True  # every row is new: no lookup per row
            use_transactions = True

        def before_import(self, dataset: Any, **kwargs: Any) -> None:
            """Create the file's households in bulk (number, county, village) and add the area
            columns the rows need."""
            county = Area.objects.get(code="513325000000")
            villages = {
                (v.parent.name, v.name): v.pk
                for v in Area.objects.filter(level=Level.VILLAGE, code__startswith="513325").select_related(
                    "parent"
                )
            }
            new: dict[str, Household] = {}
            village_of_row = []
            for township, village, number in zip(
                dataset["乡(镇)"], dataset["行政村"], dataset["户编号"], strict=True
            ):
                village_id = villages[(township, village)]
                village_of_row.append(village_id)
                if number not in new:
                    new[number] = Household(county=county, village_id=village_id, number=number)
            Household.objects.bulk_create(new.values(), batch_size=1000)
            # The resource deep-copies its fields: give this instance's widget the households.
            self.fields["household"].widget.cache = new
            dataset.append_col([county.pk] * len(dataset), header="county_id")
            dataset.append_col(village_of_row, header="village_id")
            for header in COMPUTED:
                dataset.append_col([""] * len(dataset), header=header)

        def before_import_row(self, row: Any, **kwargs: Any) -> None:
            try:
                info = idnumbers.validate(row["证件号码"], today=TODAY)
            except idnumbers.IdNumberError as exc:
                raise ValidationError(str(exc)) from None
            row["id_number_encrypted"] = encrypt_id(info.number)
            row["id_number_index"] = index_id(info.number)
            row["id_number_masked"] = idnumbers.mask(info.number)
            row["sex"] = info.sex
            row["birth_date"] = info.birth_date
            phone = str(row["家庭成员联系电话"] or "")
            row["phone_encrypted"] = encrypt_phone(phone) if phone else ""
            row["phone_masked"] = idnumbers.mask_phone(phone) if phone else ""

    return MemberResource


def run(path: Path, rows: int) -> dict[str, Any]:
    """Read and import `path` (already cut to `rows` rows) through import-export; the figures."""
    from bangfu.registry.models import Household, Member

    resource = _member_resource()()
    before = Member.objects.count(), Household.objects.count()
    started = time.perf_counter()
    dataset = read_dataset(path)
    read_wall = time.perf_counter() - started
    result = resource.import_data(dataset, dry_run=False, use_transactions=True, raise_errors=False)
    wall = time.perf_counter() - started
    errors = [str(error.error) for error in result.base_errors][:3] + [
        f"row {row}: {errors[0].error}" for row, errors in result.row_errors()[:3]
    ]
    invalid = [f"row {r.number}: {r.error}" for r in result.invalid_rows[:3]]
    return {
        "rows": len(dataset),
        "wall": round(wall, 3),
        "read_wall": round(read_wall, 3),
        "totals": {key: value for key, value in result.totals.items() if value},
        "invalid": len(result.invalid_rows),
        "errors": errors + invalid,
        "members_written": Member.objects.count() - before[0],
        "households_written": Household.objects.count() - before[1],
        "expected": rows,
    }
