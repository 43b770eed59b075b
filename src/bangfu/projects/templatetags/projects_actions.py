"""The action buttons ask the services' own predicates, so a button shows exactly when its POST
would succeed."""

from __future__ import annotations

from typing import Any

from django import template

from bangfu.projects import services

register = template.Library()


@register.filter
def approvable_by(disbursement: Any, user: Any) -> bool:
    return services.can_approve_disbursement(user, disbursement)


@register.filter
def rejectable_by(disbursement: Any, user: Any) -> bool:
    return services.can_reject_disbursement(user, disbursement)
