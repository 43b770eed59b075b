"""Documents in the form of GB/T 9704-2012 (党政机关公文格式): the bulletin and the public notices.

A document is data (`OfficialDocument`: 版头, title, body blocks, 落款, annexes, 版记) rendered three
ways from the same object, so the Word file, the PDF and the print page never disagree:
- `render_docx` (python-docx): A4, the standard's margins and type area, 22 lines of 28 characters
  in 3号 仿宋-style; every font is named in the East Asian slot (`w:eastAsia`), which python-docx's
  `font.name` leaves alone; the font table carries each font's fall-back (`w:altName`);
- `render_pdf` (fpdf2, pure Python): the same layout with CJK fonts found on the server and
  embedded as subsets, so the text layer holds the Chinese text; `PdfFontMissing` says what to
  install when the server has none (docs/documents.md);
- `render_html`: the print page (`@page` A4), for offices that print from the browser.

Text helpers: `cn_date` (2020年7月15日, no padding), `fullwidth` (half-width punctuation between
Chinese characters → full-width), `wan` (yuan → 万元 with two decimals), `cn_numeral`.
"""

from __future__ import annotations

import io
import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# --- GB/T 9704 geometry (millimetres) -------------------------------------------------------------
PAGE_W, PAGE_H = 210.0, 297.0
MARGIN_TOP, MARGIN_LEFT = 37.0, 28.0  # 天头, 订口
TYPE_W, TYPE_H = 156.0, 225.0  # 版心
MARGIN_RIGHT = PAGE_W - MARGIN_LEFT - TYPE_W  # 26
MARGIN_BOTTOM = PAGE_H - MARGIN_TOP - TYPE_H  # 35
LINES_PER_PAGE = 22
LINE_PITCH_PT = TYPE_H / LINES_PER_PAGE / 25.4 * 72  # ≈ 28.99 pt: 22 lines fill the type area
# 号 (Chinese type sizes) in points.
SIZE_2 = 22.0  # 二号: title
SIZE_3 = 16.0  # 三号: body, headings
SIZE_4 = 14.0  # 四号: page numbers, 版记
SIZE_SMALL_4 = 12.0  # 小四: annex tables
MARK_SIZE = 30.0  # 发文机关标志: the office chooses; this fits a 14-character office name
RED = "FF0000"


# --- text helpers ---------------------------------------------------------------------------------
def cn_date(value: date) -> str:
    """成文日期: Arabic numerals, month and day not padded (GB/T 9704 §7.3.5.1)."""
    return f"{value.year}年{value.month}月{value.day}日"


_NUMERALS = "零一二三四五六七八九"


def cn_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (heading numbers; 1–99)."""
    if not 0 < n < 100:
        raise ValueError(f"heading number out of range: {n}")
    tens, ones = divmod(n, 10)
    text = ("" if tens == 1 else _NUMERALS[tens]) + "十" if tens else ""
    return text + (_NUMERALS[ones] if ones else "")


def wan(yuan: Decimal | int) -> str:
    """Yuan as 万元 with two decimals: 123456 → "12.35"."""
    return f"{(Decimal(yuan) / Decimal(10000)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"


def count(value: Decimal | int) -> str:
    """A count or a quantity without trailing zeros: Decimal("12.00") → "12"."""
    text = f"{Decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef\u201c\u201d"
_HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
_BETWEEN = re.compile(rf"(?<=[{_CJK}])\s*([,:;?!])\s*|\s*([,:;?!])\s*(?=[{_CJK}])")
_DASHES = re.compile(rf"(?<=[{_CJK}])-{{2,}}(?=[{_CJK}])")
_PARENS = re.compile(rf"\(([^()]*[{_CJK}][^()]*)\)|(?<=[{_CJK}])\(([^()]*)\)")


def fullwidth(text: str) -> str:
    """Half-width , : ; ? ! next to a Chinese character become ，：；？！, parentheses around or
    after Chinese text （）, "--" between Chinese words ——. Numbers keep theirs: "1,500.00",
    "10:30", "(1)"."""

    def punct(m: re.Match[str]) -> str:
        return _HALF_TO_FULL[m.group(1) or m.group(2)]

    def parens(m: re.Match[str]) -> str:
        return f"（{m.group(1) if m.group(1) is not None else m.group(2)}）"

    text = _PARENS.sub(parens, _DASHES.sub("——", text))
    return _BETWEEN.sub(punct, text)


# --- the document as data -------------------------------------------------------------------------
@dataclass(frozen=True)
class Heading:
    """Level 1 is numbered 一、 (黑体), level 2 （一） (楷体); numbers are added when rendered."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    """Body text, first line indented two characters. `lead` is run-in text in the level-3 style
    (仿宋 bold), e.g. "一是"."""

    text: str
    lead: str = ""
    indent: bool = True
    align: str = "justify"  # justify | center | right


@dataclass(frozen=True)
class Table:
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    widths: Sequence[float] = ()  # relative; equal when empty
    numeric: Sequence[int] = ()  # indexes of right-aligned (number) columns
    total: Sequence[Any] | None = None  # a totals row, bold; its label spans the empty cells after it
    centred: Sequence[int] = ()  # indexes of centred columns (序号)
    size: float = SIZE_SMALL_4  # points: 小四; 五号 (10.5) for wide lists

    @property
    def column_percentages(self) -> list[str]:
        """The relative widths as percentages (the print page's `<col width>`)."""
        total = sum(self.widths) or 1
        return [f"{w * 100 / total:.1f}" for w in self.widths]

    def total_cells(self) -> list[tuple[Any, int]]:
        """The totals row as (value, columns spanned): the first cell takes the empty ones after it."""
        if self.total is None:
            return []
        values = list(self.total)
        span = 1
        while span < len(values) and values[span] in ("", None):
            span += 1
        return [(values[0], span)] + [(v, 1) for v in values[span:]]


Block = Heading | Paragraph | Table


@dataclass(frozen=True)
class Annex:
    title: str
    blocks: Sequence[Block]
    note: str = ""  # a line under the title, e.g. "（单位：万元）"


@dataclass
class OfficialDocument:
    title: str
    body: list[Block]
    issuer: str  # 发文机关署名
    signed_on: date  # 成文日期
    mark: str = ""  # 发文机关标志 in red; empty for a notice posted without a 版头
    number: str = ""  # 发文字号 (格脱贫办〔2020〕12号) or 期号 (第6期)
    issue_line: bool = False  # 期号 style: the issuer and date on one line above the red rule
    recipients: str = ""  # 主送机关, ending with a full-width colon
    annexes: list[Annex] = field(default_factory=list)
    copy_to: str = ""  # 抄送
    printer: str = ""  # 印发机关
    printed_on: date | None = None  # 印发日期
    contact: str = ""  # 附注, e.g. "（联系人：…；联系电话：…）"

    def annex_note(self) -> str:
        """附件说明: "附件：1. …" (one annex: "附件：…")."""
        if not self.annexes:
            return ""
        if len(self.annexes) == 1:
            return f"附件：{self.annexes[0].title}"
        return "附件：" + "\n".join(f"{i}. {a.title}" for i, a in enumerate(self.annexes, start=1))

    def headings(self) -> list[tuple[Block, str]]:
        """Every block with its rendered number prefix ("一、", "（二）", "")."""
        out: list[tuple[Block, str]] = []
        first = second = 0
        for block in self.body:
            prefix = ""
            if isinstance(block, Heading):
                if block.level == 1:
                    first, second = first + 1, 0
                    prefix = f"{cn_numeral(first)}、"
                else:
                    second += 1
                    prefix = f"（{cn_numeral(second)}）"
            out.append((block, prefix))
        return out

    def annex_label(self, index: int) -> str:
        return "附件" if len(self.annexes) == 1 else f"附件{index}"


# --- fonts ----------------------------------------------------------------------------------------
def mark_size(mark: str) -> float:
    """The 发文机关标志's size in points: MARK_SIZE, smaller when the name would not fit a line."""
    fits = TYPE_W / 25.4 * 72 / max(_width_in_chars(mark), 1) * 0.96
    return float(min(MARK_SIZE, int(fits)))


@dataclass(frozen=True)
class Fonts:
    """Font names by role, first choice first. Word gets the first name in the East Asian slot and
    the second as its fall-back (`w:altName`); the PDF embeds the first one the server has, then
    the free fall-backs of `PDF_FALLBACKS`."""

    mark: tuple[str, ...] = ("方正小标宋简体", "华文中宋", "宋体")
    title: tuple[str, ...] = ("方正小标宋简体", "华文中宋", "宋体")
    body: tuple[str, ...] = ("仿宋_GB2312", "仿宋", "FangSong")
    heading1: tuple[str, ...] = ("黑体", "SimHei")
    heading2: tuple[str, ...] = ("楷体_GB2312", "楷体", "KaiTi")
    latin: str = "Times New Roman"

    @classmethod
    def from_names(cls, **stacks: str) -> Fonts:
        """From comma-separated names per role (the office settings); blank roles keep defaults."""
        values = {
            role: tuple(n.strip() for n in re.split(r"[,，]", text) if n.strip())
            for role, text in stacks.items()
            if text and text.strip()
        }
        return cls(**values)  # type: ignore[arg-type]


# Free fonts (Debian's fonts-noto-cjk, Adobe's Source Han, Debian's arphic and wqy) tried after
# the office's own, per role. Noto Serif Bold stands in for 小标宋, Noto Sans for 黑体.
PDF_FALLBACKS: dict[str, tuple[str, ...]] = {
    "mark": ("Noto Serif CJK SC Bold", "Source Han Serif SC Bold", "Noto Serif CJK SC", "AR PL UMing CN"),
    "title": ("Noto Serif CJK SC Bold", "Source Han Serif SC Bold", "Noto Serif CJK SC", "AR PL UMing CN"),
    "body": ("Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN", "Noto Sans CJK SC"),
    "heading1": ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Noto Serif CJK SC"),
    "heading2": ("AR PL UKai CN", "Noto Serif CJK SC", "Source Han Serif SC", "Noto Sans CJK SC"),
    "bold": (
        "Noto Serif CJK SC Bold",
        "Source Han Serif SC Bold",
        "Noto Sans CJK SC Bold",
        "Noto Serif CJK SC",
    ),
}
SYSTEM_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")


class PdfFontMissing(RuntimeError):
    """No font on the server can set Chinese text. The message says what to install."""

    def __init__(self, role: str, tried: Sequence[str]) -> None:
        self.role = role
        self.tried = tuple(tried)
        super().__init__(
            "服务器上没有可用的中文字体，无法生成PDF（已查找："
            + "、".join(tried)
            + "）。请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk），"
            "或把本单位的字体文件放入 BANGFU_FONT_DIR 指定的目录；Word 文件和打印页面不受影响。"
        )


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name).casefold()


def font_dirs() -> list[Path]:
    """The office's font directory (`BANGFU_FONT_DIR`, colon-separated) first, then the system's."""
    from django.conf import settings

    configured = [d for d in str(getattr(settings, "BANGFU_FONT_DIR", "") or "").split(os.pathsep) if d]
    return [Path(d).expanduser() for d in (*configured, *SYSTEM_FONT_DIRS)]


@lru_cache(maxsize=4)
def _font_index(dirs: tuple[Path, ...]) -> dict[str, tuple[str, int]]:
    """{normalised family or full name: (file, face index)}, read from the fonts' name tables
    (Chinese names included, so 仿宋_GB2312 finds simfang's successor by its own name). Regular
    faces win a family name; every face keeps its full name ("Noto Serif CJK SC Bold")."""
    from fontTools.ttLib import TTCollection, TTFont

    index: dict[str, tuple[str, int]] = {}
    weak: dict[str, tuple[str, int]] = {}
    for directory in dirs:
        if not directory.is_dir():
            continue
        for path in sorted(directory.rglob("*")):
            if path.suffix.lower() not in FONT_SUFFIXES:
                continue
            try:
                if path.suffix.lower() in (".ttc", ".otc"):
                    faces = [(i, f) for i, f in enumerate(TTCollection(str(path), lazy=True).fonts)]
                else:
                    faces = [(0, TTFont(str(path), lazy=True))]
            except Exception as exc:  # a damaged or unreadable font file is skipped, not fatal
                log.debug("font %s skipped: %s", path, exc)
                continue
            for number, face in faces:
                try:
                    names = face["name"].names
                    if 0x4E00 not in face.getBestCmap():
                        continue  # sets no Chinese
                except Exception as exc:
                    log.debug("font %s face %s skipped: %s", path, number, exc)
                    continue
                styles = {str(n.toUnicode()) for n in names if n.nameID in (2, 17)}
                regular = bool(styles & {"Regular", "Normal", "Book", "常规", "标准"}) or not styles
                for record in names:
                    if record.nameID not in (1, 4, 16):
                        continue
                    try:
                        key = _key(record.toUnicode())
                    except UnicodeDecodeError:  # a name in an encoding fontTools cannot read
                        key = ""
                    if not key:
                        continue
                    target = index if record.nameID == 4 or regular else weak
                    target.setdefault(key, (str(path), number))
    for key, value in weak.items():
        index.setdefault(key, value)
    return index


def find_font(names: Iterable[str]) -> tuple[str, int] | None:
    index = _font_index(tuple(font_dirs()))
    for name in names:
        found = index.get(_key(name))
        if found:
            return found
    return None


def pdf_fonts(fonts: Fonts | None = None) -> dict[str, tuple[str, int]]:
    """The font file (path, face) for each role, or PdfFontMissing naming what was looked for."""
    fonts = fonts or Fonts()
    stacks = {
        "mark": fonts.mark,
        "title": fonts.title,
        "body": fonts.body,
        "heading1": fonts.heading1,
        "heading2": fonts.heading2,
        "bold": (),
    }
    chosen: dict[str, tuple[str, int]] = {}
    for role, own in stacks.items():
        tried = (*own, *PDF_FALLBACKS[role])
        found = find_font(tried)
        if found is None:
            raise PdfFontMissing(role, tried)
        chosen[role] = found
    return chosen


# --- Word ------------------------------------------------------------------------------------------
def render_docx(doc: OfficialDocument, fonts: Fonts | None = None) -> bytes:
    return _DocxWriter(doc, fonts or Fonts()).render()


# --- PDF -------------------------------------------------------------------------------------------
def render_pdf(doc: OfficialDocument, fonts: Fonts | None = None) -> bytes:
    return _PdfWriter(doc, pdf_fonts(fonts)).render()


# --- print page ------------------------------------------------------------------------------------
HTML_TEMPLATE = "officialdoc/document.html"
TITLE_CAPACITY = TYPE_W / (SIZE_2 * 25.4 / 72)  # characters of 2号 on a line of the type area


def render_html(
    doc: OfficialDocument, fonts: Fonts | None = None, *, extra: dict[str, Any] | None = None
) -> str:
    """The print page: a whole HTML document styled for A4 (`@page`), no navigation."""
    from django.template.loader import render_to_string

    fonts = fonts or Fonts()

    def stack(names: Sequence[str], *fallbacks: str) -> str:
        return ", ".join(f'"{n}"' for n in (*names, *fallbacks))

    context = {
        "doc": doc,
        "blocks": doc.headings(),
        "title_lines": split_title(doc.title, TITLE_CAPACITY),
        "annexes": [
            (doc.annex_label(i), a, split_title(a.title, TITLE_CAPACITY))
            for i, a in enumerate(doc.annexes, start=1)
        ],
        "annex_note": doc.annex_note(),
        "signed_on": cn_date(doc.signed_on),
        "printed_on": cn_date(doc.printed_on) if doc.printed_on else "",
        "font": {
            "mark": stack(fonts.mark, "Noto Serif CJK SC", "Source Han Serif SC", "serif"),
            "title": stack(fonts.title, "Noto Serif CJK SC", "Source Han Serif SC", "serif"),
            "body": stack(fonts.body, "Noto Serif CJK SC", "Source Han Serif SC", "serif"),
            "heading1": stack(fonts.heading1, "Noto Sans CJK SC", "Source Han Sans SC", "sans-serif"),
            "heading2": stack(fonts.heading2, "Noto Serif CJK SC", "serif"),
            "latin": fonts.latin,
        },
        **(extra or {}),
    }
    return render_to_string(HTML_TEMPLATE, context)


# --- the Word writer ---------------------------------------------------------------------------------
_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
_PPR_AFTER_AUTOSPACE = (
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def _set_fonts(rpr: Any, east_asia: str, latin: str) -> None:
    """Name the font in every slot of `w:rFonts`; drop theme fonts, which would win over names."""
    from docx.oxml.ns import qn

    rfonts = rpr.get_or_add_rFonts()
    for attr in _THEME_ATTRS:
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:hint"), "eastAsia")


class _DocxWriter:
    def __init__(self, doc: OfficialDocument, fonts: Fonts) -> None:
        from docx import Document

        self.doc = doc
        self.fonts = fonts
        self.word = Document()

    # styles ------------------------------------------------------------------------------------
    def _style(self, name: str, *, base: str = "Normal") -> Any:
        from docx.enum.style import WD_STYLE_TYPE

        styles = self.word.styles
        if name in [s.name for s in styles]:
            return styles[name]
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        return style

    def _font(
        self, style: Any, east_asia: str, size: float, *, bold: bool = False, color: str = "000000"
    ) -> None:
        from docx.shared import Pt, RGBColor

        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.color.rgb = RGBColor.from_string(color)
        _set_fonts(style.element.get_or_add_rPr(), east_asia, self.fonts.latin)

    def _styles(self) -> None:
        from docx.enum.text import WD_LINE_SPACING
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Pt

        f = self.fonts
        defaults = self.word.styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
            if rpr is not None:
                _set_fonts(rpr, f.body[0], f.latin)
        normal = self.word.styles["Normal"]
        self._font(normal, f.body[0], SIZE_3)
        fmt = normal.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(LINE_PITCH_PT)
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.widow_control = True
        # No automatic gap between Chinese and Latin letters or digits ("6月", not "6 月").
        ppr = normal.element.get_or_add_pPr()
        for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
            flag = OxmlElement(tag)
            flag.set(qn("w:val"), "0")
            # The schema orders pPr's children: these come before spacing, indentation, alignment.
            ppr.insert_element_before(flag, *_PPR_AFTER_AUTOSPACE)
        # Word's blue, themed headings become the standard's: 黑体 and 楷体, black, 3号, not bold.
        for name, east_asia in (("Heading 1", f.heading1[0]), ("Heading 2", f.heading2[0])):
            style = self.word.styles[name]
            self._font(style, east_asia, SIZE_3)
            style.font.italic = False
            color = style.element.rPr.find(qn("w:color"))
            if color is not None:
                for attr in ("w:themeColor", "w:themeShade"):
                    color.attrib.pop(qn(attr), None)
            pf = style.paragraph_format
            pf.space_before = pf.space_after = Pt(0)
            pf.first_line_indent = Pt(SIZE_3 * 2)
            pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            pf.line_spacing = Pt(LINE_PITCH_PT)
        title = self._style("公文标题")
        self._font(title, f.title[0], SIZE_2)
        title.paragraph_format.line_spacing = Pt(SIZE_2 * 1.5)
        body = self._style("公文正文")
        body.paragraph_format.first_line_indent = Pt(SIZE_3 * 2)
        table = self._style("公文表格")
        self._font(table, f.body[0], SIZE_SMALL_4)
        table.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        table.paragraph_format.first_line_indent = Pt(0)
        self._font_table()

    def _font_table(self) -> None:
        """Each first-choice font gets its fall-back as `w:altName`, the GB2312 character set and a
        family class, so Word on a PC without 仿宋_GB2312 substitutes 仿宋 rather than 宋体."""
        from lxml import etree

        part = next(p for p in self.word.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
        root = etree.fromstring(part.blob)
        ns = root.nsmap["w"]

        def w(tag: str) -> str:
            return f"{{{ns}}}{tag}"

        f = self.fonts
        for stack, family in (
            (f.title, "roman"),
            (f.mark, "roman"),
            (f.body, "modern"),
            (f.heading1, "modern"),
            (f.heading2, "script"),
        ):
            for existing in root.findall(w("font")):
                if existing.get(w("name")) == stack[0]:
                    root.remove(existing)
            font = etree.SubElement(root, w("font"))
            font.set(w("name"), stack[0])
            if len(stack) > 1:
                etree.SubElement(font, w("altName")).set(w("val"), stack[1])
            etree.SubElement(font, w("charset")).set(w("val"), "86")
            etree.SubElement(font, w("family")).set(w("val"), family)
            etree.SubElement(font, w("pitch")).set(w("val"), "variable")
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    # page ----------------------------------------------------------------------------------------
    def _page(self) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Mm

        section = self.word.sections[0]
        section.page_width, section.page_height = Mm(PAGE_W), Mm(PAGE_H)
        section.top_margin, section.bottom_margin = Mm(MARGIN_TOP), Mm(MARGIN_BOTTOM)
        section.left_margin, section.right_margin = Mm(MARGIN_LEFT), Mm(MARGIN_RIGHT)
        section.header_distance = Mm(15)
        section.footer_distance = Mm(MARGIN_BOTTOM - 7 - 6)  # page number 7 mm under the type area
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            section._sectPr.append(grid)
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(round(LINE_PITCH_PT * 20)))
        # Page numbers "— 1 —", 4号 half-width: odd pages right, even pages left, one character in.
        self.word.settings.odd_and_even_pages_header_footer = True
        for footer, right in ((section.footer, True), (section.even_page_footer, False)):
            self._page_number(footer.paragraphs[0], right=right)

    def _page_number(self, paragraph: Any, *, right: bool) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Pt

        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT
        fmt = paragraph.paragraph_format
        fmt.first_line_indent = Pt(0)
        if right:
            fmt.right_indent = Pt(SIZE_4)
        else:
            fmt.left_indent = Pt(SIZE_4)

        def run(text: str = "") -> Any:
            r = paragraph.add_run(text)
            r.font.size = Pt(SIZE_4)
            _set_fonts(r._r.get_or_add_rPr(), "宋体", "宋体")
            return r

        run("— ")
        field_run = run()
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
            if kind:
                fld = OxmlElement("w:fldChar")
                fld.set(qn("w:fldCharType"), kind)
                field_run._r.append(fld)
            elif text == " PAGE ":
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = text
                field_run._r.append(instr)
            else:
                t = OxmlElement("w:t")
                t.text = text
                field_run._r.append(t)
        run(" —")

    # blocks ---------------------------------------------------------------------------------------
    def _para(self, text: str = "", style: str = "公文正文", *, align: str = "justify") -> Any:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        paragraph = self.word.add_paragraph(text, style=style)
        paragraph.alignment = {
            "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
            "left": WD_ALIGN_PARAGRAPH.LEFT,
        }[align]
        return paragraph

    def _plain(self, text: str = "", *, align: str = "left") -> Any:
        from docx.shared import Pt

        paragraph = self._para(text, "Normal", align=align)
        paragraph.paragraph_format.first_line_indent = Pt(0)
        return paragraph

    def _header(self) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Mm, Pt, RGBColor

        d = self.doc
        if not d.mark:
            return
        mark = self._plain(align="center")
        mark.paragraph_format.space_before = Mm(25)
        mark.paragraph_format.line_spacing = Pt(mark_size(d.mark) * 1.3)
        run = mark.add_run(d.mark)
        run.font.size = Pt(mark_size(d.mark))
        run.font.color.rgb = RGBColor.from_string(RED)
        _set_fonts(run._r.get_or_add_rPr(), self.fonts.mark[0], self.fonts.latin)
        self._plain()
        if d.issue_line:
            self._plain(d.number, align="center")
            line = self._plain(f"{d.issuer}\t{cn_date(d.signed_on)}")
            tabs = line.paragraph_format.tab_stops
            from docx.enum.text import WD_TAB_ALIGNMENT

            tabs.add_tab_stop(Mm(TYPE_W), WD_TAB_ALIGNMENT.RIGHT)
        else:
            line = self._plain(d.number, align="center")
        # The red rule under the 版头: a bottom border of the last header line, 4 mm below it.
        ppr = line._p.get_or_add_pPr()
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for attr, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "11"), ("w:color", RED)):
            bottom.set(qn(attr), value)
        borders.append(bottom)
        ppr.append(borders)
        self._plain()

    def _title(self, text: str) -> None:
        """The title centred, broken into balanced lines as the PDF breaks it (梯形)."""
        paragraph = self._para(style="公文标题", align="center")
        for i, line in enumerate(split_title(text, TYPE_W / (SIZE_2 * 25.4 / 72))):
            run = paragraph.add_run(line)
            if i:
                run._r.addprevious(run._r.makeelement(qn_("w:br"), {}))

    def _heading(self, block: Heading, prefix: str) -> None:
        self.word.add_paragraph(prefix + block.text, style="Heading 1" if block.level == 1 else "Heading 2")

    def _paragraph(self, block: Paragraph) -> None:
        from docx.shared import Pt

        paragraph = self._para(style="公文正文", align=block.align)
        if not block.indent:
            paragraph.paragraph_format.first_line_indent = Pt(0)
        if block.lead:
            lead = paragraph.add_run(block.lead)
            lead.font.bold = True
        paragraph.add_run(block.text)

    def _table(self, block: Table) -> None:
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.shared import Mm, Pt

        columns = list(block.columns)
        widths = list(block.widths) or [1.0] * len(columns)
        scale = TYPE_W / sum(widths)
        rows = [list(map(_cell_text, r)) for r in block.rows]
        total = block.total_cells()
        table = self.word.add_table(rows=1 + len(rows) + (1 if total else 0), cols=len(columns))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        # Fixed column widths (Word and LibreOffice read the grid, not only the cells' widths).
        table.autofit = False
        for col, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
            col.w = Mm(width * scale)

        def fill(cell: Any, text: str, align: Any, *, bold: bool = False) -> None:
            paragraph = cell.paragraphs[0]
            paragraph.style = self.word.styles["公文表格"]
            paragraph.text = text
            paragraph.alignment = align
            for run in paragraph.runs:
                run.font.bold = bold
                if block.size != SIZE_SMALL_4:
                    run.font.size = Pt(block.size)

        def align_of(c: int) -> Any:
            if c in block.centred:
                return WD_ALIGN_PARAGRAPH.CENTER
            return WD_ALIGN_PARAGRAPH.RIGHT if c in block.numeric else WD_ALIGN_PARAGRAPH.LEFT

        for r, row in enumerate(table.rows):
            trpr = row._tr.get_or_add_trPr()
            trpr.append(OxmlElement("w:cantSplit"))  # a row never breaks across pages
            if r == 0:
                trpr.append(OxmlElement("w:tblHeader"))  # the heading row repeats on every page
            for c, cell in enumerate(row.cells):
                cell.width = Mm(widths[c] * scale)
        for c, text in enumerate(columns):
            fill(table.rows[0].cells[c], text, WD_ALIGN_PARAGRAPH.CENTER, bold=True)
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values):
                fill(table.rows[r].cells[c], value, align_of(c))
        if total:
            cells = table.rows[-1].cells
            c = 0
            for value, span in total:
                cell = cells[c].merge(cells[c + span - 1]) if span > 1 else cells[c]
                fill(cell, _cell_text(value), WD_ALIGN_PARAGRAPH.CENTER if c == 0 else align_of(c), bold=True)
                c += span
        self._plain()

    def _blocks(self, blocks: Iterable[tuple[Block, str]]) -> None:
        for block, prefix in blocks:
            if isinstance(block, Heading):
                self._heading(block, prefix)
            elif isinstance(block, Paragraph):
                self._paragraph(block)
            else:
                self._table(block)

    def _signature(self) -> None:
        from docx.shared import Pt

        d = self.doc
        note = d.annex_note()
        if note:
            self._plain()
            for i, line in enumerate(note.split("\n")):
                p = self._para(line if i == 0 else "　　　" + line, "公文正文")
                p.paragraph_format.first_line_indent = Pt(SIZE_3 * 2)
        self._plain()
        self._plain()
        # 落款: the issuer over the date, the date four characters in from the right.
        for text in (d.issuer, cn_date(d.signed_on)):
            p = self._plain(text, align="right")
            p.paragraph_format.right_indent = Pt(SIZE_3 * 4 if text != d.issuer else SIZE_3 * 2)
        if d.contact:
            self._plain()
            p = self._para(d.contact, "公文正文")
            p.paragraph_format.first_line_indent = Pt(SIZE_3 * 2)

    def _annexes(self) -> None:
        from docx.enum.text import WD_BREAK
        from docx.shared import Pt

        for i, annex in enumerate(self.doc.annexes, start=1):
            self.word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            label = self.word.add_paragraph(self.doc.annex_label(i), style="Heading 1")
            label.paragraph_format.first_line_indent = Pt(0)
            self._plain()
            self._title(annex.title)
            if annex.note:
                self._plain(annex.note, align="right")
            self._plain()
            self._blocks((b, "") for b in annex.blocks)

    def _imprint(self) -> None:
        """版记: 抄送 and the 印发 line between rules, thick outside and thin between."""
        from docx.enum.text import WD_TAB_ALIGNMENT
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Mm, Pt

        d = self.doc
        if not (d.copy_to or d.printer):
            return
        lines: list[str] = []
        if d.copy_to:
            lines.append(f"抄送：{d.copy_to}。" if not d.copy_to.endswith("。") else f"抄送：{d.copy_to}")
        printed = f"{cn_date(d.printed_on or d.signed_on)}印发"
        lines.append(f"{d.printer or d.issuer}\t{printed}")
        self._plain()
        for n, text in enumerate(lines):
            p = self._plain(text)
            p.paragraph_format.left_indent = Pt(SIZE_4)
            p.paragraph_format.right_indent = Pt(SIZE_4)
            p.paragraph_format.line_spacing = Pt(SIZE_4 * 2)
            p.paragraph_format.tab_stops.add_tab_stop(Mm(TYPE_W) - Pt(SIZE_4 * 2), WD_TAB_ALIGNMENT.RIGHT)
            for run in p.runs:
                run.font.size = Pt(SIZE_4)
            borders = OxmlElement("w:pBdr")
            edges = [("w:top", "8" if n == 0 else "4")]
            if n == len(lines) - 1:
                edges.append(("w:bottom", "8"))
            for tag, size in edges:
                edge = OxmlElement(tag)
                for attr, value in (
                    ("w:val", "single"),
                    ("w:sz", size),
                    ("w:space", "1"),
                    ("w:color", "000000"),
                ):
                    edge.set(qn(attr), value)
                borders.append(edge)
            p._p.get_or_add_pPr().append(borders)

    def render(self) -> bytes:

        self._styles()
        self._page()
        # python-docx's template starts with one empty paragraph: use it for nothing.
        body = self.word.element.body
        for p in list(body.iterchildren()):
            if p.tag.endswith("}p"):
                body.remove(p)
        d = self.doc
        self._header()
        self._title(d.title)
        self._plain()
        if d.recipients:
            self._plain(d.recipients)
        self._blocks(d.headings())
        self._signature()
        self._annexes()
        self._imprint()
        self.word.core_properties.title = d.title
        self.word.core_properties.author = d.issuer
        buffer = io.BytesIO()
        self.word.save(buffer)
        return buffer.getvalue()


def qn_(tag: str) -> str:
    from docx.oxml.ns import qn

    return str(qn(tag))


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


# --- the PDF writer ----------------------------------------------------------------------------------
PT = 25.4 / 72  # millimetres per point
LINE_MM = TYPE_H / LINES_PER_PAGE


_CLOSING = "，。、；：？！）》」』”’〕】%．,.;:?!)]"
_OPENING = "（《「『“‘〔【([“"
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,:%/\-]*|——|……|\s+|.", re.S)


def _tokens(text: str) -> list[str]:
    """Units a line may not break inside: a number or Latin word, or one character; closing marks
    stick to what they close (避头), opening marks to what they open (避尾)."""
    out: list[str] = []
    glue = ""
    for token in _TOKEN.findall(text):
        if token in _OPENING:
            glue += token
        elif token[0] in _CLOSING and out and not glue:
            out[-1] += token
        else:
            out.append(glue + token)
            glue = ""
    if glue:
        out.append(glue)
    return out


_GOOD_BREAK_AFTER = "的期年镇乡村县于和及与、）"


def split_title(text: str, capacity: float) -> list[str]:
    """A title's lines: where the text has newlines, else balanced (upper lines not shorter) and
    broken after a word end (的, 年, 期, 镇 …) near the balance point when one is close."""
    lines: list[str] = []
    for chunk in text.split("\n"):
        tokens = _tokens(chunk)
        total = _width_in_chars(chunk)
        count_lines = max(1, -int(-total // capacity))
        while len(tokens) > 0 and count_lines > 1:
            target = total / count_lines
            widths = [_width_in_chars(t) for t in tokens]
            ends = [sum(widths[: i + 1]) for i in range(len(tokens))]
            fits = [i for i, e in enumerate(ends) if e <= capacity]
            # candidates: break after token i, its end within [target - 3, target + 3] and fitting
            near = [i for i in fits if abs(ends[i] - target) <= 3 and tokens[i][-1] in _GOOD_BREAK_AFTER]
            balanced = min(fits, key=lambda i: (ends[i] < target - 0.01, abs(ends[i] - target)))
            cut = min(near, key=lambda i: abs(ends[i] - target)) if near else balanced
            lines.append("".join(tokens[: cut + 1]))
            tokens = tokens[cut + 1 :]
            total -= ends[cut]
            count_lines -= 1
        lines.append("".join(tokens))
    return lines


def _width_in_chars(text: str) -> float:
    """Characters of a 3号 line that `text` fills: Chinese 1, Latin and digits ½."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


class _PdfWriter:
    def __init__(self, doc: OfficialDocument, fonts: dict[str, tuple[str, int]]) -> None:
        from fpdf import FPDF

        writer = self

        class _Pages(FPDF):
            def footer(self) -> None:
                writer._page_number()

        self.doc = doc
        self.pdf = _Pages(orientation="portrait", unit="mm", format="A4")
        pdf = self.pdf
        pdf.set_margins(MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT)
        pdf.set_auto_page_break(True, margin=MARGIN_BOTTOM)
        pdf.set_title(doc.title)
        pdf.set_author(doc.issuer)
        pdf.set_creator("bangfu")
        pdf.set_lang("zh-CN")
        # One family per distinct face (parsing a CJK font is the slow part); roles name families.
        self.family: dict[str, str] = {}
        faces: dict[tuple[str, int], str] = {}
        for role, face in fonts.items():
            if face not in faces:
                faces[face] = f"f{len(faces)}"
                pdf.add_font(faces[face], "", face[0], collection_font_number=face[1])
            self.family[role] = faces[face]
        # Bold runs and table headings use the bold face.
        bold_path, bold_number = fonts["bold"]
        for role in ("body", "heading1"):
            if self.family[role] != self.family["bold"]:
                pdf.add_font(self.family[role], "B", bold_path, collection_font_number=bold_number)

    # helpers ------------------------------------------------------------------------------------
    def _page_number(self) -> None:
        from fpdf.enums import XPos, YPos

        pdf = self.pdf
        pdf.set_font(self.family["body"], "", SIZE_4)
        pdf.set_text_color(0, 0, 0)
        pdf.set_xy(MARGIN_LEFT + SIZE_4 * PT, PAGE_H - MARGIN_BOTTOM + 7)
        odd = pdf.page_no() % 2 == 1
        pdf.cell(
            TYPE_W - 2 * SIZE_4 * PT,
            SIZE_4 * PT * 1.2,
            f"— {pdf.page_no()} —",
            align="R" if odd else "L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )

    def _line(
        self,
        text: str,
        font: str,
        size: float,
        *,
        align: str = "L",
        color: tuple[int, int, int] = (0, 0, 0),
        height: float = LINE_MM,
        right_chars: float = 0,
    ) -> None:
        from fpdf.enums import WrapMode, XPos, YPos

        pdf = self.pdf
        pdf.set_font(self.family[font], "", size)
        pdf.set_text_color(*color)
        pdf.set_x(MARGIN_LEFT)
        width = TYPE_W - right_chars * SIZE_3 * PT
        pdf.multi_cell(
            width, height, text, align=align, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def _measure(self, font: str, style: str, size: float, text: str) -> float:
        self.pdf.set_font(self.family[font], style, size)
        return float(self.pdf.get_string_width(text))

    def _flow(
        self,
        parts: Sequence[tuple[str, str, str]],
        *,
        indent: bool = True,
        size: float = SIZE_3,
        keep_with: int = 0,
    ) -> None:
        """One paragraph of runs (font, style, text) set line by line: the first line indented two
        characters, Chinese broken between characters but never inside a number or a Latin word,
        no closing mark at a line start (避头), lines justified by letter spacing but the last."""
        pdf = self.pdf
        pdf.set_text_color(0, 0, 0)
        tokens = [
            (font, style, token, self._measure(font, style, size, token))
            for font, style, text in parts
            for token in _tokens(text)
        ]
        lead = 2 * size * PT if indent else 0.0
        lines: list[list[tuple[str, str, str, float]]] = [[]]
        used = lead
        for item in tokens:
            if lines[-1] and used + item[3] > TYPE_W + 0.01:
                lines.append([])
                used = 0.0
            lines[-1].append(item)
            used += item[3]
        if keep_with > 0 and (len(lines) + keep_with) * LINE_MM <= TYPE_H:
            # The last paragraph goes over with the 落款 rather than leave it alone on a page.
            if pdf.get_y() + (len(lines) + keep_with) * LINE_MM > PAGE_H - MARGIN_BOTTOM + 0.01:
                pdf.add_page()
        for n, line in enumerate(lines):
            if pdf.will_page_break(LINE_MM):
                pdf.add_page()
            x = MARGIN_LEFT + (lead if n == 0 else 0.0)
            width = sum(t[3] for t in line)
            chars = sum(len(t[2]) for t in line)
            last = n == len(lines) - 1
            spacing = 0.0 if last or chars < 2 else (MARGIN_LEFT + TYPE_W - x - width) / (chars - 1)
            if spacing > size * PT / 3:  # a long number pushed to the next line: leave this one ragged
                spacing = 0.0
            y = pdf.get_y()
            for font, style, text, text_width in line:
                pdf.set_font(self.family[font], style, size)
                for ch in text if spacing else (text,):
                    pdf.set_xy(x, y)
                    w = text_width if not spacing else self._measure(font, style, size, ch)
                    pdf.cell(w, LINE_MM, ch)
                    x += w + (spacing if spacing else 0.0)
            pdf.set_xy(MARGIN_LEFT, y + LINE_MM)

    def _centred(
        self, text: str, font: str, size: float, *, height: float, color: tuple[int, int, int] = (0, 0, 0)
    ) -> None:
        """A title: centred, and when it needs more than one line, broken into balanced lines (the
        upper ones longer) or where the text says (a newline)."""
        from fpdf.enums import XPos, YPos

        pdf = self.pdf
        pdf.set_text_color(*color)
        lines = split_title(text, TYPE_W / (size * PT))
        pdf.set_font(self.family[font], "", size)
        for line in lines:
            if pdf.will_page_break(height):
                pdf.add_page()
            pdf.set_x(MARGIN_LEFT)
            pdf.cell(TYPE_W, height, line, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _blank(self, lines: float = 1) -> None:
        self.pdf.ln(LINE_MM * lines)

    # parts ---------------------------------------------------------------------------------------
    def _header(self) -> None:
        pdf = self.pdf
        d = self.doc
        if not d.mark:
            return
        pdf.set_y(MARGIN_TOP + 25)
        size = mark_size(d.mark)
        pdf.set_font(self.family["mark"], "", size)
        while pdf.get_string_width(d.mark) > TYPE_W and size > 16:
            size -= 1
            pdf.set_font(self.family["mark"], "", size)
        self._centred(d.mark, "mark", size, height=size * PT * 1.3, color=(255, 0, 0))
        self._blank()
        if d.issue_line:
            self._line(d.number, "body", SIZE_3, align="C")
            y = pdf.get_y()
            self._line(d.issuer, "body", SIZE_3, align="L")
            pdf.set_y(y)
            self._line(cn_date(d.signed_on), "body", SIZE_3, align="R")
        else:
            self._line(d.number, "body", SIZE_3, align="C")
        y = pdf.get_y() + 4 - (LINE_MM - SIZE_3 * PT) / 2
        pdf.set_draw_color(255, 0, 0)
        pdf.set_line_width(0.6)
        pdf.line(MARGIN_LEFT, y, MARGIN_LEFT + TYPE_W, y)
        pdf.set_draw_color(0, 0, 0)
        pdf.set_y(y + 4)
        self._blank()

    def _table(self, block: Table) -> None:
        from fpdf.enums import TableCellFillMode, WrapMode
        from fpdf.fonts import FontFace

        pdf = self.pdf
        columns = [str(c) for c in block.columns]
        widths = list(block.widths) or [1.0] * len(columns)
        align = tuple(
            "C" if i in block.centred else "R" if i in block.numeric else "L" for i in range(len(columns))
        )
        pdf.set_font(self.family["body"], "", block.size)
        pdf.set_text_color(0, 0, 0)
        pdf.set_draw_color(0, 0, 0)
        pdf.set_line_width(0.2)
        with pdf.table(
            width=TYPE_W,
            col_widths=widths,
            text_align=align,
            line_height=block.size * PT * 1.5,
            headings_style=FontFace(family=self.family["heading1"], emphasis="NONE", size_pt=block.size),
            repeat_headings=1,
            wrapmode=WrapMode.CHAR,
            padding=1,
            cell_fill_mode=TableCellFillMode.NONE,
        ) as table:
            head = table.row()
            for text in columns:
                head.cell(text, align="C")
            for values in block.rows:
                row = table.row()
                for value in values:
                    row.cell(_cell_text(value))
            total = block.total_cells()
            if total:
                row = table.row(style=FontFace(family=self.family["body"], emphasis="BOLD"))
                for n, (value, span) in enumerate(total):
                    row.cell(_cell_text(value), colspan=span, align="C" if n == 0 else None)
        self._blank(0.5)

    def _blocks(self, blocks: Iterable[tuple[Block, str]], *, keep_last_with: int = 0) -> None:
        items = list(blocks)
        for n, (block, prefix) in enumerate(items):
            if isinstance(block, Heading):
                # Keep a heading with what follows: two lines of text, or a table's heading and a row.
                following = items[n + 1][0] if n + 1 < len(items) else None
                keep = 3.5 if isinstance(following, Table) else 2
                if self.pdf.get_y() + keep * LINE_MM > PAGE_H - MARGIN_BOTTOM:
                    self.pdf.add_page()
                font = "heading1" if block.level == 1 else "heading2"
                self._flow([(font, "", prefix + block.text)])
            elif isinstance(block, Paragraph):
                parts = [("body", "B", block.lead)] if block.lead else []
                parts.append(("body", "", block.text))
                if block.align == "justify":
                    keep = keep_last_with if n == len(items) - 1 else 0
                    self._flow(parts, indent=block.indent, keep_with=keep)
                else:
                    self._line(block.text, "body", SIZE_3, align={"center": "C", "right": "R"}[block.align])
            else:
                self._table(block)

    def _signature(self) -> None:
        d = self.doc
        note = d.annex_note()
        if note:
            self._blank()
            for i, line in enumerate(note.split("\n")):
                self._flow([("body", "", line if i == 0 else "\u3000\u3000\u3000" + line)])
        # Two blank lines above the 落款, fewer when that keeps it on the page of the text above
        # (GB/T 9704 §7.3.5.1: adjust the spacing rather than leave the 落款 alone on a page).
        room = (PAGE_H - MARGIN_BOTTOM - self.pdf.get_y()) / LINE_MM
        self._blank(max(0, min(2, int(room + 0.01) - 2)))
        date_text = cn_date(d.signed_on)
        # The date four characters in from the right, the issuer centred over it.
        date_chars = _width_in_chars(date_text)
        issuer_right = max(0.0, 4 + (date_chars - _width_in_chars(d.issuer)) / 2)
        self._line(d.issuer, "body", SIZE_3, align="R", right_chars=issuer_right)
        self._line(date_text, "body", SIZE_3, align="R", right_chars=4)
        if d.contact:
            self._blank()
            self._flow([("body", "", d.contact)])

    def _annexes(self) -> None:
        pdf = self.pdf
        for i, annex in enumerate(self.doc.annexes, start=1):
            pdf.add_page()
            self._line(self.doc.annex_label(i), "heading1", SIZE_3)
            self._blank()
            self._centred(annex.title, "title", SIZE_2, height=SIZE_2 * PT * 1.5)
            if annex.note:
                self._line(annex.note, "body", SIZE_SMALL_4, align="R", height=SIZE_SMALL_4 * PT * 1.8)
            self._blank(0.5)
            self._blocks((b, "") for b in annex.blocks)

    def _imprint(self) -> None:
        """版记 at the foot of the last page, between a thick rule, thin rules and a thick rule."""
        from fpdf.enums import XPos, YPos

        d = self.doc
        if not (d.copy_to or d.printer):
            return
        pdf = self.pdf
        rows: list[tuple[str, str]] = []
        if d.copy_to:
            rows.append((f"抄送：{d.copy_to.rstrip('。')}。", ""))
        rows.append((d.printer or d.issuer, f"{cn_date(d.printed_on or d.signed_on)}印发"))
        row_h = SIZE_4 * PT * 2
        height = row_h * len(rows)
        bottom = PAGE_H - MARGIN_BOTTOM
        if pdf.get_y() + height + LINE_MM > bottom:
            pdf.add_page()
        y = bottom - height
        pdf.set_font(self.family["body"], "", SIZE_4)
        pdf.set_text_color(0, 0, 0)
        pdf.set_draw_color(0, 0, 0)
        for n, (left, right) in enumerate(rows):
            pdf.set_line_width(0.35 if n == 0 else 0.25)
            pdf.line(MARGIN_LEFT, y, MARGIN_LEFT + TYPE_W, y)
            pdf.set_xy(MARGIN_LEFT + SIZE_4 * PT, y)
            pdf.cell(TYPE_W - 2 * SIZE_4 * PT, row_h, left, align="L", new_x=XPos.LMARGIN, new_y=YPos.TOP)
            if right:
                pdf.set_xy(MARGIN_LEFT + SIZE_4 * PT, y)
                pdf.cell(TYPE_W - 2 * SIZE_4 * PT, row_h, right, align="R")
            y += row_h
        pdf.set_line_width(0.35)
        pdf.line(MARGIN_LEFT, y, MARGIN_LEFT + TYPE_W, y)

    def render(self) -> bytes:
        pdf = self.pdf
        d = self.doc
        pdf.add_page()
        self._header()
        if not d.mark:
            pdf.set_y(MARGIN_TOP)
        self._centred(d.title, "title", SIZE_2, height=SIZE_2 * PT * 1.5)
        self._blank()
        if d.recipients:
            self._line(d.recipients, "body", SIZE_3)
        note_lines = len(d.annex_note().split("\n")) + 1 if d.annexes else 0
        self._blocks(d.headings(), keep_last_with=2 + note_lines)
        self._signature()
        self._annexes()
        self._imprint()
        return bytes(pdf.output())
