from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from bangfu.areas.models import Area
from bangfu.areas.services import AreaLoadError, load_areas_csv
from bangfu.audit.models import AuditRecord

pytestmark = pytest.mark.django_db

HEADER = "code,name,level,parent_code,registered_poor\n"
TREE = HEADER + (
    "510000000000,四川省,province,,0\n"
    "513300000000,甘孜藏族自治州,prefecture,510000000000,0\n"
    "513325000000,测试县,county,513300000000,0\n"
    "513325100000,一镇,township,513325000000,0\n"
    "513325100200,一村,village,513325100000,1\n"
    "513325100201,二村,village,513325100000,0\n"
)


def test_it_loads_a_tree_and_is_idempotent() -> None:
    first = load_areas_csv(actor=None, data=TREE.encode())
    assert (first.created, first.updated, first.unchanged) == (6, 0, 0)
    village = Area.objects.get(code="513325100200")
    assert village.parent.code == "513325100000"
    assert village.registered_poor is True
    second = load_areas_csv(actor=None, data=TREE.encode())
    assert (second.created, second.updated, second.unchanged) == (0, 0, 6)
    assert Area.objects.count() == 6


def test_it_reads_gb18030_and_a_utf8_bom() -> None:
    load_areas_csv(actor=None, data=TREE.encode("gb18030"))
    assert Area.objects.get(code="513325100200").name == "一村"
    load_areas_csv(actor=None, data=b"\xef\xbb\xbf" + TREE.replace("一村", "新一村").encode())
    assert Area.objects.get(code="513325100200").name == "新一村"


def test_an_update_is_audited_with_before_and_after() -> None:
    load_areas_csv(actor=None, data=TREE.encode())
    load_areas_csv(
        actor=None, data=TREE.replace("二村,village,513325100000,0", "二村,village,513325100000,1").encode()
    )
    record = AuditRecord.objects.get(action="area.update")
    assert record.before["registered_poor"] is False
    assert record.after["registered_poor"] is True


def test_errors_name_their_line_and_nothing_is_saved() -> None:
    bad = TREE + (
        "51332510030,短代码,village,513325100000,0\n"  # line 8: 11 digits
        "513325100202,,village,513325100000,0\n"  # line 9: no name
        "513325100203,三村,hamlet,513325100000,0\n"  # line 10: bad level
        "513325100204,四村,village,513325999000,0\n"  # line 11: unknown parent
        "513325100000,重复,township,513325000000,0\n"  # line 12: duplicate of line 5
        "513325100000,一镇,township,513325000000,1\n"  # line 13: poor flag on township + dup
    )
    with pytest.raises(AreaLoadError) as exc:
        load_areas_csv(actor=None, data=bad.encode())
    messages = exc.value.messages
    assert messages[0].startswith("第8行：") and "12位数字" in messages[0]
    assert messages[1].startswith("第9行：") and "name 不能为空" in messages[1]
    assert messages[2].startswith("第10行：") and "hamlet" in messages[2]
    assert any(m.startswith("第11行：") and "513325999000 不存在" in m for m in messages)
    assert any(m.startswith("第12行：") and "与第5行重复" in m for m in messages)
    assert any(m.startswith("第13行：") and "只有行政村" in m for m in messages)
    assert Area.objects.count() == 0
    assert AuditRecord.objects.count() == 0


def test_a_code_outside_its_parents_range_is_refused() -> None:
    load_areas_csv(actor=None, data=TREE.encode())
    bad = HEADER + "513325200200,外村,village,513325100000,0\n"
    with pytest.raises(AreaLoadError) as exc:
        load_areas_csv(actor=None, data=bad.encode())
    assert exc.value.messages == ["第2行：代码 513325200200 不在上级 513325100000 的编码范围内。"]
    assert not Area.objects.filter(code="513325200200").exists()


def test_missing_columns_are_named() -> None:
    with pytest.raises(AreaLoadError) as exc:
        load_areas_csv(actor=None, data=b"code,name\n513325000000,x\n")
    assert "level, parent_code, registered_poor" in exc.value.messages[0]


def test_the_command_reports_errors_and_exits_nonzero(tmp_path: Path, capsys) -> None:
    path = tmp_path / "areas.csv"
    path.write_text(
        HEADER + "513325000000,测试县,county,,0\n513325100000,,township,513325000000,0\n", "utf-8"
    )
    with pytest.raises(CommandError):
        call_command("load_areas", str(path))
    assert "第3行" in capsys.readouterr().err
    assert Area.objects.count() == 0


def test_the_command_loads_a_file(tmp_path: Path, capsys) -> None:
    path = tmp_path / "areas.csv"
    path.write_text(TREE, "utf-8")
    call_command("load_areas", str(path))
    assert "新增6个" in capsys.readouterr().out
