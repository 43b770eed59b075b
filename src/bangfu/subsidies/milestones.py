"""Subsidies' milestone rules: the Yulu term paid in full (plan 3.5.5) and 三支一扶 (plan 3.5.1)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.areas.models import Area
from bangfu.lib.milestones import Evidence, counted, milestone_rule
from bangfu.subsidies.models import (
    PlacementStatus,
    SanzhiApplicant,
    SanzhiPlacement,
    SanzhiPlan,
    SanzhiStage,
    Season,
    YuluTerm,
)
from bangfu.subsidies.selectors import reconcile_yulu, reconciliation_reads

QUARTER_SEASON = {2: Season.SPRING, 4: Season.AUTUMN}


def term_of(county: Area, milestone: Any) -> YuluTerm | None:
    """The term whose payment deadline falls in the milestone's quarter (else the season the plan
    pays in that quarter: spring by Q2, autumn by Q4)."""
    year, quarter = milestone.due_date.year, milestone.quarter
    terms = YuluTerm.objects.filter(county=county, year=year)
    by_deadline = [
        t for t in terms.order_by("payment_deadline") if (t.payment_deadline.month + 2) // 3 == quarter
    ]
    if by_deadline:
        return by_deadline[0]
    season = QUARTER_SEASON.get(quarter)
    return terms.filter(season=season).first() if season else None


SANZHI_READS = (SanzhiPlan, SanzhiApplicant, SanzhiPlacement)


@milestone_rule(
    "subsidies.yulu_term_paid",
    label=gettext_lazy("雨露计划学期应补尽补，无应补未补学生"),
    reads=reconciliation_reads,
)
def yulu_term_paid(county: Area, milestone: Any, today: date) -> Evidence:
    term = term_of(county, milestone)
    if term is None:
        return Evidence(
            done=False,
            done_on=None,
            text=_("本季度尚未设立雨露计划学期"),
            links=((_("雨露计划"), reverse("subsidies:terms")),),
        )
    rec = reconcile_yulu(term)
    # Payments recorded with a date after the office's today have not happened yet.
    paid = {m: row for m, row in rec.paid.items() if row[2] <= today and m in rec.eligible}
    missing = len(rec.eligible) - len(paid)
    done = missing == 0
    done_on = max((row[2] for row in paid.values()), default=None) if done else None
    return Evidence(
        done=done,
        done_on=done_on,
        text=f"{term}"
        + counted(
            (_("应补%(n)s人"), len(rec.eligible)),
            (_("已发放%(n)s人"), len(paid)),
            (_("应补未补%(n)s人"), missing),
            empty=_("没有应补学生"),
        ),
        counts={
            "term": term.code,
            "eligible": len(rec.eligible),
            "paid": len(paid),
            "missing": missing,
            "late": len(rec.late),
            "deadline": term.payment_deadline.isoformat(),
        },
        links=((_("雨露计划对账"), reverse("subsidies:term", args=[term.code])),),
    )


@milestone_rule(
    "subsidies.sanzhi_plan_made", label=gettext_lazy("已制定本年度“三支一扶”招募计划"), reads=SANZHI_READS
)
def sanzhi_plan_made(county: Area, milestone: Any, today: date) -> Evidence:
    year = milestone.due_date.year
    plan = SanzhiPlan.objects.filter(county=county, year=year).first()
    url = reverse("subsidies:sanzhi")
    if plan is None:
        return Evidence(
            False, None, _("尚未录入%(year)s年招募计划") % {"year": year}, links=((_("三支一扶"), url),)
        )
    return Evidence(
        True,
        None,
        _("%(year)s年招募计划已录入") % {"year": year},
        links=((_("三支一扶"), reverse("subsidies:sanzhi_plan", args=[year])),),
    )


@milestone_rule(
    "subsidies.sanzhi_recruited", label=gettext_lazy("本年度“三支一扶”招募录用完成"), reads=SANZHI_READS
)
def sanzhi_recruited(county: Area, milestone: Any, today: date) -> Evidence:
    year = milestone.due_date.year
    hired = SanzhiApplicant.objects.filter(
        plan__county=county, plan__year=year, stage=SanzhiStage.HIRED
    ).count()
    return Evidence(
        done=hired > 0,
        done_on=None,
        text=_("%(year)s年") % {"year": year} + counted((_("录用%(n)s人"), hired), empty=_("尚未录用")),
        counts={"hired": hired},
        links=((_("三支一扶"), reverse("subsidies:sanzhi_plan", args=[year])),),
    )


@milestone_rule(
    "subsidies.sanzhi_placed", label=gettext_lazy("本年度录用的“三支一扶”人员均已上岗"), reads=SANZHI_READS
)
def sanzhi_placed(county: Area, milestone: Any, today: date) -> Evidence:
    year = milestone.due_date.year
    hired = SanzhiApplicant.objects.filter(plan__county=county, plan__year=year, stage=SanzhiStage.HIRED)
    placements = SanzhiPlacement.objects.filter(
        county=county, applicant__in=hired, start_date__lte=today
    ).exclude(status=PlacementStatus.LEFT)
    n_hired, n_placed = hired.count(), placements.count()
    done = n_hired > 0 and n_placed >= n_hired
    last = max(placements.values_list("start_date", flat=True), default=None)
    return Evidence(
        done=done,
        done_on=last if done else None,
        text=_("%(year)s年") % {"year": year}
        + counted((_("录用%(n)s人"), n_hired), (_("已上岗%(n)s人"), n_placed), empty=_("尚未录用")),
        counts={"hired": n_hired, "placed": n_placed},
        links=((_("三支一扶"), reverse("subsidies:sanzhi_plan", args=[year])),),
    )
