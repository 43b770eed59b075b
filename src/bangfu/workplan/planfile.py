"""Read and validate a plan YAML file into plain data. Every error names its YAML path
(e.g. `sections[0].tasks[1].responsible_units[3]`); nothing is written here.

Unit names resolve against the county's organisations: first through the file's `aliases`
(written name → organisation name), then by exact organisation name. Two groups expand:
- 各乡(镇) / 各乡镇 → every township organisation of the county (org_type "township");
- 全县各单位 → every county-level unit: admin level "county", located in the county, of type
  party/government, public institution, people's organisation or financial institution.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from bangfu.lib import sheets
from bangfu.partners.models import AdminLevel, Organisation, OrgType

SHIPPED_2020 = Path(__file__).resolve().parent / "plans" / "2020-social-assistance.yaml"

TOWNSHIP_GROUPS = ("各乡(镇)", "各乡镇", "各乡（镇）")
ALL_COUNTY_UNITS = "全县各单位"
COUNTY_UNIT_TYPES = (
    OrgType.PARTY_GOVERNMENT,
    OrgType.PUBLIC_INSTITUTION,
    OrgType.PEOPLES_ORGANISATION,
    OrgType.FINANCIAL,
)
CODE_RE = re.compile(r"^[0-9]+(\.[0-9]+)*$")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}
# A plan is a few hundred lines; anything far larger is not a plan.
MAX_PLAN_BYTES = 2 * 1024 * 1024


class PlanFileError(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class MilestoneSpec:
    quarter: int
    title: str
    due_date: date


@dataclass
class IndicatorSpec:
    key: str
    label: str
    unit: str
    target: Decimal | None
    computed_name: str


@dataclass
class TaskSpec:
    code: str
    title: str
    description: str
    schedule: str
    lead_units_text: str
    responsible_units_text: str
    lead_unit_ids: list[int]
    responsible_unit_ids: list[int]
    milestones: list[MilestoneSpec] = field(default_factory=list)
    indicators: list[IndicatorSpec] = field(default_factory=list)


@dataclass
class SectionSpec:
    kind: str
    code: str
    title: str
    text: str
    tasks: list[TaskSpec] = field(default_factory=list)


@dataclass
class PlanSpec:
    year: int
    title: str
    goals: str
    scope: str
    sections: list[SectionSpec]

    @property
    def tasks(self) -> list[TaskSpec]:
        return [t for s in self.sections for t in s.tasks]


class _Reader:
    def __init__(self, organisations: list[Organisation], county_prefix: str) -> None:
        self.errors: list[str] = []
        self.by_name = {o.name: o for o in organisations}
        self.townships = [o.pk for o in organisations if o.org_type == OrgType.TOWNSHIP]
        self.county_units = [
            o.pk
            for o in organisations
            if o.admin_level == AdminLevel.COUNTY
            and o.org_type in COUNTY_UNIT_TYPES
            and not o.region
            and (o.area is None or o.area.code.startswith(county_prefix))
        ]
        self.aliases: dict[str, str] = {}

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")

    def text(self, node: dict[str, Any], key: str, path: str, *, required: bool, max_length: int = 0) -> str:
        value = node.get(key)
        if value is None or value == "":
            if required:
                self.error(f"{path}.{key}", _("必填。"))
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.error(f"{path}.{key}", _("应为文本。"))
            return ""
        text = str(value).strip()
        if max_length and len(text) > max_length:
            self.error(f"{path}.{key}", _("过长（最多 %(n)s 个字符）。") % {"n": max_length})
        return text

    def units(self, node: dict[str, Any], key: str, path: str) -> tuple[str, list[int]]:
        names = node.get(key)
        if names is None:
            self.error(f"{path}.{key}", _("必填。"))
            return "", []
        if not isinstance(names, list) or not names:
            self.error(f"{path}.{key}", _("应为单位名称列表。"))
            return "", []
        ids: list[int] = []
        written: list[str] = []
        for i, name in enumerate(names):
            where = f"{path}.{key}[{i}]"
            if not isinstance(name, str) or not name.strip():
                self.error(where, _("应为单位名称。"))
                continue
            name = name.strip()
            written.append(name)
            if name in TOWNSHIP_GROUPS:
                ids.extend(self.townships)
                continue
            if name == ALL_COUNTY_UNITS:
                ids.extend(self.county_units)
                continue
            org = self.by_name.get(self.aliases.get(name, name))
            if org is None:
                self.error(where, _("未知单位「%(name)s」：本县没有该名称的单位。") % {"name": name})
                continue
            ids.append(org.pk)
        unique = list(dict.fromkeys(ids))
        return "、".join(written), unique

    def milestones(self, node: dict[str, Any], path: str, year: int) -> list[MilestoneSpec]:
        items = node.get("milestones") or []
        if not isinstance(items, list):
            self.error(f"{path}.milestones", _("应为列表。"))
            return []
        out: list[MilestoneSpec] = []
        seen: set[tuple[int, str]] = set()
        for i, item in enumerate(items):
            where = f"{path}.milestones[{i}]"
            if not isinstance(item, dict):
                self.error(where, _("应为键值对。"))
                continue
            title = self.text(item, "title", where, required=True, max_length=300)
            quarters = item.get("quarters")
            if not isinstance(quarters, list) or not quarters:
                self.error(f"{where}.quarters", _("应为季度列表，如 [1, 2]。"))
                continue
            for j, quarter in enumerate(quarters):
                if not isinstance(quarter, int) or isinstance(quarter, bool) or not 1 <= quarter <= 4:
                    self.error(f"{where}.quarters[{j}]", _("季度应为 1 至 4。"))
                    continue
                if (quarter, title) in seen:
                    self.error(f"{where}.quarters[{j}]", _("重复的进度节点。"))
                    continue
                seen.add((quarter, title))
                month, day = QUARTER_END[quarter]
                out.append(MilestoneSpec(quarter, title, date(year, month, day)))
        return out

    def indicators(self, node: dict[str, Any], path: str) -> list[IndicatorSpec]:
        items = node.get("indicators") or []
        if not isinstance(items, list):
            self.error(f"{path}.indicators", _("应为列表。"))
            return []
        out: list[IndicatorSpec] = []
        keys: set[str] = set()
        for i, item in enumerate(items):
            where = f"{path}.indicators[{i}]"
            if not isinstance(item, dict):
                self.error(where, _("应为键值对。"))
                continue
            key = self.text(item, "key", where, required=True)
            if key and not KEY_RE.match(key):
                self.error(f"{where}.key", _("只能由小写字母、数字和下划线组成。"))
            elif key in keys:
                self.error(f"{where}.key", _("指标标识「%(key)s」重复。") % {"key": key})
            keys.add(key)
            label = self.text(item, "label", where, required=True, max_length=120)
            unit = self.text(item, "unit", where, required=False, max_length=12)
            computed = self.text(item, "computed", where, required=False, max_length=80)
            if computed and not re.match(r"^[a-z_]+\.[a-z0-9_]+$", computed):
                self.error(f"{where}.computed", _("计算来源应形如 app.figure。"))
            target: Decimal | None = None
            raw = item.get("target")
            if raw is not None:
                try:
                    target = Decimal(str(raw))
                except InvalidOperation:
                    self.error(f"{where}.target", _("目标值应为数字。"))
                else:
                    if not target.is_finite() or target < 0:
                        self.error(f"{where}.target", _("目标值应为非负数。"))
                        target = None
            out.append(IndicatorSpec(key, label, unit, target, computed))
        return out

    def task(self, node: Any, path: str, year: int, codes: set[str]) -> TaskSpec | None:
        if not isinstance(node, dict):
            self.error(path, _("应为键值对。"))
            return None
        code = self.text(node, "code", path, required=True, max_length=12)
        if code and not CODE_RE.match(code):
            self.error(f"{path}.code", _("任务编号应形如 3.1.1。"))
        elif code in codes:
            self.error(f"{path}.code", _("任务编号「%(code)s」重复。") % {"code": code})
        codes.add(code)
        title = self.text(node, "title", path, required=True, max_length=200)
        lead_text, lead_ids = self.units(node, "lead_units", path)
        resp_text, resp_ids = self.units(node, "responsible_units", path)
        return TaskSpec(
            code=code,
            title=title,
            description=self.text(node, "description", path, required=False),
            schedule=self.text(node, "schedule", path, required=False),
            lead_units_text=lead_text[:300],
            responsible_units_text=resp_text[:300],
            lead_unit_ids=lead_ids,
            responsible_unit_ids=resp_ids,
            milestones=self.milestones(node, path, year),
            indicators=self.indicators(node, path),
        )

    def plan(self, root: Any) -> PlanSpec | None:
        if not isinstance(root, dict):
            self.error("$", _("文件顶层应为键值对。"))
            return None
        year = root.get("year")
        if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
            self.error("year", _("年度应为四位数年份。"))
            year = 2000
        title = self.text(root, "title", "$", required=True, max_length=200)
        aliases = root.get("aliases") or {}
        if not isinstance(aliases, dict):
            self.error("aliases", _("应为键值对（原文名称: 单位名称）。"))
            aliases = {}
        for written, name in aliases.items():
            if str(name) not in self.by_name:
                self.error(
                    f"aliases.{written}", _("未知单位「%(name)s」：本县没有该名称的单位。") % {"name": name}
                )
        self.aliases = {str(k): str(v) for k, v in aliases.items()}
        sections_node = root.get("sections")
        if not isinstance(sections_node, list) or not sections_node:
            self.error("sections", _("应为非空列表。"))
            sections_node = []
        sections: list[SectionSpec] = []
        section_codes: set[str] = set()
        task_codes: set[str] = set()
        for i, node in enumerate(sections_node):
            path = f"sections[{i}]"
            if not isinstance(node, dict):
                self.error(path, _("应为键值对。"))
                continue
            code = self.text(node, "code", path, required=True, max_length=12)
            if code in section_codes:
                self.error(f"{path}.code", _("章节编号「%(code)s」重复。") % {"code": code})
            section_codes.add(code)
            section = SectionSpec(
                "key_work",
                code,
                self.text(node, "title", path, required=True, max_length=200),
                self.text(node, "text", path, required=False),
            )
            tasks_node = node.get("tasks")
            if not isinstance(tasks_node, list) or not tasks_node:
                self.error(f"{path}.tasks", _("应为非空列表。"))
                tasks_node = []
            for j, task_node in enumerate(tasks_node):
                spec = self.task(task_node, f"{path}.tasks[{j}]", year, task_codes)
                if spec is not None:
                    section.tasks.append(spec)
            sections.append(section)
        safeguards = root.get("safeguards") or []
        if not isinstance(safeguards, list):
            self.error("safeguards", _("应为列表。"))
            safeguards = []
        for i, node in enumerate(safeguards):
            path = f"safeguards[{i}]"
            if not isinstance(node, dict):
                self.error(path, _("应为键值对。"))
                continue
            code = self.text(node, "code", path, required=True, max_length=12)
            if code in section_codes:
                self.error(f"{path}.code", _("章节编号「%(code)s」重复。") % {"code": code})
            section_codes.add(code)
            sections.append(
                SectionSpec(
                    "safeguard",
                    code,
                    self.text(node, "title", path, required=True, max_length=200),
                    self.text(node, "text", path, required=False),
                )
            )
        return PlanSpec(
            year=year,
            title=title,
            goals=self.text(root, "goals", "$", required=False),
            scope=self.text(root, "scope", "$", required=False),
            sections=sections,
        )


def read_plan(data: bytes, *, organisations: list[Organisation], county_prefix: str) -> PlanSpec:
    """Parse and validate; raise PlanFileError with every problem found."""
    try:
        text = sheets.decode_text(data, name="plan.yaml", max_bytes=MAX_PLAN_BYTES)
    except sheets.SheetRefused as exc:
        raise PlanFileError([str(exc)]) from None
    try:
        root = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "$"
        raise PlanFileError([f"{where}: " + _("YAML 格式错误：%(problem)s") % {"problem": exc}]) from None
    except RecursionError:
        raise PlanFileError(["$: " + _("YAML 嵌套层次过深。")]) from None
    reader = _Reader(organisations, county_prefix)
    spec = reader.plan(root)
    if reader.errors or spec is None:
        raise PlanFileError(reader.errors)
    return spec
