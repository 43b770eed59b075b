"""The monthly bulletin as an official document (GB/T 9704): what a county office checks before
it sends the file out."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.core.management import call_command
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from bangfu.documents.models import DocumentNumber
from bangfu.documents.services import update_office_profile
from bangfu.workplan.demo import seed_demo as seed_workplan

HALF_WIDTH_BETWEEN_CJK = re.compile(r"[\u4e00-\u9fff][:,;][\u4e00-\u9fff]")
ZERO_FIGURE = re.compile(r"(?<![\d.])0(?:\.0+)?(?:万元|元|个|户|人次|人|次|份|期|对)")


@pytest.fixture
def june(settings, county, tmp_path):
    settings.BANGFU_TODAY = date(2020, 7, 15)
    seed_workplan(county)
    out = tmp_path / "june.docx"
    call_command("bulletin", "--month", "2020-06", "-o", str(out))
    return Document(io.BytesIO(out.read_bytes()))


def _body_paragraphs(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def test_the_june_bulletin_is_an_a4_official_document(june):
    section = june.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.page_height - Mm(297)) < Mm(0.5)
    assert abs(section.top_margin - Mm(37)) < Mm(0.5) and abs(section.left_margin - Mm(28)) < Mm(0.5)
    fonts = june.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert fonts.get(qn("w:eastAsiaTheme")) is None
    heading1 = june.styles["Heading 1"].element.rPr.rFonts
    assert heading1.get(qn("w:eastAsia")) == "黑体"
    assert june.styles["Heading 2"].element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"
    texts = _body_paragraphs(june)
    assert texts[0] == "格桑县脱贫攻坚领导小组办公室文件"
    number = next(t for t in texts if "〔2020〕" in t)
    assert re.fullmatch(r"格脱贫办〔2020〕\d+号", number)
    assert "2020年7月15日" in texts
    assert "2020年07月15日" not in "".join(texts)


def test_it_uses_full_width_punctuation_and_leaves_zero_figures_out(june):
    for text in _body_paragraphs(june):
        assert not HALF_WIDTH_BETWEEN_CJK.search(text), text
        assert not ZERO_FIGURE.search(text), text


def test_the_signature_comes_before_the_annex(june):
    texts = _body_paragraphs(june)
    signed = texts.index("2020年7月15日")
    assert texts[signed - 1] == "格桑县脱贫攻坚领导小组办公室"
    annex = texts.index("附件")
    assert signed < annex
    assert any(t.startswith("附件：") for t in texts[:signed])  # 附件说明 above the 落款
    # 版记 at the very end: 抄送 and the 印发 line.
    assert texts[-2].startswith("抄送：")
    assert texts[-1].endswith("2020年7月15日印发")


def test_it_reads_in_the_order_of_a_county_bulletin(june):
    headings = [p.text for p in june.paragraphs if p.style.name == "Heading 1"]
    assert headings[:4] == ["一、总体进展", "二、各项任务进展", "三、存在问题", "四、下步工作要求"]
    assert next(p.text for p in june.paragraphs if p.style.name == "Heading 2").startswith("（一）")


def test_the_number_is_kept_and_the_next_bulletin_takes_the_next(settings, county, tmp_path):
    settings.BANGFU_TODAY = date(2020, 7, 15)
    seed_workplan(county)
    for _ in range(2):
        call_command("bulletin", "--month", "2020-06", "-o", str(tmp_path / "a.docx"))
    call_command("bulletin", "--month", "2020-05", "-o", str(tmp_path / "b.docx"))
    numbers = dict(DocumentNumber.objects.values_list("subject", "number"))
    assert numbers == {"workplan.bulletin:2020-06": 1, "workplan.bulletin:2020-05": 2}
    draft = tmp_path / "c.docx"
    call_command("bulletin", "--month", "2020-04", "--draft", "-o", str(draft))
    texts = _body_paragraphs(Document(str(draft)))
    assert "格脱贫办〔2020〕　号" in texts
    assert DocumentNumber.objects.count() == 2


def test_a_taken_number_is_refused_and_nothing_is_registered(settings, county, tmp_path):
    from django.core.management.base import CommandError

    settings.BANGFU_TODAY = date(2020, 7, 15)
    seed_workplan(county)
    call_command("bulletin", "--month", "2020-06", "--number", "12", "-o", str(tmp_path / "a.docx"))
    with pytest.raises(CommandError, match="第12号已经使用"):
        call_command("bulletin", "--month", "2020-05", "--number", "12", "-o", str(tmp_path / "b.docx"))
    assert list(DocumentNumber.objects.values_list("number", flat=True)) == [12]


def test_an_issue_series_has_a_period_number(settings, county, county_admin, tmp_path):
    settings.BANGFU_TODAY = date(2020, 7, 15)
    seed_workplan(county)
    update_office_profile(
        actor=county_admin, county=county, numbering="issue", series_title="社会扶贫工作情况通报"
    )
    out = tmp_path / "a.docx"
    call_command("bulletin", "--month", "2020-06", "-o", str(out))
    texts = _body_paragraphs(Document(str(out)))
    assert texts[0] == "社会扶贫工作情况通报"
    assert "2020年第1期" in texts


def test_the_bulletin_pdf_carries_its_text(settings, county, tmp_path):
    from tests.documents.conftest import pdf_page_sizes, pdf_text

    settings.BANGFU_TODAY = date(2020, 7, 15)
    seed_workplan(county)
    out = tmp_path / "june.pdf"
    call_command("bulletin", "--month", "2020-06", "-o", str(out))
    content = out.read_bytes()
    pages = pdf_text(content)
    assert set(pdf_page_sizes(content)) == {(595, 842)}
    assert "格脱贫办〔2020〕1号" in pages[0]
    assert "关于2020年6月全县社会扶贫工作进展情况的通报" in pages[0]
    assert any("—1—" in p for p in pages[:1])
    assert "三、存在问题" in "".join(pages)


def test_the_dashboard_numbers_the_bulletin_and_downloads_it(settings, county, county_admin, client_for):
    settings.BANGFU_TODAY = date(2020, 7, 15)
    seed_workplan(county)
    client = client_for(county_admin)
    draft = client.get("/workplan/bulletin/?month=2020-06")
    assert "格脱贫办〔2020〕　号" in [p.text for p in Document(io.BytesIO(draft.content)).paragraphs]
    assert client.post("/workplan/bulletin/", {"month": "2020-06"}).status_code == 302
    numbered = client.get("/workplan/bulletin/?month=2020-06")
    assert "格脱贫办〔2020〕1号" in [p.text for p in Document(io.BytesIO(numbered.content)).paragraphs]
    pdf = client.get("/workplan/bulletin/?month=2020-06&format=pdf")
    assert pdf["Content-Type"] == "application/pdf"


def test_only_the_county_admin_numbers_bulletins(settings, county, township_clerk, client_for):
    settings.BANGFU_TODAY = date(2020, 7, 15)
    seed_workplan(county)
    response = client_for(township_clerk).post("/workplan/bulletin/", {"month": "2020-06"})
    assert response.status_code == 403
    assert not DocumentNumber.objects.exists()
