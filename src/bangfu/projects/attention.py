"""Open problems of projects: disbursements waiting for a side's signature (资金共管)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta

from django.utils import timezone

from bangfu.accounts.models import Role
from bangfu.areas.models import Area
from bangfu.lib.attention import AttentionItem, Severity, attention_source
from bangfu.lib.money import format_money
from bangfu.partners.models import Organisation
from bangfu.projects.models import Disbursement, DisbursementApproval, DisbursementStatus, Project, Side

URL = "/projects/disbursements/?status=pending"
LONG_WAIT = timedelta(days=14)  # waiting this long is critical


@attention_source(
    "projects.disbursement_unsigned",
    reads=(Disbursement, DisbursementApproval, Project, Project.funders.through, Organisation),
)
def disbursement_unsigned(county: Area, today: date) -> Iterator[AttentionItem]:
    """Per pending disbursement and per side that has not approved yet: the funder side goes to
    each funding unit's reporters, the recipient side to the county admin and the clerk of the
    township where the project is. Three queries for the whole county."""
    pending = list(
        Disbursement.objects.filter(county=county, status=DisbursementStatus.PENDING).values_list(
            "pk", "amount", "payee", "requested_at", "project_id", "project__title", "project__area__code"
        )
    )
    if not pending:
        return
    signed: dict[int, set[str]] = defaultdict(set)
    for disbursement_id, side in DisbursementApproval.objects.filter(
        disbursement_id__in=[row[0] for row in pending]
    ).values_list("disbursement_id", "side"):
        signed[disbursement_id].add(side)
    funders: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for project_id, org_id, org_name in Project.funders.through.objects.filter(
        project_id__in={row[4] for row in pending}
    ).values_list("project_id", "organisation_id", "organisation__name"):
        funders[project_id].append((org_id, org_name))
    for pk, amount, payee, requested_at, project_id, title, area_code in pending:
        since = timezone.localdate(requested_at)
        severity = Severity.CRITICAL if today - since >= LONG_WAIT else Severity.WARNING
        what = f"“{title}”拨付{format_money(amount)}元（收款方：{payee}）"
        sides = signed[pk]
        if Side.FUNDER.value not in sides:
            for org_id, org_name in funders[project_id]:
                yield AttentionItem(
                    kind="projects.disbursement_unsigned",
                    severity=severity,
                    title=f"{what}待资助方{org_name}审批",
                    url=URL,
                    since=since,
                    roles=(Role.UNIT_REPORTER,),
                    area_code=county.code,
                    organisation_id=org_id,
                    in_bulletin=False,
                    extra={"disbursement": pk, "side": Side.FUNDER.value},
                )
        if Side.RECIPIENT.value not in sides:
            yield AttentionItem(
                kind="projects.disbursement_unsigned",
                severity=severity,
                title=f"{what}待受援方审批",
                url=URL,
                since=since,
                roles=(Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK),
                area_code=area_code,
                in_bulletin=False,
                extra={"disbursement": pk, "side": Side.RECIPIENT.value},
            )
