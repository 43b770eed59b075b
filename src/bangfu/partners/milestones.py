"""Partners' milestone rules: designated pairings' work-team visits and coverage (plan 3.1)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Min
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.areas.models import Area, Level
from bangfu.lib.milestones import Evidence, counted, milestone_rule
from bangfu.partners.models import Organisation, Pairing, PairingKind, Visit, VisitRule
from bangfu.partners.selectors import active_in, active_on
from bangfu.partners.services import visit_rule

# Units named in the evidence text at most; the counts carry them all.
NAMED_UNITS = 5


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """[first day of the quarter, first day of the next quarter)."""
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end


def designated_visits(county: Area, year: int, quarter: int, today: date) -> dict[str, Any]:
    """Per designated pairing running in the quarter: the first visit of its helper to its village
    in the quarter (up to `today`) by a team of the county's size (2–5 by default). Two queries."""
    start, end = quarter_bounds(year, quarter)
    rule = visit_rule(county)
    pairings = list(
        active_in(Pairing.objects.filter(county=county, kind=PairingKind.DESIGNATED), start, end)
        .filter(start_date__lte=today)
        .select_related("helper_organisation", "target_area")
        .order_by("helper_organisation__code", "target_area__code")
    )
    first: dict[tuple[int | None, int | None], date] = {
        (org, village): day
        for org, village, day in Visit.objects.filter(
            county=county,
            date__gte=start,
            date__lt=min(end, date.fromordinal(today.toordinal() + 1)),
            team_size__gte=rule.team_min,
            team_size__lte=rule.team_max,
        )
        .values_list("organisation_id", "village_id")
        .annotate(first=Min("date"))
        .values_list("organisation_id", "village_id", "first")
    }
    visited: list[tuple[Pairing, date]] = []
    missing: list[Pairing] = []
    for p in pairings:
        day = first.get((p.helper_organisation_id, p.target_area_id))
        if day is None:
            missing.append(p)
        else:
            visited.append((p, day))
    return {"pairings": pairings, "visited": visited, "missing": missing, "rule": rule}


@milestone_rule(
    "partners.designated_visits_quarter",
    label=gettext_lazy("每个定点帮扶结对本季度均有2—5人工作组到村走访"),
    reads=(Pairing, Visit, VisitRule, Organisation, Area),
)
def designated_visits_quarter(county: Area, milestone: Any, today: date) -> Evidence:
    year = milestone.due_date.year
    found = designated_visits(county, year, milestone.quarter, today)
    pairings, visited, missing = found["pairings"], found["visited"], found["missing"]
    missing_units = list(dict.fromkeys(p.helper_organisation.name for p in missing))
    done = bool(pairings) and not missing
    text = counted(
        (_("定点帮扶结对%(n)s个"), len(pairings)),
        (_("本季度已派出工作组%(n)s个"), len(visited)),
        (_("未派出%(n)s个"), len(missing)),
        empty=_("本季度没有在帮的定点帮扶结对"),
    )
    if missing_units:
        named = "、".join(missing_units[:NAMED_UNITS]) + ("等" if len(missing_units) > NAMED_UNITS else "")
        text += _("（%(units)s）") % {"units": named}
    start, end = quarter_bounds(year, milestone.quarter)
    url = reverse("partners:compliance") + f"?year={year}"
    return Evidence(
        done=done,
        done_on=max(day for _p, day in visited) if done else None,
        text=text,
        counts={
            "pairings": len(pairings),
            "visited": len(visited),
            "missing": len(missing),
            "missing_units": missing_units,
            "quarter_start": start.isoformat(),
            "quarter_end": date.fromordinal(end.toordinal() - 1).isoformat(),
        },
        links=((_("走访合规情况"), url), (_("工作组走访"), reverse("partners:visits"))),
    )


@milestone_rule(
    "partners.designated_coverage",
    label=gettext_lazy("每个建档立卡贫困村都有定点帮扶单位"),
    reads=(Pairing, Area),
)
def designated_coverage(county: Area, milestone: Any, today: date) -> Evidence:
    day = min(today, milestone.due_date)
    poor = Area.objects.filter(level=Level.VILLAGE, registered_poor=True, code__startswith=county.prefix)
    covered = (
        active_on(Pairing.objects.filter(county=county, kind=PairingKind.DESIGNATED), day)
        .values("target_area")
        .distinct()
    )
    total = poor.count()
    with_helper = poor.filter(pk__in=covered).count()
    done = total > 0 and with_helper == total
    return Evidence(
        done=done,
        done_on=None,
        text=counted(
            (_("建档立卡贫困村%(n)s个"), total),
            (_("有定点帮扶单位%(n)s个"), with_helper),
            (_("无定点帮扶单位%(n)s个"), total - with_helper),
            empty=_("本县没有建档立卡贫困村"),
        ),
        counts={"villages": total, "covered": with_helper, "uncovered": total - with_helper},
        links=((_("结对帮扶"), reverse("partners:pairings") + "?kind=designated"),),
    )
