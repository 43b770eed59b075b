"""Monitoring figures for the work plan, the bulletin and the dashboard (`@indicator`).

Stocks are judged at the period's end from the records' dates (纳入 before the end, not eliminated
by then), so a past month's figure does not change when a household leaves monitoring later.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from bangfu.lib.indicators import IndicatorQuery, indicator
from bangfu.monitoring.models import (
    OPEN_STATUSES,
    Kind,
    Lead,
    LeadState,
    Measure,
    MonitoredHousehold,
    MonitoringVisit,
    Risk,
    RiskType,
)
from bangfu.monitoring.selectors import policy_for


def monitored_on(county: Any, end: date) -> QuerySet[MonitoredHousehold]:
    """Households under monitoring on the day before `end` (identified before it, not eliminated)."""
    return MonitoredHousehold.objects.filter(county=county, identified_on__lt=end).filter(
        Q(eliminated_on__isnull=True) | Q(eliminated_on__gte=end)
    )


def _count(queryset: QuerySet[Any]) -> Decimal:
    return Decimal(queryset.count())


@indicator("monitoring.households", label=_("防返贫监测户数"), unit="户", source_url_name="monitoring:index")
def households(query: IndicatorQuery) -> Decimal:
    return _count(monitored_on(query.county, query.end))


@indicator("monitoring.people", label=_("防返贫监测人数"), unit="人")
def people(query: IndicatorQuery) -> Decimal:
    total = monitored_on(query.county, query.end).aggregate(n=Sum("household_size"))["n"]
    return Decimal(total or 0)


def _by_kind(kind: str) -> Any:
    def compute(query: IndicatorQuery) -> Decimal:
        return _count(monitored_on(query.county, query.end).filter(kind=kind))

    return compute


for _kind in Kind:
    indicator(f"monitoring.households.{_kind.value}", label=_kind.label, unit="户")(_by_kind(_kind.value))


def _by_risk(risk_type: str) -> Any:
    def compute(query: IndicatorQuery) -> Decimal:
        open_risk = Risk.objects.filter(
            household=OuterRef("pk"), risk_type=risk_type, opened_on__lt=query.end
        ).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=query.end))
        return _count(monitored_on(query.county, query.end).filter(Exists(open_risk)))

    return compute


for _risk in RiskType:
    indicator(
        f"monitoring.risk.{_risk.value}",
        label=format_lazy("{}{}", _("监测户风险类型："), _risk.label),
        unit="户",
    )(_by_risk(_risk.value))


@indicator("monitoring.identified", label=_("新识别纳入监测户数"), unit="户")
def identified(query: IndicatorQuery) -> Decimal:
    return _count(
        MonitoredHousehold.objects.filter(
            county=query.county, identified_on__gte=query.start, identified_on__lt=query.end
        )
    )


@indicator("monitoring.eliminated", label=_("风险消除户数"), unit="户")
def eliminated(query: IndicatorQuery) -> Decimal:
    return _count(
        MonitoredHousehold.objects.filter(
            county=query.county, eliminated_on__gte=query.start, eliminated_on__lt=query.end
        )
    )


@indicator("monitoring.with_measures", label=_("已落实帮扶措施的监测户数"), unit="户")
def with_measures(query: IndicatorQuery) -> Decimal:
    measures = Measure.objects.filter(household=OuterRef("pk"), start__lt=query.end)
    return _count(monitored_on(query.county, query.end).filter(Exists(measures)))


@indicator("monitoring.without_helper", label=_("未确定帮扶责任人的监测户数"), unit="户")
def without_helper(query: IndicatorQuery) -> Decimal:
    return _count(
        MonitoredHousehold.objects.filter(county=query.county, status__in=OPEN_STATUSES, helper__isnull=True)
    )


@indicator("monitoring.leads_unverified", label=_("超期未核实的监测线索数"), unit="条")
def leads_unverified(query: IndicatorQuery) -> Decimal:
    last_day = query.end - timedelta(days=1)
    policy = policy_for(query.county, last_day.year)
    cutoff = last_day - timedelta(days=policy.lead_days)
    return _count(
        Lead.objects.filter(county=query.county, found_on__lt=cutoff).filter(
            Q(state=LeadState.OPEN) | Q(decided_on__gte=query.end)
        )
    )


@indicator("monitoring.visits_overdue", label=_("超期未走访的监测户数"), unit="户")
def visits_overdue(query: IndicatorQuery) -> Decimal:
    last_day = query.end - timedelta(days=1)
    policy = policy_for(query.county, last_day.year)
    cutoff = last_day - timedelta(days=policy.visit_days)
    last_visit = (
        MonitoringVisit.objects.filter(household=OuterRef("pk"), date__lt=query.end)
        .order_by()
        .values("household")
        .annotate(last=Max("date"))
        .values("last")
    )
    rows = monitored_on(query.county, query.end).annotate(last_visit=last_visit[:1])
    return _count(
        rows.filter(Q(last_visit__lt=cutoff) | Q(last_visit__isnull=True, identified_on__lt=cutoff))
    )


# --- the bulletin's sentence and the dashboard's panel (read by workplan, one line each) ------------
def bulletin_sentences(figs: dict[str, Any], month: date) -> list[tuple[str, str]]:
    """The bulletin's 防返贫监测 paragraph from the month's figures (`workplan.bulletin.figures`)."""
    total = figs.get("monitoring.households")
    if total is None or not (total.ytd or getattr(figs.get("monitoring.eliminated"), "ytd", 0)):
        return []

    def n(name: str) -> int:
        fig = figs.get(name)
        return int(fig.ytd) if fig is not None else 0

    m = month.month
    # The bulletin is a Chinese official document whatever the UI language; zero figures are left
    # out (a county bulletin never reports "0户").
    kinds = "、".join(
        f"{label}{n(f'monitoring.households.{value}')}户"
        for value, label in (
            ("unstable", "脱贫不稳定户"),
            ("marginal", "边缘易致贫户"),
            ("sudden", "突发严重困难户"),
        )
        if n(f"monitoring.households.{value}")
    )
    text = f"截至{m}月底，全县防返贫监测对象{n('monitoring.households')}户{n('monitoring.people')}人"
    if not n("monitoring.households"):
        text = f"截至{m}月底，全县已无在监测的防返贫监测对象"
    if kinds:
        text += f"（{kinds}）"
    flows = "、".join(
        f"{label}{n(name)}户"
        for name, label in (("monitoring.identified", "新识别纳入"), ("monitoring.eliminated", "风险消除"))
        if n(name)
    )
    if flows:
        text += f"，1—{m}月{flows}"
    if n("monitoring.with_measures"):
        text += f"；已落实帮扶措施{n('monitoring.with_measures')}户"
    problems = [
        f"{label}{n(name)}{unit}"
        for name, label, unit in (
            ("monitoring.without_helper", "未确定帮扶责任人", "户"),
            ("monitoring.visits_overdue", "超期未走访", "户"),
            ("monitoring.leads_unverified", "线索超期未核实", "条"),
        )
        if n(name)
    ]
    if problems:
        text += "，" + "、".join(problems)
    return [("防返贫监测方面，", text + "。")]


def dashboard_figures(county: Any, today: date) -> list[tuple[str, Decimal, str]]:
    """(label, value, url) for the dashboard's monitoring panel, as of the office date."""
    from django.urls import reverse

    from bangfu.lib.indicators import get_indicator

    start, end = date(today.year, 1, 1), today + timedelta(days=1)
    url = reverse("monitoring:index")
    out = []
    for name in (
        "monitoring.households",
        "monitoring.people",
        "monitoring.identified",
        "monitoring.eliminated",
        "monitoring.with_measures",
        "monitoring.without_helper",
        "monitoring.visits_overdue",
        "monitoring.leads_unverified",
    ):
        ind = get_indicator(name)
        value = ind.value(IndicatorQuery(county=county, start=start, end=end))
        out.append((str(ind.label), value, reverse("monitoring:leads") if "leads" in name else url))
    return out
