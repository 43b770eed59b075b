"""The official-document helpers: text rules of GB/T 9704 and the font look-up for PDFs."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from docx import Document
from docx.oxml.ns import qn

from bangfu.lib import officialdoc
from bangfu.lib.officialdoc import (
    Annex,
    Heading,
    OfficialDocument,
    Paragraph,
    PdfFontMissing,
    Table,
    cn_date,
    cn_numeral,
    fullwidth,
    render_docx,
    render_pdf,
    split_title,
    wan,
)


def test_the_date_has_no_leading_zeros():
    assert cn_date(date(2020, 7, 5)) == "2020年7月5日"


def test_heading_numerals():
    assert [cn_numeral(n) for n in (1, 10, 12, 20, 21)] == ["一", "十", "十二", "二十", "二十一"]


def test_amounts_are_written_in_wan_with_two_decimals():
    assert wan(Decimal("123456")) == "12.35"
    assert wan(0) == "0.00"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("项目资金支付:本月", "项目资金支付：本月"),
        ("各乡(镇)人民政府,县级各部门(单位):", "各乡（镇）人民政府，县级各部门（单位）："),
        ("金额1,500.00元;时间10:30", "金额1,500.00元；时间10:30"),
        ("开展企业扶贫--万企帮万村", "开展企业扶贫——万企帮万村"),
        ("(1)第一", "(1)第一"),
    ],
)
def test_half_width_punctuation_in_chinese_text_becomes_full_width(raw, expected):
    assert fullwidth(raw) == expected


def test_a_long_title_breaks_into_balanced_lines_after_a_word():
    assert split_title("关于雪岭镇2020年春季学期雨露计划补助对象的公示", 20) == [
        "关于雪岭镇2020年春季学期",
        "雨露计划补助对象的公示",
    ]
    assert split_title("短标题", 20) == ["短标题"]


def _doc() -> OfficialDocument:
    return OfficialDocument(
        title="测试文件",
        body=[
            Heading("总体进展"),
            Paragraph("正文内容。"),
            Heading("分项", level=2),
            Paragraph("分项内容。"),
        ],
        issuer="格桑县脱贫攻坚领导小组办公室",
        signed_on=date(2020, 7, 15),
        mark="格桑县脱贫攻坚领导小组办公室文件",
        number="格脱贫办〔2020〕3号",
        annexes=[Annex("附表", [Table(["单位", "金额"], [["甲", Decimal("1.50")]], numeric=[1])])],
        copy_to="县委办公室",
        printer="格桑县脱贫攻坚领导小组办公室",
    )


def test_word_names_each_font_in_the_east_asian_slot_with_its_fall_back():
    word = Document(io.BytesIO(render_docx(_doc())))
    fonts = word.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    table = next(
        p for p in word.part.package.iter_parts() if p.partname == "/word/fontTable.xml"
    ).blob.decode()
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in table
    texts = [p.text for p in word.paragraphs]
    assert texts.index("格桑县脱贫攻坚领导小组办公室") < texts.index("附件")
    assert "一、总体进展" in texts and "（一）分项" in texts


def test_a_server_without_chinese_fonts_is_told_what_to_install(settings, tmp_path, monkeypatch):
    settings.BANGFU_FONT_DIR = str(tmp_path)
    monkeypatch.setattr(officialdoc, "SYSTEM_FONT_DIRS", ())
    with pytest.raises(PdfFontMissing, match="fonts-noto-cjk"):
        render_pdf(_doc())
    # Word needs no font on the server.
    assert render_docx(_doc())


def test_the_notice_pdf_view_answers_503_without_fonts_and_the_print_page_still_works(
    county_admin, client_for, settings, tmp_path, monkeypatch
):
    from bangfu.subsidies.services import create_term

    settings.BANGFU_FONT_DIR = str(tmp_path)
    monkeypatch.setattr(officialdoc, "SYSTEM_FONT_DIRS", ())
    create_term(actor=None, county=county_admin.area, code="2020-spring")
    url = "/documents/notices/yulu/2020-spring/?area=513325100202&stage=approved&start=2020-07-16&days=7"
    client = client_for(county_admin)
    response = client.get(url + "&format=pdf")
    assert response.status_code == 503
    assert "fonts-noto-cjk" in response.content.decode()
    assert client.get(url).status_code == 200
