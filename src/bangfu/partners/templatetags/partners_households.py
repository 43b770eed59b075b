"""Pairing lists name a paired household by its head (户主), not by its 17-digit number.

`{% household_heads pairings as heads %}` loads the heads' names of the listed pairings in one query
(`selectors.household_head_names`: full within the viewer's registry scope, masked outside it);
`{{ pairing|pairing_target:heads }}` then reads 扎西多吉户（户编号 …）, or the target's own name
for pairings with a village or an organisation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.translation import gettext as _

from bangfu.partners.models import Pairing
from bangfu.partners.selectors import household_head_names

register = template.Library()


@register.simple_tag(takes_context=True)
def household_heads(context: template.Context, pairings: Pairing | Iterable[Pairing]) -> dict[int, str]:
    """`pairings`: a page or list of pairings, or one pairing."""
    request = context.get("request")
    user = getattr(request, "user", None)
    listed = [pairings] if isinstance(pairings, Pairing) else pairings
    return household_head_names(user, (p.target_household_id for p in listed))


@register.filter
def pairing_target(pairing: Pairing, heads: Any) -> str:
    if pairing.target_household_id is None:
        return pairing.target_name
    number = pairing.target_household.number if pairing.target_household else ""
    head = (heads or {}).get(pairing.target_household_id)
    if not head:
        return _("户编号 %(number)s") % {"number": number}
    return _("%(head)s户（户编号 %(number)s）") % {"head": head, "number": number}
