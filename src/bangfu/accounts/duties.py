"""Separation of duties: two signatures on one payment are two people, even against the person who
manages the accounts (docs/security.md, "Separation of duties").

An admin who creates, re-activates, re-roles or resets the password of an account can act through
it. So, for the SoD window (`settings.SOD_WINDOW_DAYS`, and always during the payment's life),
such an account's *person* is the account plus every admin who made such a change to it without a
second county admin confirming the change. On one disbursement or spending, the requester and the
signers must be different persons; and an account created by an admin after the request was made
may not sign until a second admin confirmed it.

The payment services call `check_signature` after the ordinary two-person rule
(`bangfu.ledger.approvals.assign_slot`) and, when it refuses, `audit_refusal` outside the
refused transaction, so the attempt stays in the audit log while nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext as _

from bangfu.accounts.models import AccountChange, AccountChangeKind, User
from bangfu.ledger.approvals import ApprovalRefused
from bangfu.lib import clock


class DutiesRefused(ApprovalRefused):
    """A signature refused by the separation-of-duties rule."""


def window_start(requested_at: datetime) -> datetime:
    """Changes made since this instant count: the payment's life and the configured window."""
    return min(requested_at, clock.now() - timedelta(days=settings.SOD_WINDOW_DAYS))


def persons(user_ids: Iterable[int], since: datetime) -> dict[int, set[int]]:
    """For each account, the people who can act through it: itself and every admin who made an
    unconfirmed change to it since `since` (one query)."""
    ids = {uid for uid in user_ids if uid is not None}
    result: dict[int, set[int]] = {uid: {uid} for uid in ids}
    changes = AccountChange.objects.filter(
        user_id__in=ids, made_at__gte=since, made_by__isnull=False, confirmed_by__isnull=True
    ).values_list("user_id", "made_by_id")
    for user_id, made_by_id in changes:
        result[user_id].add(made_by_id)
    return result


def _names(ids: Iterable[int]) -> str:
    return "、".join(sorted(User.objects.filter(pk__in=set(ids)).values_list("username", flat=True)))


def check_signature(
    *, approver: User, requester_id: int | None, signer_ids: Iterable[int], requested_at: datetime
) -> None:
    """Refuse (DutiesRefused) a signature that would make one person count twice on a payment, or
    that comes from an account an admin created after the request and no second admin confirmed."""
    others = [uid for uid in [requester_id, *signer_ids] if uid is not None and uid != approver.pk]
    since = window_start(requested_at)
    reach = persons([approver.pk, *others], since)
    mine = reach[approver.pk]
    for other in others:
        shared = mine & reach[other]
        if shared:
            raise DutiesRefused(
                _(
                    "职责分离：您的账号与已参与本笔支付的账号（%(other)s）由同一人（%(who)s）创建、"
                    "重新启用、变更角色或重置密码，且未经第二位管理员确认；同一人不能完成一笔支付的"
                    "两个环节，请由另一人审批。"
                )
                % {"other": _names([other]), "who": _names(shared)},
                code="separation_of_duties",
            )
    late = AccountChange.objects.filter(
        user_id=approver.pk,
        kind=AccountChangeKind.CREATE,
        made_at__gt=requested_at,
        made_by__isnull=False,
        confirmed_by__isnull=True,
    ).exists()
    if late:
        raise DutiesRefused(
            _("职责分离：您的账号创建于本申请提出之后，须经另一位县级管理员确认后才能审批本申请。"),
            code="account_after_request",
        )


def audit_refusal(*, actor: User, action: str, target: models.Model, county: Any, exc: DutiesRefused) -> None:
    """Record the refused attempt in its own transaction (the service's own was rolled back)."""
    from bangfu.audit.services import record_audit

    with transaction.atomic():
        record_audit(
            actor=actor,
            action=f"{action}.refused",
            target=target,
            after={"code": exc.code},
            reason=" ".join(exc.messages)[:500],
            county=county,
        )
