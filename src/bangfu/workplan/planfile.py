"""Read and validate a plan YAML file into plain data. Every error names its YAML path
(e.g. `sections[0].tasks[1].responsible_units[3]`); nothing is written here.

Every key must be one the loader knows, and no value may have been cut: in a flow mapping
(`{quarters: [1], title: 积极对接,争取…}`) YAML ends a plain value at an ASCII comma and reads the
rest as another key; both are refused with the file's line. Plan text (titles, descriptions,
schedules) is stored with full-width punctuation between Chinese characters (，：；（）).

Unit names resolve against the county's organisations: first through the file's `aliases`
(written name → organisation name), then by exact organisation name. Two groups expand:
- 各乡(镇) / 各乡镇 → every township organisation of the county (org_type "township");
- 全县各单位 → every county-level unit: admin level "county", located in the county, of type
  party/government, public institution, people's organisation or financial institution.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from bangfu.lib import sheets
from bangfu.lib.indicators import all_owner_selectors
from bangfu.lib.milestones import all_rules
from bangfu.lib.officialdoc import fullwidth
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


# The keys each level of the file may have; anything else is refused (a typo, or a cut value).
ROOT_KEYS = {"year", "title", "goals", "scope", "aliases", "sections", "safeguards"}
SECTION_KEYS = {"code", "title", "text", "tasks"}
SAFEGUARD_KEYS = {"code", "title", "text"}
TASK_KEYS = {
    "code",
    "title",
    "description",
    "lead_units",
    "responsible_units",
    "schedule",
    "milestones",
    "indicators",
}
MILESTONE_KEYS = {"quarters", "title", "due", "rule"}
INDICATOR_KEYS = {"key", "label", "unit", "target", "computed", "kind", "owners"}
# `owners:` of an indicator besides a registered owner selector (bangfu.lib.indicators).
OWNER_WORDS = {"responsible": "", "lead": "lead", "none": "none"}
RULE_RE = re.compile(r"^[a-z_]+\.[a-z0-9_]+$")


def _is_cjk(char: str) -> bool:
    return bool(char) and (ord(char) >= 0x2E80 or char in "“”‘’")


class PlanFileError(Exception):
    """Every problem found, as "yaml.path: message"; `lines` holds each one's line in the file
    (None when unknown), so the command prints file:line: path: message."""

    def __init__(self, errors: list[str], lines: list[int | None] | None = None) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors
        self.lines = lines if lines is not None else [None] * len(errors)

    def located(self, name: str) -> list[str]:
        return [
            f"{name}:{line}: {error}" if line else f"{name}: {error}"
            for error, line in zip(self.errors, self.lines, strict=True)
        ]


def _index_lines(text: str) -> tuple[dict[str, int], dict[str, tuple[int, str, str]]]:
    """The line (1-based) of every YAML path of the document, and the flow-mapping keys that are
    the tail of a value cut at an ASCII comma: path → (line, cut value's key, the tail)."""
    lines: dict[str, int] = {}
    cuts: dict[str, tuple[int, str, str]] = {}
    root = yaml.compose(text, Loader=yaml.SafeLoader)

    def walk(node: yaml.Node, path: str) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            previous: tuple[str, yaml.Node] | None = None
            for key_node, value_node in node.value:
                key = str(key_node.value)
                child = f"{path}.{key}" if path else key
                lines[child] = key_node.start_mark.line + 1
                if not path:
                    lines[f"$.{key}"] = key_node.start_mark.line + 1
                is_tail = (
                    node.flow_style
                    and previous is not None
                    and isinstance(previous[1], yaml.ScalarNode)
                    and previous[1].style is None
                    and isinstance(key_node, yaml.ScalarNode)
                    and key_node.style is None
                    and isinstance(value_node, yaml.ScalarNode)
                    and value_node.tag == "tag:yaml.org,2002:null"
                    and value_node.value == ""
                    and any(_is_cjk(c) for c in key)
                )
                if is_tail and previous is not None:
                    cuts[child] = (key_node.start_mark.line + 1, previous[0], key)
                else:
                    previous = (key, value_node)
                walk(value_node, child)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, f"{path}[{i}]")

    if root is not None:
        walk(root, "")
    return lines, cuts


@dataclass
class MilestoneSpec:
    quarter: int
    title: str
    due_date: date
    rule: str = ""


@dataclass
class IndicatorSpec:
    key: str
    label: str
    unit: str
    target: Decimal | None
    computed_name: str
    kind: str = ""  # "stock" or "flow" for a typed figure; a computed one takes its source's
    owners: str = ""  # who it is scored for: "" (responsible units), "lead", "none" or a selector


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
    def __init__(
        self,
        organisations: list[Organisation],
        county_prefix: str,
        lines: dict[str, int] | None = None,
        cuts: dict[str, tuple[int, str, str]] | None = None,
    ) -> None:
        self.errors: list[str] = []
        self.error_lines: list[int | None] = []
        self.lines = lines or {}
        self.cuts = cuts or {}
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

    def line_of(self, path: str) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return None

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")
        self.error_lines.append(self.line_of(path))

    def known(self, node: dict[str, Any], path: str, allowed: set[str]) -> None:
        """Refuse keys the loader does not know, and the tail of a value cut at an ASCII comma."""
        base = "" if path == "$" else path
        for key in node:
            if str(key) in allowed:
                continue
            where = f"{base}.{key}" if base else str(key)
            cut = self.cuts.get(where)
            if cut is not None:
                _line, cut_key, tail = cut
                self.error(
                    f"{base}.{cut_key}" if base else cut_key,
                    _(
                        "值在半角逗号处被截断（“%(tail)s”被读成了另一个键）：请改用块格式书写，"
                        "或给整个值加引号。"
                    )
                    % {"tail": tail},
                )
                continue
            self.error(
                where,
                _("未知的键「%(key)s」；可用的键：%(allowed)s。")
                % {"key": key, "allowed": "、".join(sorted(allowed))},
            )

    def prose(self, node: dict[str, Any], key: str, path: str, *, required: bool, max_length: int = 0) -> str:
        """Plan text, stored with full-width punctuation between Chinese characters."""
        return fullwidth(self.text(node, key, path, required=required, max_length=max_length))

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
            self.known(item, where, MILESTONE_KEYS)
            title = self.prose(item, "title", where, required=True, max_length=300)
            rule = self.text(item, "rule", where, required=False, max_length=80)
            if rule and not RULE_RE.match(rule):
                self.error(f"{where}.rule", _("规则名应形如 app.rule。"))
                rule = ""
            elif rule and rule not in all_rules():
                self.error(f"{where}.rule", _("未知的进度节点规则「%(rule)s」。") % {"rule": rule})
                rule = ""
            due = item.get("due")
            if due is not None and (not isinstance(due, date) or isinstance(due, datetime)):
                self.error(f"{where}.due", _("完成时限应为日期，如 2020-10-17。"))
                due = None
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
                end = date(year, month, day)
                if due is not None:
                    start = date(year, month - 2, 1)
                    if len(quarters) != 1 or not start <= due <= end:
                        self.error(f"{where}.due", _("完成时限应落在该节点唯一的季度之内。"))
                        continue
                    end = due
                out.append(MilestoneSpec(quarter, title, end, rule))
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
            self.known(item, where, INDICATOR_KEYS)
            key = self.text(item, "key", where, required=True)
            if key and not KEY_RE.match(key):
                self.error(f"{where}.key", _("只能由小写字母、数字和下划线组成。"))
            elif key in keys:
                self.error(f"{where}.key", _("指标标识「%(key)s」重复。") % {"key": key})
            keys.add(key)
            label = self.prose(item, "label", where, required=True, max_length=120)
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
            kind = self.text(item, "kind", where, required=False, max_length=8)
            if kind and kind not in ("stock", "flow"):
                self.error(f"{where}.kind", _("指标类型应为 stock（期末数）或 flow（累计数）。"))
                kind = ""
            owners = self.text(item, "owners", where, required=False, max_length=80)
            if owners in OWNER_WORDS:
                owners = OWNER_WORDS[owners]
            elif owners and owners not in all_owner_selectors():
                self.error(
                    f"{where}.owners",
                    _("未知的考核对象「%(owners)s」；可用：responsible、lead、none 或 %(known)s。")
                    % {"owners": owners, "known": "、".join(all_owner_selectors())},
                )
                owners = ""
            out.append(IndicatorSpec(key, label, unit, target, computed, kind, owners))
        return out

    def task(self, node: Any, path: str, year: int, codes: set[str]) -> TaskSpec | None:
        if not isinstance(node, dict):
            self.error(path, _("应为键值对。"))
            return None
        self.known(node, path, TASK_KEYS)
        code = self.text(node, "code", path, required=True, max_length=12)
        if code and not CODE_RE.match(code):
            self.error(f"{path}.code", _("任务编号应形如 3.1.1。"))
        elif code in codes:
            self.error(f"{path}.code", _("任务编号「%(code)s」重复。") % {"code": code})
        codes.add(code)
        title = self.prose(node, "title", path, required=True, max_length=200)
        lead_text, lead_ids = self.units(node, "lead_units", path)
        resp_text, resp_ids = self.units(node, "responsible_units", path)
        return TaskSpec(
            code=code,
            title=title,
            description=self.prose(node, "description", path, required=False),
            schedule=self.prose(node, "schedule", path, required=False),
            lead_units_text=fullwidth(lead_text)[:300],  # shown as written, in full-width punctuation
            responsible_units_text=fullwidth(resp_text)[:300],
            lead_unit_ids=lead_ids,
            responsible_unit_ids=resp_ids,
            milestones=self.milestones(node, path, year),
            indicators=self.indicators(node, path),
        )

    def plan(self, root: Any) -> PlanSpec | None:
        if not isinstance(root, dict):
            self.error("$", _("文件顶层应为键值对。"))
            return None
        self.known(root, "$", ROOT_KEYS)
        year = root.get("year")
        if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
            self.error("year", _("年度应为四位数年份。"))
            year = 2000
        title = self.prose(root, "title", "$", required=True, max_length=200)
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
            self.known(node, path, SECTION_KEYS)
            code = self.text(node, "code", path, required=True, max_length=12)
            if code in section_codes:
                self.error(f"{path}.code", _("章节编号「%(code)s」重复。") % {"code": code})
            section_codes.add(code)
            section = SectionSpec(
                "key_work",
                code,
                self.prose(node, "title", path, required=True, max_length=200),
                self.prose(node, "text", path, required=False),
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
            self.known(node, path, SAFEGUARD_KEYS)
            code = self.text(node, "code", path, required=True, max_length=12)
            if code in section_codes:
                self.error(f"{path}.code", _("章节编号「%(code)s」重复。") % {"code": code})
            section_codes.add(code)
            sections.append(
                SectionSpec(
                    "safeguard",
                    code,
                    self.prose(node, "title", path, required=True, max_length=200),
                    self.prose(node, "text", path, required=False),
                )
            )
        return PlanSpec(
            year=year,
            title=title,
            goals=self.prose(root, "goals", "$", required=False),
            scope=self.prose(root, "scope", "$", required=False),
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
        raise PlanFileError(
            [f"{where}: " + _("YAML 格式错误：%(problem)s") % {"problem": exc}],
            [mark.line + 1 if mark is not None else None],
        ) from None
    except RecursionError:
        raise PlanFileError(["$: " + _("YAML 嵌套层次过深。")]) from None
    lines, cuts = _index_lines(text)
    reader = _Reader(organisations, county_prefix, lines, cuts)
    spec = reader.plan(root)
    if reader.errors or spec is None:
        raise PlanFileError(reader.errors, reader.error_lines)
    return spec
