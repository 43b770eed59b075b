"""Writes to the area tree: the CSV loader (`bangfu load-areas`) and flag changes."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role, User
from bangfu.accounts.scopes import area_prefix, require_actor_in
from bangfu.areas.models import LEVEL_ORDER, PARENT_LEVEL, PREFIX_LENGTH, Area, Level, level_of_code
from bangfu.audit.services import record_audit
from bangfu.lib import sheets

CSV_COLUMNS = ("code", "name", "level", "parent_code", "registered_poor")
_LEVEL_ALIASES = {
    **{level.value: level for level in Level},
    "省": Level.PROVINCE,
    "市": Level.PREFECTURE,
    "州": Level.PREFECTURE,
    "市（州）": Level.PREFECTURE,
    "县": Level.COUNTY,
    "乡": Level.TOWNSHIP,
    "镇": Level.TOWNSHIP,
    "乡镇": Level.TOWNSHIP,
    "乡（镇）": Level.TOWNSHIP,
    "村": Level.VILLAGE,
    "行政村": Level.VILLAGE,
}
_TRUE = {"1", "true", "yes", "y", "是", "t"}
_FALSE = {"", "0", "false", "no", "n", "否", "f"}


@dataclass
class AreaLoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class _Row:
    line: int
    code: str
    name: str
    level: Level
    parent_code: str
    registered_poor: bool


def _line_error(line: int, message: str) -> tuple[int, str]:
    return line, _("第%(line)d行：%(message)s") % {"line": line, "message": message}


def _parse_rows(text: str) -> tuple[list[_Row], list[tuple[int, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        return [], [_line_error(1, _("缺少列 %(cols)s。") % {"cols": ", ".join(missing)})]
    reader.fieldnames = header
    rows: list[_Row] = []
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for line, raw in enumerate(reader, start=2):
        cells = {k: (v or "").strip() for k, v in raw.items() if k}
        if not any(cells.values()):
            continue
        code, name = cells["code"], cells["name"]
        problems = []
        if not (code.isdigit() and len(code) == 12):
            problems.append(_("code 必须是12位数字统计用区划代码，实为“%(v)s”") % {"v": code})
        if not name:
            problems.append(_("name 不能为空"))
        level = _LEVEL_ALIASES.get(cells["level"].lower())
        if level is None:
            problems.append(_("level “%(v)s”无效，应为 county/township/village 等") % {"v": cells["level"]})
        elif not problems and level_of_code(code) != level:
            problems.append(
                _("code %(code)s 是%(actual)s级代码，与 level “%(level)s”不符")
                % {"code": code, "actual": level_of_code(code).label, "level": cells["level"]}
            )
        flag = cells["registered_poor"].lower()
        if flag not in _TRUE | _FALSE:
            problems.append(_("registered_poor “%(v)s”无效，应为 0 或 1") % {"v": cells["registered_poor"]})
        elif flag in _TRUE and level is not None and level != Level.VILLAGE:
            problems.append(_("只有行政村可以标记为建档立卡贫困村"))
        if code in seen:
            problems.append(_("code %(code)s 与第%(line)d行重复") % {"code": code, "line": seen[code]})
        if problems:
            errors.append(_line_error(line, "；".join(problems) + "。"))
            continue
        assert level is not None
        seen[code] = line
        rows.append(_Row(line, code, name, level, cells["parent_code"], flag in _TRUE))
    return rows, errors


@transaction.atomic
def load_areas_csv(*, actor: User | None, data: bytes) -> AreaLoadResult:
    """Create or update areas from CSV `code,name,level,parent_code,registered_poor`.

    Idempotent by code. Every line is checked first; if any line is wrong, nothing is saved and
    the result lists every problem with its line number."""
    require_actor_in(actor, None, Role.COUNTY_ADMIN)
    try:
        text = sheets.decode_text(data, name="areas.csv", max_bytes=sheets.limits("upload").max_bytes)
    except sheets.SheetRefused as exc:
        raise AreaLoadError([str(exc)]) from None
    rows, errors = _parse_rows(text)
    reach = area_prefix(actor) if actor is not None else None
    if actor is not None:
        for row in rows:
            if reach is None or not row.code.startswith(reach):
                errors.append(
                    _line_error(row.line, _("区划 %(code)s 超出您的权限范围。") % {"code": row.code})
                )
    result = AreaLoadResult()
    existing = {a.code: a for a in Area.objects.filter(code__in=[r.code for r in rows])}
    parent_codes = {r.parent_code for r in rows if r.parent_code}
    known_parents = {a.code: a for a in Area.objects.filter(code__in=parent_codes)}
    in_file = {r.code: r for r in rows}
    for row in rows:
        expected_parent = PARENT_LEVEL.get(row.level)
        if expected_parent is None:
            if row.parent_code:
                errors.append(_line_error(row.line, _("省级区划不能有上级。")))
            continue
        if not row.parent_code:
            if row.level != Level.COUNTY:
                errors.append(_line_error(row.line, _("parent_code 不能为空。")))
            continue
        parent_level = (
            in_file[row.parent_code].level
            if row.parent_code in in_file
            else (Level(known_parents[row.parent_code].level) if row.parent_code in known_parents else None)
        )
        if parent_level is None:
            errors.append(_line_error(row.line, _("上级区划 %(code)s 不存在。") % {"code": row.parent_code}))
        elif parent_level != expected_parent:
            errors.append(
                _line_error(
                    row.line,
                    _("上级 %(code)s 是%(level)s级，%(own)s的上级应是%(expected)s级。")
                    % {
                        "code": row.parent_code,
                        "level": parent_level.label,
                        "own": row.level.label,
                        "expected": expected_parent.label,
                    },
                )
            )
        elif not row.code.startswith(row.parent_code[: PREFIX_LENGTH[parent_level]]):
            errors.append(
                _line_error(
                    row.line,
                    _("代码 %(code)s 不在上级 %(parent)s 的编码范围内。")
                    % {"code": row.code, "parent": row.parent_code},
                )
            )
    if errors:
        raise AreaLoadError([message for _line, message in sorted(errors, key=lambda e: e[0])])

    # Parents first, so every row can point at an existing parent.
    for row in sorted(rows, key=lambda r: LEVEL_ORDER.index(r.level)):
        parent = None
        if row.parent_code:
            parent = known_parents.get(row.parent_code) or Area.objects.get(code=row.parent_code)
        area = existing.get(row.code)
        if area is None:
            area = Area.objects.create(
                code=row.code,
                name=row.name,
                level=row.level,
                parent=parent,
                registered_poor=row.registered_poor,
            )
            known_parents[area.code] = area
            result.created += 1
            continue
        known_parents[area.code] = area
        before = {
            "name": area.name,
            "parent": area.parent.code if area.parent else None,
            "registered_poor": area.registered_poor,
            "level": area.level,
        }
        after = {
            "name": row.name,
            "parent": row.parent_code or None,
            "registered_poor": row.registered_poor,
            "level": row.level.value,
        }
        if before == after:
            result.unchanged += 1
            continue
        area.name, area.parent, area.registered_poor, area.level = (
            row.name,
            parent,
            row.registered_poor,
            row.level,
        )
        area.save(update_fields=["name", "parent", "registered_poor", "level", "updated_at"])
        record_audit(
            actor=actor,
            action="area.update",
            target=area,
            before=before,
            after=after,
            county=area,
        )
        result.updated += 1
    if result.created:
        record_audit(
            actor=actor,
            action="area.load",
            target_type="areas.area",
            after={"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
            county=Area.objects.filter(code=rows[0].code).first() if rows else None,
        )
    return result


class AreaLoadError(ValidationError):
    """The CSV had problems; `messages` lists them, each naming its line."""


@transaction.atomic
def set_registered_poor(*, actor: User, area: Area, registered_poor: bool) -> Area:
    require_actor_in(actor, area, Role.COUNTY_ADMIN)
    if area.level != Level.VILLAGE:
        raise ValidationError(_("只有行政村可以标记为建档立卡贫困村。"))
    if area.registered_poor != registered_poor:
        before = {"registered_poor": area.registered_poor}
        area.registered_poor = registered_poor
        area.save(update_fields=["registered_poor", "updated_at"])
        record_audit(
            actor=actor,
            action="area.set_registered_poor",
            target=area,
            before=before,
            after={"registered_poor": registered_poor},
            county=area,
        )
    return area


CHILD_LEVEL = {Level.COUNTY: Level.TOWNSHIP, Level.TOWNSHIP: Level.VILLAGE}
# Codes of created areas, per the NBS rules: townships take the first free segment of 400-599
# (township-like units), villages of 500-597 (village-committee-like units).
NEW_SEGMENTS = {Level.TOWNSHIP: range(400, 600), Level.VILLAGE: range(500, 598)}


@transaction.atomic
def create_area(*, actor: User | None, parent: Area, name: str) -> Area:
    """Create a township under a county or a village under a township (a registry import meets a
    unit the area tree does not have yet), with the next free code of its level."""
    require_actor_in(actor, parent, Role.COUNTY_ADMIN)
    level = CHILD_LEVEL.get(Level(parent.level))
    name = name.strip()
    if level is None:
        raise ValidationError({"parent": _("只能在县下建乡镇、在乡镇下建行政村。")})
    if not name:
        raise ValidationError({"name": _("名称不能为空。")})
    start, end = (6, 9) if level == Level.TOWNSHIP else (9, 12)
    used = {code[start:end] for code in Area.objects.filter(parent=parent).values_list("code", flat=True)}
    segment = next((f"{n:03d}" for n in NEW_SEGMENTS[level] if f"{n:03d}" not in used), None)
    if segment is None:
        raise ValidationError({"parent": _("%(name)s 下已没有可用的区划代码。") % {"name": parent.name}})
    code = (parent.code[:start] + segment).ljust(12, "0")
    area = Area.objects.create(code=code, name=name, level=level, parent=parent)
    record_audit(
        actor=actor,
        action="area.create",
        target=area,
        after={"code": code, "name": name, "level": level.value, "parent": parent.code},
        county=parent,
    )
    return area
