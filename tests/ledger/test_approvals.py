from __future__ import annotations

import pytest

from bangfu.ledger.approvals import ApprovalRefused, assign_slot, is_complete

DUAL = ("funder", "recipient")


def test_it_fills_the_slot_of_the_approvers_side() -> None:
    slot = assign_slot(required=DUAL, filled=[], requester_id=1, approver_id=2, approver_sides={"recipient"})
    assert slot == "recipient"
    assert not is_complete(DUAL, ["recipient"])
    assert is_complete(DUAL, ["recipient", "funder"])


def test_it_refuses_the_requester() -> None:
    with pytest.raises(ApprovalRefused) as excinfo:
        assign_slot(required=DUAL, filled=[], requester_id=1, approver_id=1, approver_sides={"funder"})
    assert excinfo.value.code == "same_person"


def test_it_refuses_the_same_approver_twice() -> None:
    with pytest.raises(ApprovalRefused) as excinfo:
        assign_slot(
            required=("reviewer", "reviewer"),
            filled=[(2, "reviewer")],
            requester_id=1,
            approver_id=2,
            approver_sides={"reviewer"},
        )
    assert excinfo.value.code == "already_approved"


def test_it_refuses_a_second_approver_of_the_side_already_approved() -> None:
    with pytest.raises(ApprovalRefused, match="资助方") as excinfo:
        assign_slot(
            required=DUAL,
            filled=[(2, "recipient")],
            requester_id=1,
            approver_id=3,
            approver_sides={"recipient"},
            slot_labels={"funder": "资助方", "recipient": "受援方"},
        )
    assert excinfo.value.code == "wrong_side"


def test_two_reviewers_other_than_the_requester_complete_a_charity_approval() -> None:
    required = ("reviewer", "reviewer")
    first = assign_slot(
        required=required, filled=[], requester_id=1, approver_id=2, approver_sides={"reviewer"}
    )
    second = assign_slot(
        required=required, filled=[(2, first)], requester_id=1, approver_id=3, approver_sides={"reviewer"}
    )
    assert is_complete(required, [first, second])
    with pytest.raises(ApprovalRefused) as excinfo:
        assign_slot(
            required=required,
            filled=[(2, first), (3, second)],
            requester_id=1,
            approver_id=4,
            approver_sides={"reviewer"},
        )
    assert excinfo.value.code == "complete"
