from __future__ import annotations

import io
import re
from datetime import date

import pytest

from bangfu.areas.models import Area
from bangfu.lib import idnumbers

COUNTY = "513325000000"
XUELING = "513325100000"  # 雪岭镇, the demo township clerk's
RANBU = "513325100202"  # 然布村, 雪岭镇
ZHUOGA = "513325200201"  # 卓嘎村, 扎西乡
ID_PATTERN = re.compile(r"\d{17}[\dX]")


@pytest.fixture
def county(demo) -> Area:
    return Area.objects.get(code=COUNTY)


@pytest.fixture
def yulu_students(county, settings) -> list[str]:
    """Twelve vocational students in two townships, the spring term applied for, reviewed and
    paid by the subsidies demo; returns their full ID numbers."""
    from bangfu.registry.models import Schooling
    from bangfu.subsidies.demo import seed_demo
    from tests.subsidies.conftest import make_household, make_member

    settings.BANGFU_TODAY = date(2020, 7, 15)
    numbers = []
    for i in range(12):
        member = make_member(
            make_household(f"H{i}", ZHUOGA if i % 2 else RANBU), i, schooling=Schooling.SECONDARY_VOCATIONAL_2
        )
        first17 = f"51332520030101{i:03d}"
        numbers.append(first17 + idnumbers.check_character(first17))
        assert member.id_number_masked == idnumbers.mask(numbers[-1])
    seed_demo(county)
    return numbers


def pdf_text(content: bytes) -> list[str]:
    """The text layer of each page (pypdfium2), whitespace removed."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(io.BytesIO(content))
    pages = []
    for page in pdf:
        text = page.get_textpage().get_text_range()
        pages.append(re.sub(r"\s+", "", text))
    return pages


def pdf_page_sizes(content: bytes) -> list[tuple[float, float]]:
    import pypdfium2

    return [tuple(round(v) for v in page.get_size()) for page in pypdfium2.PdfDocument(io.BytesIO(content))]
