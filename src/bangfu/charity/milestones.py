"""Charity's milestone rules: the 扶贫日 campaign planned, held, and its use disclosed (plan 3.5.4)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.areas.models import Area
from bangfu.charity.models import Campaign, CampaignStatus
from bangfu.lib.milestones import Evidence, milestone_rule

READS = (Campaign,)  # the cache stamp of the states (bangfu.lib.milestones)


def _campaign(county: Area, year: int) -> Campaign | None:
    return Campaign.objects.filter(county=county, year=year).order_by("starts_on", "pk").first()


def _none(year: int) -> Evidence:
    return Evidence(
        False,
        None,
        _("尚未登记%(year)s年扶贫日活动") % {"year": year},
        links=((_("扶贫日活动"), reverse("charity:campaigns")),),
    )


def _links(campaign: Campaign) -> tuple[tuple[Any, str], ...]:
    return ((campaign.name, reverse("charity:campaign", args=[campaign.code])),)


@milestone_rule("charity.poverty_day_planned", label=gettext_lazy("已登记本年度扶贫日活动方案"), reads=READS)
def poverty_day_planned(county: Area, milestone: Any, today: date) -> Evidence:
    campaign = _campaign(county, milestone.due_date.year)
    if campaign is None:
        return _none(milestone.due_date.year)
    return Evidence(
        True,
        None,
        _("已登记“%(name)s”，募集期%(start)s至%(end)s")
        % {"name": campaign.name, "start": campaign.starts_on, "end": campaign.ends_on},
        links=_links(campaign),
    )


@milestone_rule("charity.poverty_day_held", label=gettext_lazy("扶贫日活动已开展（已开始募集）"), reads=READS)
def poverty_day_held(county: Area, milestone: Any, today: date) -> Evidence:
    campaign = _campaign(county, milestone.due_date.year)
    if campaign is None:
        return _none(milestone.due_date.year)
    held = campaign.status != CampaignStatus.PLANNED and campaign.starts_on <= today
    return Evidence(
        held,
        campaign.starts_on if held else None,
        _("“%(name)s”%(status)s，募集开始日期%(start)s")
        % {"name": campaign.name, "status": campaign.get_status_display(), "start": campaign.starts_on},
        counts={"status": campaign.status},
        links=_links(campaign),
    )


@milestone_rule(
    "charity.poverty_day_disclosed", label=gettext_lazy("扶贫日募集资金使用情况已按时公示"), reads=READS
)
def poverty_day_disclosed(county: Area, milestone: Any, today: date) -> Evidence:
    campaign = _campaign(county, milestone.due_date.year)
    if campaign is None:
        return _none(milestone.due_date.year)
    disclosed = campaign.disclosed_on is not None and campaign.disclosed_on <= today
    text = (
        _("“%(name)s”已于%(day)s公示（公示截止%(deadline)s）")
        if disclosed
        else _("“%(name)s”尚未公示资金使用情况（公示截止%(deadline)s）")
    ) % {"name": campaign.name, "day": campaign.disclosed_on, "deadline": campaign.disclosure_deadline}
    return Evidence(
        disclosed,
        campaign.disclosed_on if disclosed else None,
        text,
        counts={"deadline": campaign.disclosure_deadline.isoformat()},
        links=_links(campaign),
    )
