"""Registry figures for the work plan (current register; students as of the period's last day)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from bangfu.lib.indicators import STOCK, IndicatorQuery, indicator
from bangfu.registry.models import VOCATIONAL, Household, Member
from bangfu.registry.selectors import member_status_on


@indicator(
    "registry.households",
    label=_("建档立卡户数"),
    unit="户",
    source_url_name="registry:household_list",
    kind=STOCK,
)
def registered_households(query: IndicatorQuery) -> Decimal:
    return Decimal(Household.objects.filter(county=query.county, active=True).count())


@indicator("registry.people", label=_("建档立卡人数"), unit="人", kind=STOCK)
def registered_people(query: IndicatorQuery) -> Decimal:
    return Decimal(Member.objects.filter(county=query.county, active=True).count())


@indicator("registry.exited_households", label=_("已脱贫户数"), unit="户", kind=STOCK)
def exited_households(query: IndicatorQuery) -> Decimal:
    return Decimal(Household.objects.filter(county=query.county, active=True, exited=True).count())


@indicator("registry.monitored_households", label=_("监测户数"), unit="户", kind=STOCK)
def monitored_households(query: IndicatorQuery) -> Decimal:
    return Decimal(Household.objects.filter(county=query.county, active=True, monitored=True).count())


@indicator("registry.vocational_students", label=_("中职和高职高专在校生数"), unit="人", kind=STOCK)
def vocational_students(query: IndicatorQuery) -> Decimal:
    last_day = query.end - timedelta(days=1)
    members = member_status_on(day=last_day, county=query.county)
    return Decimal(members.filter(active_on=True, schooling_on__in=VOCATIONAL).count())
