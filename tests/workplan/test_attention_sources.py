"""The work plan's attention sources on small data: milestones (overdue, at risk, completed by
hand), and who can act on them."""

from __future__ import annotations

from datetime import date

import pytest

from bangfu.lib.attention import Severity, can_act, items_for_county
from bangfu.workplan import selectors
from bangfu.workplan.models import Milestone
from bangfu.workplan.services import set_milestone_completed

HAS_RULES = hasattr(selectors, "milestone_states")


def _milestone_items(county, today):
    return [i for i in items_for_county(county, today) if i.kind == "workplan.milestone"]


def test_every_overdue_item_is_a_milestone_past_its_due_date(plan, county):
    today = date(2020, 7, 2)
    items = _milestone_items(county, today)
    assert items
    for item in items:
        m = Milestone.objects.get(pk=item.extra["milestone"])
        if item.severity == Severity.CRITICAL:
            assert m.due_date < today
            assert "已过完成时限" in str(item.title)
        else:
            assert today <= m.due_date and "到期" in str(item.title)
            assert not item.in_bulletin  # at risk is not yet a problem for the bulletin


@pytest.mark.skipif(HAS_RULES, reason="milestone states come from the rules (ledger helper's tests)")
def test_a_hand_ticked_milestone_leaves_the_list_and_an_unticked_one_is_overdue(
    plan, county, county_admin, finance_reporter
):
    today = date(2020, 7, 2)
    ms = Milestone.objects.filter(task__plan=plan, quarter=2, completed_on__isnull=True).first()
    ours = [i for i in _milestone_items(county, today) if i.extra["milestone"] == ms.pk]
    county_item = next(i for i in ours if i.in_bulletin)
    assert county_item.severity == Severity.CRITICAL
    assert "二季度节点" in str(county_item.title) and "（2020年6月30日）" in str(county_item.title)
    assert can_act(county_admin, county_item)
    # Each lead unit gets its own copy, outside the bulletin.
    lead_ids = set(ms.task.lead_units.values_list("pk", flat=True))
    assert {i.organisation_id for i in ours if not i.in_bulletin} == lead_ids
    # At risk two weeks before: a warning, not in the bulletin.
    early = [i for i in _milestone_items(county, date(2020, 6, 20)) if i.extra["milestone"] == ms.pk]
    assert early and all(i.severity == Severity.WARNING and not i.in_bulletin for i in early)
    set_milestone_completed(actor=county_admin, milestone=ms, completed_on=date(2020, 6, 28))
    assert not [i for i in _milestone_items(county, today) if i.extra["milestone"] == ms.pk]
