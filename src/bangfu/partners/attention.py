"""Open problems of designated assistance: units behind on their quarterly work-team visits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from bangfu.accounts.models import Role
from bangfu.areas.models import Area
from bangfu.lib.attention import AttentionItem, Severity, attention_source
from bangfu.lib.officialdoc import cn_numeral
from bangfu.lib.periods import quarter_bounds, quarter_of
from bangfu.partners.models import Organisation, Pairing, Visit, VisitRule
from bangfu.partners.selectors import not_yet_visited_this_quarter

COMPLIANCE_URL = "/partners/compliance/?year={year}"
# The current quarter's open visits turn from "to know" into a warning this close to its end.
WARN_DAYS = 30
ROLES = (Role.COUNTY_ADMIN, Role.UNIT_REPORTER)
READS = (Pairing, Visit, Organisation, VisitRule, Area)  # the cache stamp (bangfu.lib.attention)


def _previous_quarter(today: date) -> tuple[int, int]:
    q = quarter_of(today)
    return (today.year, q - 1) if q > 1 else (today.year - 1, 4)


@attention_source("partners.visits_missed", reads=READS)
def visits_missed(county: Area, today: date) -> Iterator[AttentionItem]:
    """Designated units that sent no qualifying work team in the quarter that just ended
    ("省联通公司二季度未派出工作组"): a deadline passed, listed in the bulletin. The units with a
    designated pairing running on the quarter's last day and no visit in it (one query)."""
    year, quarter = _previous_quarter(today)
    _start, end = quarter_bounds(year, quarter)
    for reminder in not_yet_visited_this_quarter(county, on=end - timedelta(days=1)):
        org = reminder.organisation
        yield AttentionItem(
            kind="partners.visits_missed",
            severity=Severity.CRITICAL,
            title=f"{org.name}{cn_numeral(quarter)}季度未派出工作组",
            url=COMPLIANCE_URL.format(year=year),
            since=end,
            roles=ROLES,
            area_code=county.code,
            organisation_id=org.pk,
            extra={"year": year, "quarter": quarter, "organisation": org.code},
        )


@attention_source("partners.visits_due", reads=READS)
def visits_due(county: Area, today: date) -> Iterator[AttentionItem]:
    """Designated units with no qualifying visit yet in the current quarter (to plan one): a
    warning in the quarter's last month, not yet a problem for the bulletin."""
    quarter = quarter_of(today)
    start, end = quarter_bounds(today.year, quarter)
    severity = Severity.WARNING if (end - today) <= timedelta(days=WARN_DAYS) else Severity.INFO
    for reminder in not_yet_visited_this_quarter(county, on=today):
        villages = "、".join(v.name for v in reminder.villages[:3])
        more = f"等{len(reminder.villages)}个村" if len(reminder.villages) > 3 else ""
        yield AttentionItem(
            kind="partners.visits_due",
            severity=severity,
            title=(
                f"{reminder.organisation.name}{cn_numeral(quarter)}季度尚未派出工作组走访结对村"
                f"（{villages}{more}），{(end - timedelta(days=1)).month}月底前完成"
            ),
            url=COMPLIANCE_URL.format(year=today.year),
            since=start,
            roles=ROLES,
            area_code=county.code,
            organisation_id=reminder.organisation.pk,
            count=len(reminder.villages),
            in_bulletin=False,
            extra={"year": today.year, "quarter": quarter, "organisation": reminder.organisation.code},
        )
