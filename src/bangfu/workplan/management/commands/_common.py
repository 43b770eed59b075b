"""Shared option handling for the work-plan commands."""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from bangfu.areas.models import Area, Level
from bangfu.workplan.models import Plan


def add_county_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--county", help="12-digit code of the county (default: the only county that has a plan)"
    )


def resolve_county(code: str | None, *, need_plan: bool = True) -> Area:
    if code:
        county = Area.objects.filter(code=code, level=Level.COUNTY).first()
        if county is None:
            raise CommandError(_("没有代码为 %(code)s 的县。") % {"code": code})
        return county
    model_counties = (
        Area.objects.filter(pk__in=Plan.objects.values("county_id"))
        if need_plan
        else Area.objects.filter(level=Level.COUNTY, organisations__isnull=False).distinct()
    )
    counties = list(model_counties[:2])
    if len(counties) != 1:
        raise CommandError(_("有多个县（或没有县）可选：请用 --county 指定县代码。"))
    return counties[0]


def resolve_plan(county: Area, year: int) -> Plan:
    plan = Plan.objects.filter(county=county, year=year).first()
    if plan is None:
        raise CommandError(
            _("%(county)s 没有%(year)s年度工作方案；请先运行 bangfu load-plan。")
            % {"county": county.code, "year": year}
        )
    return plan
