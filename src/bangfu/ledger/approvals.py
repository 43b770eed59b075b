"""A generic multi-party approval rule, pure (no models): which slot does an approval fill?

A request needs one approval per *slot*; each slot names the side an approver must belong to.
- charity: two users other than the requester → slots ("reviewer", "reviewer");
- projects (资金共管): one of the funding side and one of the recipient side →
  slots ("funder", "recipient").
The requester never approves their own request, and one user fills at most one slot.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class ApprovalRefused(ValidationError):
    pass


def remaining_slots(required: Sequence[str], filled: Sequence[str]) -> Counter[str]:
    return Counter(required) - Counter(filled)


def is_complete(required: Sequence[str], filled: Sequence[str]) -> bool:
    return not remaining_slots(required, filled)


def assign_slot(
    *,
    required: Sequence[str],
    filled: Sequence[tuple[int, str]],
    requester_id: int | None,
    approver_id: int,
    approver_sides: Collection[str],
    slot_labels: Mapping[str, str] | None = None,
) -> str:
    """The slot this approver's approval fills, or `ApprovalRefused` saying why not.

    `filled` are the (approver id, slot) pairs already recorded."""
    if requester_id is not None and approver_id == requester_id:
        raise ApprovalRefused(_("申请人不能审批自己的申请。"), code="same_person")
    if any(uid == approver_id for uid, _slot in filled):
        raise ApprovalRefused(_("您已审批过该申请，需由另一人审批。"), code="already_approved")
    remaining = remaining_slots(required, [slot for _uid, slot in filled])
    if not remaining:
        raise ApprovalRefused(_("该申请已完成审批。"), code="complete")
    for slot in required:
        if remaining[slot] > 0 and slot in approver_sides:
            return slot
    waiting = "、".join(str((slot_labels or {}).get(slot, slot)) for slot in sorted(remaining))
    raise ApprovalRefused(
        _("您不属于尚待审批的一方（待审批：%(sides)s）。") % {"sides": waiting}, code="wrong_side"
    )
