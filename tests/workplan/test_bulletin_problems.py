"""The bulletin's 存在问题 names units and facts from the attention list (#15): the overdue
milestones, the units that missed the quarter's team visit, the unpaid Yulu students, and the
units late with their ledger reports."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from docx import Document

from bangfu.areas.models import Area
from bangfu.core.demo import COUNTY_CODE, seed_demo
from bangfu.lib.attention import items_for_county
from bangfu.lib.officialdoc import fullwidth


@pytest.fixture
def june_problems(db, settings, tmp_path) -> str:
    settings.BANGFU_TODAY = date(2020, 7, 15)
    seed_demo(full=True)
    out = tmp_path / "june.docx"
    call_command("bulletin", "--month", "2020-06", "-o", str(out))
    doc = Document(io.BytesIO(out.read_bytes()))
    texts = [p.text for p in doc.paragraphs]
    start = texts.index("三、存在问题")
    return texts[start + 1]


def test_the_june_bulletin_names_the_problems_of_the_records(june_problems):
    text = june_problems
    assert text.startswith("一是")
    # Unpaid Yulu students of the spring term (the deadline, 30 June, has passed).
    assert "2020春季学期雨露计划应补未补2人" in text
    # The designated units with no qualifying team visit in Q2, in one sentence.
    county = Area.objects.get(code=COUNTY_CODE)
    items = items_for_county(county, date(2020, 7, 15))
    missed = [i for i in items if i.kind == "partners.visits_missed"]
    assert missed, "the demo has units that missed Q2's visit"
    for item in missed:
        assert str(item.title).removesuffix("二季度未派出工作组") in text
    assert "二季度未派出工作组" in text
    # Overdue milestones, with their lead unit and due date.
    overdue = [i for i in items if i.kind == "workplan.milestone" and i.in_bulletin]
    assert overdue
    for item in overdue:
        assert fullwidth(str(item.title)) in text  # the bulletin writes （2-5人）
    assert "已过完成时限（2020年6月30日）尚未完成" in text
    # The late reporters it already named.
    assert "6月工作台账" in text
