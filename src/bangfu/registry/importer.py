"""Reading and parsing national-system registry exports (one row per person).

This module is pure: it turns a file into header columns and parsed row records (or row errors).
Writing to the database is in `bangfu.registry.writer`; the service `import_registry` ties both.

Speed (docs/benchmarks.md "Registry import"): cells come from python-calamine (xlsx/xls/ods) or the
csv module; each row is parsed in one tight loop with dictionary look-ups; ID numbers are checked
by `bangfu.lib.idnumbers` (no python-stdnum per row; the address code is asked once per distinct
code, by the writer).
"""

from __future__ import annotations

import itertools
import operator
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from bangfu.lib import idnumbers, sheets
from bangfu.lib.money import CENT, MAX_AMOUNT, AmountError, parse_amount
from bangfu.registry.models import HouseholdAttribute, IdType, PovertyCause, Schooling

HEADER_SCAN_ROWS = 10

# canonical key → accepted header spellings (compared after `_header_key`).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "county": ("县", "县(市、区、旗)", "县(市、区)", "县(区)", "县(市)", "区县", "县名称", "县区"),
    "township": ("乡镇", "乡(镇)", "乡（镇）", "乡", "镇", "乡镇(街道)", "乡(镇、街道)", "乡镇名称"),
    "village": ("行政村", "村", "村名称", "行政村名称"),
    "household_number": ("户编号", "贫困户编号", "家庭编号"),
    "member_number": ("人编号", "人口编号", "成员编号", "个人编号"),
    "name": ("姓名", "成员姓名"),
    "id_number": ("证件号码", "身份证号", "身份证号码", "公民身份号码", "身份证件号码"),
    "id_type": ("证件类型",),
    "relation": ("与户主关系",),
    "ethnicity": ("民族",),
    "education": ("文化程度",),
    "schooling": ("在校生状况", "在校生情况", "在校学生"),
    "health": ("健康状况",),
    "labour_skill": ("劳动技能", "劳动能力"),
    "member_phone": ("家庭成员联系电话", "本人联系电话", "成员联系电话"),
    "household_phone": ("联系电话", "户联系电话", "户主联系电话"),
    "household_size": ("家庭人口数", "当前家庭人口数", "家庭人口"),
    "attribute": ("贫困户属性",),
    "main_cause": ("主要致贫原因",),
    "other_causes": ("其他致贫原因", "次要致贫原因"),
    "exit_year": ("脱贫年度", "脱贫年份"),
    "exit_flag": ("脱贫属性", "脱贫标志", "脱贫标识", "是否脱贫", "脱贫状态"),
    "monitored": ("是否监测户", "是否监测对象", "是否为监测对象"),
    "monitoring_category": ("监测对象类别", "监测类别"),
    "annual_income": ("家庭年收入", "家庭年收入(元)", "年收入", "年收入(元)", "家庭总收入", "家庭总收入(元)"),
    "net_income": ("纯收入", "纯收入(元)", "家庭纯收入", "家庭纯收入(元)"),
    "per_capita_net_income": ("人均纯收入", "人均纯收入(元)", "人均收入", "人均收入(元)"),
}
REQUIRED_COLUMNS = ("county", "township", "village", "household_number", "name", "id_number", "relation")
COLUMN_LABELS = {key: aliases[0] for key, aliases in COLUMN_ALIASES.items()}
COLUMN_LABELS.update({"county": "县", "township": "乡镇", "village": "行政村"})

# The order `export-registry` writes and `make-sample-registry` generates.
EXPORT_COLUMNS = (
    ("county", "县"),
    ("township", "乡(镇)"),
    ("village", "行政村"),
    ("household_number", "户编号"),
    ("member_number", "人编号"),
    ("name", "姓名"),
    ("id_type", "证件类型"),
    ("id_number", "证件号码"),
    ("household_size", "家庭人口数"),
    ("relation", "与户主关系"),
    ("ethnicity", "民族"),
    ("education", "文化程度"),
    ("schooling", "在校生状况"),
    ("health", "健康状况"),
    ("labour_skill", "劳动技能"),
    ("member_phone", "家庭成员联系电话"),
    ("exit_flag", "脱贫属性"),
    ("exit_year", "脱贫年度"),
    ("attribute", "贫困户属性"),
    ("main_cause", "主要致贫原因"),
    ("other_causes", "其他致贫原因"),
    ("monitored", "是否监测户"),
    ("monitoring_category", "监测对象类别"),
    ("annual_income", "家庭年收入(元)"),
    ("net_income", "纯收入(元)"),
    ("per_capita_net_income", "人均纯收入(元)"),
    ("household_phone", "联系电话"),
)


def _header_key(text: Any) -> str:
    if text is None:
        return ""
    if type(text) is str:
        return _text_key(text)
    value = unicodedata.normalize("NFKC", str(text))
    return "".join(value.split()).replace("*", "")


@lru_cache(maxsize=4096)
def _text_key(text: str) -> str:
    """`_header_key` of a string; cached, since value-list cells repeat on every row."""
    value = unicodedata.normalize("NFKC", text)
    return "".join(value.split()).replace("*", "")


_ALIAS_TO_KEY = {_header_key(alias): key for key, aliases in COLUMN_ALIASES.items() for alias in aliases}


def _label_map(choices: Any, extra: dict[str, str]) -> dict[str, str]:
    with translation.override(None):  # the Chinese source strings, whatever the UI language
        mapping = {str(label): value for value, label in choices.choices}
    mapping[""] = "" if "" in choices.values else mapping.get("", "")
    mapping.update(extra)
    # Values as plain str, not the choices' enum members: they go to the database on every row,
    # and sqlite3 looks up an adapter for each parameter that is not exactly a str.
    return {_header_key(k): str(v) for k, v in mapping.items()}


# Labels are matched in Chinese regardless of the UI language: build from the source strings.
SCHOOLING_BY_LABEL = _label_map(
    Schooling,
    {
        "非在校生": "",
        "无": "",
        "否": "",
        "不在校": "",
        "在校生状况": "",
        "学龄前": Schooling.PRESCHOOL_CHILD,
        "高中一年级": Schooling.HIGH_1,
        "高中二年级": Schooling.HIGH_2,
        "高中三年级": Schooling.HIGH_3,
        "中职(中技)一年级": Schooling.SECONDARY_VOCATIONAL_1,
        "中职(中技)二年级": Schooling.SECONDARY_VOCATIONAL_2,
        "中职(中技)三年级": Schooling.SECONDARY_VOCATIONAL_3,
        "本科": Schooling.UNDERGRADUATE,
        "本科及以上": Schooling.UNDERGRADUATE,
        "硕士及以上": Schooling.POSTGRADUATE,
        "研究生": Schooling.POSTGRADUATE,
    },
)
ATTRIBUTE_BY_LABEL = _label_map(
    HouseholdAttribute,
    {
        "一般户": HouseholdAttribute.GENERAL,
        "扶贫户": HouseholdAttribute.GENERAL,
        "低保户": HouseholdAttribute.MINIMUM_LIVING,
        "扶贫低保户": HouseholdAttribute.MINIMUM_LIVING,
        "特困户": HouseholdAttribute.EXTREME_POVERTY,
        "五保户": HouseholdAttribute.EXTREME_POVERTY,
        "五保贫困户": HouseholdAttribute.EXTREME_POVERTY,
        "特困供养户": HouseholdAttribute.EXTREME_POVERTY,
    },
)
CAUSE_BY_LABEL = _label_map(PovertyCause, {"缺劳动力": PovertyCause.LACK_LABOUR})
ID_TYPE_BY_LABEL = _label_map(
    IdType,
    {
        "身份证": IdType.RESIDENT_ID,
        "居民身份证": IdType.RESIDENT_ID,
        "": IdType.RESIDENT_ID,
        "其他": IdType.OTHER,
    },
)
EXITED_FLAGS = frozenset({"已脱贫", "脱贫", "是", "稳定脱贫", "脱贫户", "已标注脱贫", "1"})
NOT_EXITED_FLAGS = frozenset({"", "未脱贫", "贫困", "预脱贫", "否", "贫困户", "0", "返贫"})
YES = frozenset({"是", "1", "Y", "y", "TRUE", "True", "true", "√"})
NO = frozenset({"", "否", "0", "N", "n", "FALSE", "False", "false"})


LOW_CARDINALITY = frozenset(
    {"county", "township", "village", "id_type", "relation", "ethnicity", "education", "schooling", "health"}
    | {"labour_skill"}
)
# The facts of a household, as keys of `Record.household` (the writer's household columns are these,
# with the village and the active flag); HOUSEHOLD_KEYS are the sheet columns they are read from.
HOUSEHOLD_FACTS = (
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
)
HOUSEHOLD_KEYS = tuple({"exited": "exit_flag", "phone": "household_phone"}.get(f, f) for f in HOUSEHOLD_FACTS)


class FileProblem(Exception):
    """The file cannot be imported at all (unreadable, no header, missing columns): exit code 2."""


@dataclass
class Header:
    row_index: int  # 0-based index of the header row in the sheet
    columns: dict[str, int]  # canonical key → column index
    labels: list[str]  # the original header cells (for the error file)


@dataclass(slots=True)
class Record:
    """One accepted person row, normalised."""

    row: int  # original 1-based row number in the file
    county: str
    township: str
    village: str
    household_number: str
    member_number: str
    name: str
    id_number: str
    id_type: str
    sex: str
    birth_date: date
    address_code: str
    relation: str
    ethnicity: str
    education: str
    schooling: str
    health: str
    labour_skill: str
    member_phone: str
    household: dict[str, Any]
    warnings: list[str] | None = None
    # The ID number and phone as stored: blind index, ciphertext and mask of the ID, ciphertext and
    # mask of the phone (`bangfu.registry.writer.Sealer`; set by the reader process or the writer).
    sealed: tuple[str, str, str, str, str] | None = None


@dataclass(slots=True)
class RowError:
    row: int
    reason: str
    id_number: str = ""  # the normalised number when it was valid (for --full and duplicates)


# --- reading --------------------------------------------------------------------------------------
def cell_text(value: Any) -> str:
    """A cell as text. Integral floats (Excel stores 户编号 as numbers) lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def read_rows(path: Path | str, data: bytes | None = None, *, name: str | None = None) -> Iterator[list[Any]]:
    """Raw rows (lists of cells) of the first sheet of an xlsx/xls file, or of a CSV file, after
    `bangfu.lib.sheets` has checked the file against the registry's limits (FileProblem if not).
    `name` is the file's name for messages (an upload is stored under another)."""
    try:
        sheet = sheets.open_sheet(
            name=name or Path(path).name,
            data=data,
            path=None if data is not None else path,
            use="registry",
            stream=True,
        )
        yield from sheet.stream_rows()
    except sheets.SheetRefused as exc:
        raise FileProblem(str(exc)) from None


def detect_header(rows: Sequence[Sequence[Any]]) -> Header:
    """Find the header among the first rows: the row matching the most known columns."""
    best: Header | None = None
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns: dict[str, int] = {}
        for position, cell in enumerate(row):
            key = _ALIAS_TO_KEY.get(_header_key(cell))
            if key is not None and key not in columns:
                columns[key] = position
        if len(columns) >= 3 and (best is None or len(columns) > len(best.columns)):
            best = Header(index, columns, [cell_text(c) for c in row])
    if best is None:
        raise FileProblem(
            _("前10行中没有找到表头（应包含 县、乡镇、行政村、户编号、姓名、证件号码、与户主关系 等列）")
        )
    missing = [COLUMN_LABELS[key] for key in REQUIRED_COLUMNS if key not in best.columns]
    if missing:
        raise FileProblem(
            _("缺少必需的列：%(columns)s（表头在第%(row)d行）")
            % {"columns": "、".join(missing), "row": best.row_index + 1}
        )
    return best


def id_message(error: idnumbers.IdNumberError, *, disability: bool = False) -> str:
    """A translated message for an ID number error."""
    p = error.params
    if error.code == "missing":
        return _("证件号码为空")
    if error.code == "length":
        if disability:
            text = _("证件号码“%(number)s”长度为%(length)d位，应为18位（残疾人证可为20或22位）")
        else:
            text = _("证件号码“%(number)s”长度为%(length)d位，应为18位（或15位老号码）")
        return text % p
    if error.code == "format":
        return _("证件号码“%(number)s”含有非法字符（前17位应为数字，末位为数字或X）") % p
    if error.code == "birth_date" and len(str(p.get("date", ""))) == 8:
        return _("证件号码“%(number)s”中的出生日期%(date)s不是真实日期") % p
    if error.code == "future":
        return _("证件号码“%(number)s”中的出生日期%(date)s晚于今天") % p
    if error.code == "checksum":
        return _("证件号码“%(number)s”校验位错误（应为%(expected)s）") % p
    return error.message


# --- parsing --------------------------------------------------------------------------------------
# An amount as exports write it: `parse_amount` would only quantize it (see `_decimal`).
_PLAIN_AMOUNT = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,2})?")


def _decimal(text: str, label: str, problems: list[str]) -> Decimal | None:
    if not text:
        return None
    if _PLAIN_AMOUNT.fullmatch(text):
        # Up to 12 ASCII digits and 2 places: nothing for `parse_amount` to normalise, strip or
        # refuse (within ±MAX_AMOUNT), so its result is this; a third of its cost, per household.
        return Decimal(text).quantize(CENT)
    try:
        return parse_amount(text, minimum=-MAX_AMOUNT, exact=False)
    except AmountError as exc:
        problems.append(
            _("%(column)s“%(value)s”：%(reason)s") % {"column": label, "value": text[:40], "reason": exc}
        )
        return None


def _positive_int(text: str, label: str, problems: list[str], low: int, high: int) -> int | None:
    if not text:
        return None
    digits = text.removesuffix("年").removesuffix("人").removesuffix(".0")
    if not digits.isascii() or not digits.isdigit() or not (low <= int(digits) <= high):
        problems.append(
            _("%(column)s“%(value)s”无效（应为%(low)d–%(high)d的整数）")
            % {"column": label, "value": text, "low": low, "high": high}
        )
        return None
    return int(digits)


@lru_cache(maxsize=256)
def _other_causes(text: str) -> str:
    """The 其他致贫原因 cell as stored: known causes, in order, once each (unknown ones as other).
    Cached: a few dozen combinations fill a whole file (and 256 cells stay small, however long)."""
    others: list[str] = []
    for part in text.replace("，", ",").replace("、", ",").replace(";", ",").split(","):
        part = _header_key(part)
        if not part:
            continue
        cause = CAUSE_BY_LABEL.get(part, PovertyCause.OTHER)
        if cause not in others:
            others.append(cause)
    return ",".join(others)


class RowParser:
    """Parses one raw row into a Record or a RowError; never raises."""

    def __init__(self, header: Header, *, today: date) -> None:
        self.columns = header.columns
        self.today = today
        self._keys = list(header.columns)
        indices = [header.columns[key] for key in self._keys]
        self._indices = indices
        self._max_index = max(indices)
        pick = operator.itemgetter(*indices)
        # itemgetter of one index returns the cell itself, not a 1-tuple.
        self._pick = pick if len(indices) > 1 else (lambda cells: (pick(cells),))
        self._low_positions = [i for i, key in enumerate(self._keys) if key in LOW_CARDINALITY]
        # One str object per distinct value of repetitive columns: a 1M-row file repeats its
        # village names and value lists a million times.
        self._interned: dict[str, str] = {}
        # Household facts repeat on every member row, and members of a household are consecutive:
        # the last household's raw cells and parse result are kept, so each household is parsed once.
        self._last_household: tuple[tuple[str, ...], dict[str, Any], list[str], list[str]] | None = None
        # The column-wise path's birth dates (the 8 digits of an ID → the date, when it is a real
        # date from 1880 to today): a few tens of thousands of days at most, whatever the file's
        # size, each worked out once.
        self._births: dict[str, date] = {}

    def parse(self, row_number: int, cells: Sequence[Any]) -> Record | RowError | None:
        """None for a blank row (skipped, not counted)."""
        try:
            return self._parse(row_number, cells)
        except Exception as exc:  # a parser bug must not abort the import; report the row
            return RowError(row_number, _("无法解析该行（%(error)s）") % {"error": type(exc).__name__})

    def _parse(self, row_number: int, cells: Sequence[Any]) -> Record | RowError | None:
        if len(cells) <= self._max_index:
            cells = [*cells, *([None] * (self._max_index + 1 - len(cells)))]
        # Comprehensions over the selected cells: this loop runs for every cell of the file.
        texts = [c.strip() if type(c) is str else cell_text(c) for c in self._pick(cells)]
        if not any(texts):
            return None
        normalized, normalize = unicodedata.is_normalized, unicodedata.normalize
        texts = [t if t.isascii() or normalized("NFKC", t) else normalize("NFKC", t).strip() for t in texts]
        interned = self._interned
        for i in self._low_positions:
            texts[i] = interned.setdefault(texts[i], texts[i])
        values = dict(zip(self._keys, texts, strict=True))
        get = values.get
        for key, text in values.items():
            if len(text) > MAX_CELL_CHARS:  # one message, and no message quoting the cell
                label = COLUMN_LABELS[key]
                return RowError(row_number, sheets.long_cell_message(label, len(text), MAX_CELL_CHARS))
        problems: list[str] = []
        warnings: list[str] = []
        for key in ("county", "township", "village", "household_number"):
            if not values[key]:
                problems.append(_("%(column)s为空") % {"column": COLUMN_LABELS[key]})
        for key in ("county", "township", "village"):
            if len(values[key]) > AREA_NAME_CHARS:
                problems.append(
                    _("%(column)s超过%(limit)d个字")
                    % {"column": COLUMN_LABELS[key], "limit": AREA_NAME_CHARS}
                )
        name = values["name"]
        if not name:
            problems.append(_("姓名为空"))
        elif len(name) > 60:
            problems.append(_("%(column)s超过%(limit)d个字") % {"column": "姓名", "limit": 60})
        relation = values["relation"]
        if not relation:
            problems.append(_("与户主关系为空"))
        elif len(relation) > 20:
            problems.append(_("%(column)s超过%(limit)d个字") % {"column": "与户主关系", "limit": 20})
        id_type_text = get("id_type", "")
        id_type = ID_TYPE_BY_LABEL.get(id_type_text)
        if id_type is None:
            id_type_text = _header_key(id_type_text)
            id_type = ID_TYPE_BY_LABEL.get(id_type_text)
        if id_type is None:
            id_type = IdType.OTHER
            warnings.append(_("证件类型“%(value)s”未知，按其他证件记录") % {"value": id_type_text})
        info: idnumbers.IdInfo | None = None
        raw_id = values["id_number"]
        id_cell = cells[self.columns["id_number"]]
        if type(id_cell) is float and abs(id_cell) >= 2**53:
            # Excel stored the number as a number: its last digits are gone and cannot be guessed.
            problems.append(
                _("证件号码“%(value)s”被 Excel 存成了数字，末几位已丢失；请把该列设为文本后重新导出")
                % {"value": raw_id}
            )
        else:
            try:
                info = idnumbers.validate(raw_id, today=self.today, disability=id_type == IdType.DISABILITY)
            except idnumbers.IdNumberError as exc:
                problems.append(id_message(exc, disability=id_type == IdType.DISABILITY))
        schooling_text = get("schooling", "")
        schooling = SCHOOLING_BY_LABEL.get(schooling_text)
        if schooling is None:
            schooling_text = _header_key(schooling_text)
            schooling = SCHOOLING_BY_LABEL.get(schooling_text)
        if schooling is None:
            problems.append(_("在校生状况“%(value)s”不在国家标准值列表中") % {"value": schooling_text})
            schooling = ""
        raw_household = tuple([get(key, "") for key in HOUSEHOLD_KEYS])
        last = self._last_household
        if last is not None and last[0] == raw_household:
            household = last[1]
            problems.extend(last[2])
            warnings.extend(last[3])
        else:
            hh_problems: list[str] = []
            hh_warnings: list[str] = []
            household = self._household(values, hh_problems, hh_warnings)
            self._last_household = (raw_household, household, hh_problems, hh_warnings)
            problems.extend(hh_problems)
            warnings.extend(hh_warnings)
        for key, limit in (("ethnicity", 20), ("education", 20), ("health", 20), ("labour_skill", 20)):
            if len(get(key, "")) > limit:
                problems.append(
                    _("%(column)s超过%(limit)d个字") % {"column": COLUMN_LABELS[key], "limit": limit}
                )
        for key in ("household_number", "member_number"):
            if len(get(key, "")) > 40:
                problems.append(
                    _("%(column)s超过%(limit)d个字") % {"column": COLUMN_LABELS[key], "limit": 40}
                )
        member_phone = get("member_phone", "")
        if len(member_phone) > 30:
            problems.append(_("%(column)s超过%(limit)d个字") % {"column": "联系电话", "limit": 30})
        if problems:
            return RowError(row_number, "；".join(problems), info.number if info else "")
        assert info is not None
        return Record(
            row=row_number,
            county=values["county"],
            township=values["township"],
            village=values["village"],
            household_number=values["household_number"],
            member_number=get("member_number", ""),
            name=name,
            id_number=info.number,
            id_type=id_type,
            sex=info.sex,
            birth_date=info.birth_date,
            address_code=info.address_code,
            relation=relation,
            ethnicity=get("ethnicity", ""),
            education=get("education", ""),
            schooling=schooling,
            health=get("health", ""),
            labour_skill=get("labour_skill", ""),
            member_phone=member_phone,
            household=household,
            warnings=warnings or None,
        )

    def _household(self, values: dict[str, str], problems: list[str], warnings: list[str]) -> dict[str, Any]:
        get = values.get
        attribute_text = _header_key(get("attribute", ""))
        attribute = ATTRIBUTE_BY_LABEL.get(attribute_text)
        if attribute is None:
            attribute = HouseholdAttribute.OTHER
            warnings.append(
                _("%(column)s“%(value)s”未知，按其他记录") % {"column": "贫困户属性", "value": attribute_text}
            )
        main_text = _header_key(get("main_cause", ""))
        main_cause = CAUSE_BY_LABEL.get(main_text)
        if main_cause is None:
            main_cause = PovertyCause.OTHER
            warnings.append(
                _("%(column)s“%(value)s”未知，按其他记录") % {"column": "主要致贫原因", "value": main_text}
            )
        other_causes = _other_causes(get("other_causes", ""))
        exit_year = _positive_int(get("exit_year", ""), "脱贫年度", problems, 2013, self.today.year + 1)
        flag = get("exit_flag", "")
        if flag in EXITED_FLAGS:
            exited = True
        elif flag in NOT_EXITED_FLAGS:
            exited = exit_year is not None
        else:
            exited = exit_year is not None
            warnings.append(_("%(column)s“%(value)s”未知") % {"column": "脱贫属性", "value": flag})
        category = get("monitoring_category", "")
        monitored_text = get("monitored", "")
        if monitored_text in YES:
            monitored = True
        elif monitored_text in NO:
            monitored = bool(category) and category not in NO
        else:
            monitored = bool(category)
            warnings.append(
                _("%(column)s“%(value)s”未知") % {"column": "是否监测户", "value": monitored_text}
            )
        if category in NO:
            category = ""
        if len(category) > 40:
            problems.append(_("%(column)s超过%(limit)d个字") % {"column": "监测对象类别", "limit": 40})
        phone = get("household_phone", "")
        if len(phone) > 30:
            problems.append(_("%(column)s超过%(limit)d个字") % {"column": "联系电话", "limit": 30})
        return {
            "attribute": attribute,
            "main_cause": main_cause,
            "other_causes": other_causes,
            "exit_year": exit_year,
            "exited": exited,
            "monitored": monitored,
            "monitoring_category": category,
            "household_size": _positive_int(get("household_size", ""), "家庭人口数", problems, 1, 99),
            "annual_income": _decimal(get("annual_income", ""), "家庭年收入", problems),
            "net_income": _decimal(get("net_income", ""), "纯收入", problems),
            "per_capita_net_income": _decimal(get("per_capita_net_income", ""), "人均纯收入", problems),
            "phone": phone,
        }


# --- the column-wise fast path ---------------------------------------------------------------------
_ID18 = re.compile(r"[0-9]{17}[0-9X]")
_SEX_BY_DIGIT = {str(d): "M" if d % 2 else "F" for d in range(10)}
# A cell longer than this is its row's only error (Excel's own limit per cell).
MAX_CELL_CHARS = 32_767
AREA_NAME_CHARS = 60
_ROW_LIMITS = (
    ("county", AREA_NAME_CHARS),
    ("township", AREA_NAME_CHARS),
    ("village", AREA_NAME_CHARS),
    ("name", 60),
    ("relation", 20),
    ("ethnicity", 20),
    ("education", 20),
    ("health", 20),
    ("labour_skill", 20),
    ("household_number", 40),
    ("member_number", 40),
    ("member_phone", 30),
)
_NOT_EMPTY = ("county", "township", "village", "household_number", "name", "relation", "id_number")
_HOUSEHOLD_KEY_SET = frozenset(HOUSEHOLD_KEYS)


def parse_chunk(
    parser: RowParser, first_row: int, rows: Sequence[Sequence[Any]]
) -> list[Record | RowError | None]:
    """Parse consecutive rows (numbered `first_row`, `first_row + 1`, ...) column by column.

    The result is exactly `[parser.parse(n, row) for n, row in ...]`: a row is built here only when
    every check passes on the column-wise path (distinct values of repetitive columns are looked at
    once, C-level `map` over the rest); any row that needs a message or a warning, or has a cell
    that is not plain text, goes through `parser.parse`, which writes the messages."""
    return _ChunkParser(parser, first_row, rows).run()


def _stripped_nfkc(values: Sequence[str]) -> list[str]:
    """Each value trimmed and in NFKC, as the per-row path makes it."""
    texts = list(map(str.strip, values))
    # One check of all the texts rather than a call per text: U+0000 never composes or reorders
    # with its neighbours, so the joined text is NFKC exactly when every text is.
    joined = "\x00".join(texts)
    if joined.isascii() or unicodedata.is_normalized("NFKC", joined):
        return texts
    normalized, normalize = unicodedata.is_normalized, unicodedata.normalize
    return [t if normalized("NFKC", t) else normalize("NFKC", t).strip() for t in texts]


def _normalised_texts(values: set[str]) -> dict[str, str] | None:
    """Each value → its trimmed NFKC text; None when every value already is one (the usual case)."""
    listed = list(values)
    texts = _stripped_nfkc(listed)
    if texts == listed:
        return None
    return dict(zip(listed, texts, strict=True))


def _all_text(cells: Sequence[Any]) -> bool:
    """Whether every cell is text: one C-level join rather than a type test per cell. (A str
    subclass passes too; both paths read it as the plain str it equals.)"""
    try:
        "".join(cells)
    except TypeError:
        return False
    return True


class _ChunkParser:
    def __init__(self, parser: RowParser, first_row: int, rows: Sequence[Sequence[Any]]) -> None:
        self.parser = parser
        self.first_row = first_row
        self.rows = rows
        self.slow: set[int] = set()  # row positions handed to the per-row parser

    def _flag(self, column: Sequence[Any], bad: Any) -> None:
        """Send to the per-row path every row whose cell satisfies `bad` (a set or a predicate)."""
        if isinstance(bad, set | frozenset | dict):
            self.slow.update(i for i, v in enumerate(column) if v in bad)
        else:
            self.slow.update(i for i, v in enumerate(column) if bad(v))

    def run(self) -> list[Record | RowError | None]:
        parser, rows = self.parser, self.rows
        n = len(rows)
        if n == 0:
            return []
        keys = parser._keys
        width = parser._max_index + 1
        pick = parser._pick
        if min(map(len, rows)) < width:
            blank = ("",) * len(keys)
            short = {i for i, r in enumerate(rows) if len(r) < width}
            self.slow |= short
            picked = [blank if i in short else pick(r) for i, r in enumerate(rows)]
            by_key = list(zip(*picked, strict=True))
        else:
            # Every row has the columns: transpose the rows themselves (zip stops at the shortest
            # row, islice at the last column read) and take the columns read.
            transposed = list(itertools.islice(zip(*rows, strict=False), width))
            by_key = [transposed[i] for i in parser._indices]
        columns: dict[str, list[Any]] = {}
        longest: dict[str, int] = {}  # the length of each column's longest text
        for key, cells in zip(keys, by_key, strict=True):
            column: Sequence[str] = cells if _all_text(cells) else self._as_text(key, cells)
            if key in _HOUSEHOLD_KEY_SET:  # normalised per distinct household (`_households`)
                columns[key] = list(column)
                continue
            columns[key], longest[key] = self._normalised(key, column)
        get = columns.get
        empty = [""] * n
        for key in _NOT_EMPTY:
            if "" in columns[key]:
                self._flag(columns[key], {""})
        for key, limit in _ROW_LIMITS:
            if longest.get(key, 0) > limit:
                self._flag(columns[key], lambda v, limit=limit: len(v) > limit)
        for key, length in longest.items():  # any other column: only the per-row path reports it
            if length > MAX_CELL_CHARS:
                self._flag(columns[key], lambda v: len(v) > MAX_CELL_CHARS)
        id_types = self._mapped(get("id_type", empty), ID_TYPE_BY_LABEL, exclude={IdType.DISABILITY})
        schooling = self._mapped(get("schooling", empty), SCHOOLING_BY_LABEL, exclude=set())
        households = self._households([get(key, empty) for key in HOUSEHOLD_KEYS])
        ids, births, sexes = self._ids(columns["id_number"])

        first = self.first_row
        # One Record per row straight from the columns; the rows that need the per-row parser
        # are replaced afterwards (their half-built records are dropped).
        out: list[Record | RowError | None] = list(
            map(
                Record,
                range(first, first + n),
                columns["county"],
                columns["township"],
                columns["village"],
                columns["household_number"],
                get("member_number", empty),
                columns["name"],
                ids,
                id_types,
                sexes,
                births,
                map(operator.itemgetter(slice(0, 6)), ids),
                columns["relation"],
                get("ethnicity", empty),
                get("education", empty),
                schooling,
                get("health", empty),
                get("labour_skill", empty),
                get("member_phone", empty),
                households,
            )
        )
        for i in self.slow:
            out[i] = parser.parse(first + i, rows[i])
        return out

    def _as_text(self, key: str, column: Sequence[Any]) -> list[str]:
        """Numbers, dates and empty cells as the per-row path writes them (`cell_text`). A number
        in the ID column goes to the per-row path, which owns the "stored as a number" message."""
        texts: list[str] = []
        for i, value in enumerate(column):
            if type(value) is str:
                texts.append(value)
                continue
            if key == "id_number":
                self.slow.add(i)
                texts.append("")
                continue
            try:
                texts.append(cell_text(value))
            except Exception:  # the per-row path reports it
                self.slow.add(i)
                texts.append("")
        return texts

    def _normalised(self, key: str, column: Sequence[str]) -> tuple[list[str], int]:
        """Trimmed, NFKC text of one column, as the per-row path makes it, and the length of its
        longest text."""
        if key in LOW_CARDINALITY:
            normalized, normalize = unicodedata.is_normalized, unicodedata.normalize
            interned = self.parser._interned
            table = {}
            for value in set(column):
                text = value.strip()
                if not (text.isascii() or normalized("NFKC", text)):
                    text = normalize("NFKC", text).strip()
                table[value] = interned.setdefault(text, text)
            return list(map(table.__getitem__, column)), max(map(len, table.values()))
        texts = _stripped_nfkc(column)
        return texts, max(map(len, texts))

    def _mapped(self, column: list[str], labels: dict[str, str], *, exclude: set[str]) -> list[str]:
        """Column values through a value list; unknown values (and `exclude`d results) go slow."""
        table: dict[str, str] = {}
        unknown: set[str] = set()
        for value in set(column):
            mapped = labels.get(value)
            if mapped is None:
                mapped = labels.get(_header_key(value))
            if mapped is None or mapped in exclude:
                unknown.add(value)
                mapped = ""
            table[value] = mapped
        if unknown:
            self._flag(column, unknown)
        return list(map(table.__getitem__, column))

    def _households(self, columns: list[list[str]]) -> list[dict[str, Any] | None]:
        """Each distinct tuple of household cells (members repeat their household's) normalised
        and parsed once; rows whose household facts carry a problem or a warning, or a text longer
        than a cell may be, go slow."""
        raw = list(zip(*columns, strict=True))
        parsed: dict[tuple[str, ...], dict[str, Any] | None] = {}
        bad: set[tuple[str, ...]] = set()
        distinct = set(raw)
        cells = set(itertools.chain.from_iterable(distinct))
        normalised = _normalised_texts(cells)
        too_long = max(map(len, cells if normalised is None else normalised.values())) > MAX_CELL_CHARS
        for values in distinct:
            texts = values if normalised is None else tuple(map(normalised.__getitem__, values))
            if too_long and max(map(len, texts)) > MAX_CELL_CHARS:  # only the per-row path reports it
                bad.add(values)
                parsed[values] = None
                continue
            problems: list[str] = []
            warnings: list[str] = []
            facts = self.parser._household(dict(zip(HOUSEHOLD_KEYS, texts, strict=True)), problems, warnings)
            if problems or warnings:
                bad.add(values)
                parsed[values] = None
            else:
                parsed[values] = facts
        if bad:
            self._flag(raw, bad)
        return list(map(parsed.__getitem__, raw))

    def _ids(self, column: list[str]) -> tuple[list[str], list[date | None], list[str]]:
        """18-character IDs: upper-cased, pattern, check character, real birth date not in the
        future. Anything else (15 digits, inner spaces, disability suffixes) goes slow."""
        ids = list(map(str.upper, column))
        matches = list(map(_ID18.fullmatch, ids))
        if not all(matches):
            self.slow.update(i for i, m in enumerate(matches) if m is None)
            ids = [
                number if m is not None else "0" * 17 + "1" for number, m in zip(ids, matches, strict=True)
            ]
        # The check character (idnumbers.check_character), by C-level `map`: all 18 characters
        # read in base 13, X as the digit A (10), give Σ a_i·2^(18-i) mod 11 (13 ≡ 2 mod 11), which
        # is 1 for a right check character (ISO 7064 MOD 11-2).
        repeat = itertools.repeat
        in_base13 = map(int, map(str.replace, ids, repeat("X"), repeat("A")), repeat(13))
        residues = list(map(operator.mod, in_base13, repeat(11)))
        if residues.count(1) != len(residues):
            self.slow.update(i for i, residue in enumerate(residues) if residue != 1)
        digits8 = list(map(operator.itemgetter(slice(6, 14)), ids))
        today = self.parser.today
        known = self.parser._births
        invalid: set[str] = set()
        for text in set(digits8).difference(known):
            born = idnumbers._birth_date(text)
            if born is not None and born <= today and born.year >= 1880:
                known[text] = born
            else:
                invalid.add(text)
        births = list(map(known.get, digits8))
        if invalid:
            self.slow.update(i for i, text in enumerate(digits8) if text in invalid)
        sexes = list(map(_SEX_BY_DIGIT.__getitem__, map(operator.itemgetter(16), ids)))
        return ids, births, sexes
