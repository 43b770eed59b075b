"""The print pages of the public notices, printed by Chromium to PDF as an office would print
them: A4, every table row whole on one page, the table heading repeated on each page."""

from __future__ import annotations

import io
import re

import pypdfium2
from playwright.sync_api import Page

from bangfu.areas.models import Area
from bangfu.subsidies import demo as subsidies_demo
from bangfu.subsidies.models import YuluApplication
from tests.browser.conftest import log_in
from tests.browser.test_journeys import base  # noqa: F401  (a fixture)
from tests.subsidies.conftest import make_household

RANBU = "513325100202"  # 然布村, 雪岭镇

A4_POINTS = (595, 842)


def _pages(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    sizes = {tuple(round(v) for v in page.get_size()) for page in document}
    assert sizes == {A4_POINTS}, sizes
    return [re.sub(r"\s+", "", page.get_textpage().get_text_range()) for page in document]


def _student(seq: int) -> None:
    """A vocational student of 然布村, written as the registry writes members."""
    from bangfu.lib import idnumbers
    from bangfu.lib.crypto import blind_index, encrypt_text
    from bangfu.registry.models import Member, Schooling
    from bangfu.registry.writer import ID_CONTEXT

    household = make_household(f"P{seq:03d}", RANBU)
    first17 = f"51332520040101{seq:03d}"
    number = first17 + idnumbers.check_character(first17)
    Member.objects.create(
        household=household,
        county=household.county,
        village=household.village,
        name=f"学生{seq}",
        id_number_encrypted=encrypt_text(number, context=ID_CONTEXT),
        id_number_index=blind_index(number, purpose="id_number"),
        id_number_masked=idnumbers.mask(number),
        relation="之子",
        schooling=Schooling.SECONDARY_VOCATIONAL_1,
    )


def test_the_yulu_notice_prints_on_a4_without_cut_rows(base, page: Page, finish) -> None:  # noqa: F811
    for i in range(40):  # a village with a list long enough to run over two pages
        _student(i)
    subsidies_demo.seed_demo(base)
    township = Area.objects.get(code=RANBU[:9] + "000")
    rows = list(
        YuluApplication.objects.filter(
            term__code="2020-spring",
            village__code__startswith=township.prefix,
            status__in=("batched", "paid"),
        ).select_related("member", "village")
    )
    assert len(rows) > 30

    log_in(page, "admin")
    page.goto(
        f"/documents/notices/yulu/2020-spring/?area={township.code}&stage=approved&start=2020-07-16&days=7"
    )
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    page.emulate_media(media="screen")
    finish(page, "09-yulu-notice-print-page")

    pages = _pages(pdf)
    assert len(pages) >= 2
    text = "".join(pages)
    assert f"关于{township.name}" in text and "公示期为2020年7月16日至2020年7月22日（共7天）" in text
    table_pages = [p for p in pages if "身份证号码" in p]
    for app in rows:
        on = [n for n, p in enumerate(pages) if app.member.id_number_masked in p]
        assert len(on) == 1, f"row of {app.member.id_number_masked} missing or repeated"
        # Every cell of the row on that page (a row cut by the page break would leave some on the next).
        assert app.member.name in pages[on[0]] and app.school in pages[on[0]]
        assert "身份证号码" in pages[on[0]], "the table heading is not repeated on this page"
    assert len(table_pages) >= 2
    assert not re.search(r"\d{17}[\dX]", text)
