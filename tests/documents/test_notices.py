"""The printable public notices: what they say, who may open them, and that the PDF carries the
Chinese text in its text layer with no ID number unmasked."""

from __future__ import annotations

from datetime import date

import pytest

from bangfu.awards.demo import seed_demo as seed_awards
from bangfu.awards.models import AwardRound, Nomination, NominationStatus
from bangfu.charity.demo import seed_demo as seed_charity
from bangfu.charity.models import Campaign, Donation
from bangfu.charity.selectors import disclosure
from bangfu.documents.services import update_office_profile
from bangfu.lib import idnumbers
from bangfu.subsidies.models import YuluApplication

from .conftest import ID_PATTERN, RANBU, XUELING, pdf_page_sizes, pdf_text

A4 = (595, 842)  # points


def _yulu_url(area: str, fmt: str = "", stage: str = "approved") -> str:
    url = f"/documents/notices/yulu/2020-spring/?area={area}&stage={stage}&start=2020-07-16&days=7"
    return url + (f"&format={fmt}" if fmt else "")


def test_the_yulu_notice_lists_the_townships_students_with_masked_ids(
    yulu_students, county_admin, client_for
):
    update_office_profile(
        actor=county_admin, county=county_admin.area, phone="0836-1234567", address="格桑县人民路1号"
    )
    response = client_for(county_admin).get(_yulu_url(XUELING, "pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages = pdf_text(response.content)
    assert set(pdf_page_sizes(response.content)) == {A4}
    text = "".join(pages)
    listed = YuluApplication.objects.filter(
        term__code="2020-spring", village__code__startswith="513325100", status__in=("batched", "paid")
    ).select_related("member")
    assert listed.count() > 0
    assert "关于雪岭镇2020年春季学期雨露计划补助对象的公示" in text
    assert "公示期为2020年7月16日至2020年7月22日（共7天）" in text
    assert "0836-1234567" in text and "格桑县人民路1号" in text
    for app in listed:
        assert app.member.name in text
        assert app.member.id_number_masked in text
    # Nobody from the other township, and no full ID number anywhere.
    assert not ID_PATTERN.search(text)
    for number in yulu_students:
        assert number not in text
    other = YuluApplication.objects.filter(term__code="2020-spring").exclude(
        village__code__startswith="513325100"
    )
    assert other.exists()
    assert all(a.member.id_number_masked not in text for a in other)
    assert f"合计（{listed.count()}人）" in text


def test_the_yulu_notice_page_and_word_file_match(yulu_students, county_admin, client_for):
    client = client_for(county_admin)
    page = client.get(_yulu_url(RANBU)).content.decode()
    assert "<table" in page and "officialdoc.css" in page
    assert "format=pdf" in page and "format=docx" in page
    assert not ID_PATTERN.search(page)
    word = client.get(_yulu_url(RANBU, "docx"))
    assert word.status_code == 200
    assert word["Content-Disposition"].endswith('.docx"')


def test_a_township_clerk_cannot_open_another_townships_notice(
    yulu_students, other_township_clerk, client_for
):
    response = client_for(other_township_clerk).get(_yulu_url(XUELING))
    assert response.status_code == 404


def test_a_unit_reporter_cannot_open_yulu_notices(yulu_students, unit_reporter, client_for):
    assert client_for(unit_reporter).get(_yulu_url(XUELING)).status_code == 404


def test_the_award_notices_name_the_period_and_the_objection_page(county, county_admin, client_for, settings):
    settings.BANGFU_TODAY = date(2020, 7, 15)
    seed_awards(county)
    final = AwardRound.objects.get(code="513325-2019")
    client = client_for(county_admin)
    response = client.get(f"/documents/notices/awards/{final.code}/publicity/?format=pdf")
    assert response.status_code == 200
    text = "".join(pdf_text(response.content))
    ends = final.publicity_ends_on
    assert f"至{ends.year}年{ends.month}月{ends.day}日（共{final.publicity_days}天）" in text
    assert f"/awards/public/{final.code}/" in text
    awarded = Nomination.objects.filter(award_type__round=final, status=NominationStatus.AWARDED)
    for n in awarded:
        assert n.nominee_name in text
    result = client.get(f"/documents/notices/awards/{final.code}/result/?format=pdf")
    result_text = "".join(pdf_text(result.content))
    assert f"关于{final.title}结果的公告" in result_text
    not_selected = Nomination.objects.filter(award_type__round=final, status=NominationStatus.NOT_SELECTED)
    for n in not_selected:
        assert n.nominee_name not in result_text


def test_there_is_no_result_notice_before_the_round_is_final(county, county_admin, client_for, settings):
    settings.BANGFU_TODAY = date(2020, 7, 15)
    seed_awards(county)
    open_round = AwardRound.objects.exclude(status="final").first()
    assert open_round is not None
    assert (
        client_for(county_admin).get(f"/documents/notices/awards/{open_round.code}/result/").status_code
        == 404
    )


def test_the_donation_notice_separates_cash_goods_spending_and_balance(
    county, county_admin, client_for, settings
):
    settings.BANGFU_TODAY = date(2020, 7, 15)
    seed_charity(county)
    campaign = Campaign.objects.get(code="513325-2019")
    d = disclosure(campaign, with_donations=False)
    response = client_for(county_admin).get(f"/documents/notices/charity/{campaign.code}/?format=pdf")
    assert response.status_code == 200
    text = "".join(pdf_text(response.content))

    def yuan(v):
        return f"{v:,.2f}"

    assert f"资金{yuan(d.money_raised)}元" in text
    assert f"物资折价{yuan(d.goods_value)}元" in text
    assert f"结余{yuan(d.balance)}元" in text
    for s in d.spendings:
        assert s["purpose"] in text
    goods = Donation.objects.filter(campaign=campaign, kind="goods", voided_at__isnull=True)
    assert goods.exists()
    for g in goods:
        assert g.goods_description in text
        if g.donor_kind == "person" and not g.publish_name:
            assert g.donor_name not in text
    for s in campaign.spendings.exclude(household=""):
        assert s.household not in text


def test_the_donation_notice_is_for_the_offices_charity_staff_only(
    county, township_clerk, client_for, settings
):
    settings.BANGFU_TODAY = date(2020, 7, 15)
    seed_charity(county)
    assert client_for(township_clerk).get("/documents/notices/charity/513325-2019/").status_code == 404


def test_the_index_offers_what_the_user_may_print(yulu_students, county_admin, township_clerk, client_for):
    admin_page = client_for(county_admin).get("/documents/").content.decode()
    assert "/documents/notices/yulu/2020-spring/" in admin_page
    assert "/documents/settings/" in admin_page
    clerk_page = client_for(township_clerk).get("/documents/").content.decode()
    assert "/documents/settings/" not in clerk_page
    assert 'value="513325200000"' not in clerk_page  # another township is not offered


@pytest.mark.parametrize("fmt", ["pdf", "docx", ""])
def test_a_notice_without_students_still_renders(county, county_admin, client_for, fmt):
    from bangfu.subsidies.services import create_term

    create_term(actor=None, county=county, code="2020-spring")
    response = client_for(county_admin).get(_yulu_url(RANBU, fmt))
    assert response.status_code == 200


def test_masking_is_the_registrys():
    assert idnumbers.mask("513325200301010017") == "513325********0017"
