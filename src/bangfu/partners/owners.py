"""Owner selectors (bangfu.lib.indicators.owner_selector): the units that own a pairing figure in
the work plan's assessment. Team visits are owned by the units holding a designated pairing, the
enterprise figures by the enterprises paired with villages, and so on — not by the county units
that only assist (docs/workplan.md "Scoring by owner")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.utils.translation import gettext_lazy as _

from bangfu.areas.models import Area
from bangfu.lib.indicators import owner_selector
from bangfu.partners.models import Pairing, PairingKind
from bangfu.partners.selectors import active_in


def _helpers_of(kind: str) -> Callable[[Area, date, date], set[int]]:
    def select(county: Area, start: date, end: date) -> set[int]:
        pairings = active_in(Pairing.objects.filter(county=county, kind=kind), start, end)
        return set(
            pairings.filter(helper_organisation__isnull=False)
            .values_list("helper_organisation_id", flat=True)
            .distinct()
        )

    select.__name__ = f"{kind}_helpers"
    return select


HELPERS = {
    PairingKind.DESIGNATED: ("designated_helpers", _("定点帮扶单位")),
    PairingKind.EAST_WEST: ("east_west_helpers", _("东西部协作结对单位")),
    PairingKind.COUNTERPART: ("counterpart_helpers", _("对口帮扶单位")),
    PairingKind.ENTERPRISE: ("enterprise_helpers", _("万企帮万村结对企业")),
}
for _kind, (_name, _label) in HELPERS.items():
    owner_selector(f"partners.{_name}", label=_label)(_helpers_of(_kind))
