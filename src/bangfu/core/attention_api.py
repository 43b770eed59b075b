"""`GET /api/v1/attention`: the caller's open problems (the attention list, `bangfu.lib.attention`),
only what they can act on, in their scope — the same list as their home page's "my to-do"."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router
from pydantic import BaseModel

from bangfu.lib import clock
from bangfu.lib.api import errors
from bangfu.lib.attention import items_for_user

router = Router()


# Plain pydantic models, not ninja Schemas: the items are plain dicts, so ninja's attribute resolver
# (a root validator per object) is not needed, and skipping it halves the response's CPU time for a
# county admin's 144 items (bench/attention.py).
class ScopeOut(BaseModel):
    roles: list[str]
    area_code: str
    organisation_id: int | None


class AttentionOut(BaseModel):
    kind: str
    severity: str
    title: str
    url: str
    since: date
    count: int
    scope: ScopeOut


@router.get(
    "",
    response={200: list[AttentionOut], **errors(401)},
    summary="What the caller can act on: overdue milestones, approvals, reports, unpaid students…",
)
def attention(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "kind": item.kind,
            "severity": item.severity,
            "title": str(item.title),
            "url": item.url,
            "since": item.since,
            "count": item.count,
            "scope": {
                "roles": [str(r) for r in item.roles],
                "area_code": item.area_code,
                "organisation_id": item.organisation_id,
            },
        }
        for item in items_for_user(request.user, clock.today())
    ]
