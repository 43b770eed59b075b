"""Attention sources the demo does not exercise: a failed registry import, a campaign's disclosure
deadline. Each item's link opens for the user who can act on it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bangfu.areas.models import Area
from bangfu.charity.models import CampaignStatus
from bangfu.charity.services import change_campaign_status, create_campaign
from bangfu.core.demo import COUNTY_CODE
from bangfu.lib.attention import Severity, can_act, items_for_county, items_for_user
from bangfu.partners.models import Organisation
from bangfu.registry.models import ImportJob, ImportStatus


def _of(kind, county, today):
    return [i for i in items_for_county(county, today) if i.kind == kind]


def test_a_failed_import_is_the_county_admin_s_to_look_at(settings, county_admin, township_clerk, client_for):
    settings.BANGFU_TODAY = date(2020, 7, 15)
    county = Area.objects.get(code=COUNTY_CODE)
    job = ImportJob.objects.create(
        county=county,
        created_by=county_admin,
        file_name="2020年建档立卡.xlsx",
        as_of=date(2020, 7, 1),
        status=ImportStatus.FAILED,
        message="第3行：证件号码无效",
    )
    ImportJob.objects.create(
        county=county,
        file_name="试运行.xlsx",
        as_of=date(2020, 7, 1),
        status=ImportStatus.FAILED,
        dry_run=True,
    )
    [item] = _of("registry.import_failed", county, date(2020, 7, 15))
    assert item.severity == Severity.CRITICAL and not item.in_bulletin
    assert "2020年建档立卡.xlsx" in str(item.title) and "失败" in str(item.title)
    assert item.url == f"/registry/imports/{job.pk}/"
    assert item in items_for_user(county_admin, date(2020, 7, 15))
    assert not can_act(township_clerk, item)
    assert client_for(county_admin).get(item.url).status_code == 200


def test_a_closed_campaign_is_due_for_disclosure_then_overdue(settings, county_admin, client_for):
    settings.BANGFU_TODAY = date(2020, 10, 1)
    county = Area.objects.get(code=COUNTY_CODE)
    campaign = create_campaign(
        actor=county_admin,
        county=county,
        year=2020,
        name="2020年扶贫日募捐",
        organiser=Organisation.objects.get(county=county, code="C09"),
        starts_on=date(2020, 10, 10),
        ends_on=date(2020, 10, 31),
        target=Decimal("100000"),
        disclosure_deadline=date(2020, 11, 30),
    )
    for status in (CampaignStatus.OPEN, CampaignStatus.CLOSED):
        campaign = change_campaign_status(actor=county_admin, campaign=campaign, status=status)
    assert _of("charity.disclosure_due", county, date(2020, 11, 1)) == []  # a month ahead: nothing yet
    [soon] = _of("charity.disclosure_due", county, date(2020, 11, 20))
    assert soon.severity == Severity.WARNING and not soon.in_bulletin
    assert soon.title == "“2020年扶贫日募捐”须于2020年11月30日前公示捐赠使用情况"
    [late] = _of("charity.disclosure_due", county, date(2020, 12, 2))
    assert late.severity == Severity.CRITICAL and late.in_bulletin and late.since == date(2020, 12, 1)
    assert "逾期未公示" in str(late.title)
    assert client_for(county_admin).get(late.url).status_code == 200
    change_campaign_status(actor=county_admin, campaign=campaign, status=CampaignStatus.DISCLOSED)
    assert _of("charity.disclosure_due", county, date(2020, 12, 2)) == []
