"""A large file is read and parsed in a child process while the parent writes (bangfu.registry.
reading): the import is the same as read in one process, and a problem the child meets still
refuses the file with nothing written."""

from __future__ import annotations

import copy

import pytest

from bangfu.registry import reading
from bangfu.registry.importer import FileProblem
from bangfu.registry.models import Household, Member, MemberVersion
from bangfu.registry.sample import generate_rows
from bangfu.registry.services import import_registry

from .conftest import AS_OF, RANBU, ZHUOGA, csv_file, xlsx_file


@pytest.fixture
def children(monkeypatch):
    """Every file goes through the reader process; the list counts the times it did."""
    started = []
    real = reading._in_child

    def in_child(*args):  # type: ignore[no-untyped-def]
        started.append(True)
        return real(*args)

    monkeypatch.setattr(reading, "READER_PROCESS_MIN_BYTES", 0)
    monkeypatch.setattr(reading, "_in_child", in_child)
    return started


def _rows():
    rows = copy.deepcopy(generate_rows([RANBU, ZHUOGA], households=6, seed=21))
    rows[9]["id_number"] = rows[2]["id_number"]  # a duplicate two windows later
    rows[4]["schooling"] = "大学"  # rejected on the per-row path
    # the head of the first household comes last: the household's facts are the head's
    rows.append(rows.pop(0))
    return rows


def test_a_file_read_in_the_child_imports_as_in_one_process(demo, tmp_path, children, monkeypatch):
    path = xlsx_file(tmp_path, _rows())
    monkeypatch.setattr(reading, "READER_PROCESS_MIN_BYTES", 1 << 40)
    alone = import_registry(actor=None, path=path, as_of=AS_OF, chunk_rows=3, dry_run=True)
    assert children == []
    monkeypatch.setattr(reading, "READER_PROCESS_MIN_BYTES", 0)
    with_child = import_registry(actor=None, path=path, as_of=AS_OF, chunk_rows=3)
    assert children == [True]
    assert [(e.row, e.reason) for e in with_child.errors] == [(e.row, e.reason) for e in alone.errors]
    assert with_child.warning_messages == alone.warning_messages
    counts = ("rows", "accepted", "rejected", "created", "households")
    assert [getattr(with_child, c) for c in counts] == [getattr(alone, c) for c in counts]
    assert with_child.rejected == 2 and "重复" in with_child.errors[1].reason
    assert Member.objects.count() == MemberVersion.objects.count() == with_child.accepted
    assert Household.objects.count() == with_child.households


def test_a_problem_the_child_meets_refuses_the_file_and_writes_nothing(demo, tmp_path, children, settings):
    rows = generate_rows([RANBU], households=5, seed=4)
    path = csv_file(tmp_path, rows)
    # A row far wider than the limit, after the first windows were written.
    path.write_bytes(path.read_bytes() + ("x," * 300 + "\n").encode())
    settings.SHEET_LIMITS = {
        **settings.SHEET_LIMITS,
        "registry": {**settings.SHEET_LIMITS["registry"], "max_columns": 200},
    }
    before = (Member.objects.count(), Household.objects.count(), MemberVersion.objects.count())
    with pytest.raises(FileProblem, match="超过上限200列"):
        import_registry(actor=None, path=path, as_of=AS_OF, chunk_rows=2)
    assert children == [True]
    assert (Member.objects.count(), Household.objects.count(), MemberVersion.objects.count()) == before
