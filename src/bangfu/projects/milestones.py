"""Projects' milestone rules: pairings evaluated (plan 3.3, 3.4) and counterpart projects started."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.areas.models import Area
from bangfu.lib.milestones import Evidence, MilestoneRule, counted, milestone_rule
from bangfu.partners.models import Pairing, PairingKind
from bangfu.partners.selectors import active_on
from bangfu.projects.models import Evaluation, EvaluationKind, Project, ProjectKind


def _evaluated(kind: str, evaluation: str) -> MilestoneRule:
    def judge(county: Area, milestone: Any, today: date) -> Evidence:
        year = milestone.due_date.year
        day = min(today, milestone.due_date)
        pairings = active_on(Pairing.objects.filter(county=county, kind=kind), day)
        done_rows = Evaluation.objects.filter(
            county=county,
            year=year,
            kind=evaluation,
            pairing__in=pairings,
            evaluated_on__isnull=False,
            evaluated_on__lte=today,
        )
        total = pairings.count()
        evaluated = done_rows.values("pairing").distinct().count()
        done = total > 0 and evaluated >= total
        last = done_rows.aggregate(last=Max("evaluated_on"))["last"] if done else None
        return Evidence(
            done,
            last,
            counted(
                (_("应评估结对%(n)s个"), total),
                (_("已评估%(n)s个"), evaluated),
                (_("未评估%(n)s个"), total - evaluated),
                empty=_("没有应评估的结对"),
            ),
            counts={"pairings": total, "evaluated": evaluated, "missing": total - evaluated},
            links=((_("评估"), reverse("projects:evaluations") + f"?year={year}"),),
        )

    return judge


milestone_rule(
    "projects.counterpart_midyear_evaluated",
    label=gettext_lazy("每个省内对口帮扶结对均已完成年中评估"),
    reads=(Pairing, Evaluation),
)(_evaluated(PairingKind.COUNTERPART, EvaluationKind.MID_YEAR))
milestone_rule(
    "projects.counterpart_annual_evaluated",
    label=gettext_lazy("每个省内对口帮扶结对均已完成年度考核"),
    reads=(Pairing, Evaluation),
)(_evaluated(PairingKind.COUNTERPART, EvaluationKind.ANNUAL))
milestone_rule(
    "projects.enterprise_annual_evaluated",
    label=gettext_lazy("每个村企结对（万企帮万村）均已完成年度考评"),
    reads=(Pairing, Evaluation),
)(_evaluated(PairingKind.ENTERPRISE, EvaluationKind.ANNUAL))
milestone_rule(
    "projects.designated_annual_evaluated",
    label=gettext_lazy("每个定点帮扶结对均已完成年度总结考核"),
    reads=(Pairing, Evaluation),
)(_evaluated(PairingKind.DESIGNATED, EvaluationKind.ANNUAL))


@milestone_rule(
    "projects.counterpart_projects_started",
    label=gettext_lazy("本年度省内对口帮扶项目已开工"),
    reads=(Project,),
)
def counterpart_projects_started(county: Area, milestone: Any, today: date) -> Evidence:
    year = milestone.due_date.year
    projects = Project.objects.filter(county=county, year=year, kind=ProjectKind.COUNTERPART)
    started = projects.filter(started_on__isnull=False, started_on__lte=today)
    total, n_started = projects.count(), started.count()
    done = n_started > 0
    first = started.order_by("started_on").values_list("started_on", flat=True).first() if done else None
    return Evidence(
        done,
        first,
        _("%(year)s年") % {"year": year}
        + counted(
            (_("对口帮扶项目%(n)s个"), total), (_("已开工%(n)s个"), n_started), empty=_("尚无对口帮扶项目")
        ),
        counts={"projects": total, "started": n_started},
        links=((_("项目"), reverse("projects:list") + f"?year={year}&kind=counterpart"),),
    )
