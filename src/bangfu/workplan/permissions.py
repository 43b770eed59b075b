"""One predicate per ledger-report action (issue #17): `check_<action>` raises the refusal
(PermissionDenied / ValidationError) and is called by the service; `can_<action>` asks it for the
page, so a button is shown exactly when pressing it would succeed. They judge who may act on a
report in its current status; what the user types (the progress text, a return comment) is the
form's business and is not part of them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role, User
from bangfu.accounts.scopes import require_actor_in
from bangfu.lib import clock
from bangfu.workplan.models import (
    AWAITING_LEAD,
    AWAITING_REVIEW,
    EDITABLE_STATUSES,
    LedgerReport,
    Plan,
    ReportStatus,
    Task,
)

REPORTER_ROLES = (Role.UNIT_REPORTER, Role.TOWNSHIP_CLERK)
REVIEWER_ROLES = (Role.COUNTY_ADMIN, Role.INSPECTOR)


def is_reporter_for(actor: User, report: LedgerReport) -> bool:
    """The actor reports for the report's unit (a unit reporter or the township's clerk)."""
    return (
        actor.is_active
        and actor.role in REPORTER_ROLES
        and actor.organisation_id is not None
        and actor.organisation_id == report.organisation_id
    )


def _require_reporter(actor: User, report: LedgerReport) -> None:
    if not is_reporter_for(actor, report):
        raise PermissionDenied


def _require_not_future(report: LedgerReport) -> None:
    if report.month > clock.today():
        raise ValidationError({"month": _("不能填报未来月份。")})


def _require_awaiting_review(report: LedgerReport) -> None:
    if report.status not in AWAITING_REVIEW:
        raise ValidationError(
            {
                "status": _("报告状态为「%(status)s」，不在待审核状态。")
                % {"status": ReportStatus(report.status).label}
            }
        )


def check_edit_report(actor: User, report: LedgerReport) -> None:
    """Save the draft or add an attachment: the unit's own report, not yet submitted (or
    returned), of a month that has begun."""
    _require_reporter(actor, report)
    if report.status not in EDITABLE_STATUSES:
        raise ValidationError({"status": _("报告已提交或已通过，不能修改。")})
    _require_not_future(report)


def check_submit_report(actor: User, report: LedgerReport) -> None:
    check_edit_report(actor, report)


def lead_units_of(task_ids: Iterable[int]) -> defaultdict[int, set[int]]:
    """The lead units (牵头单位) of each task, in one query; a task without any maps to an empty
    set."""
    leads: defaultdict[int, set[int]] = defaultdict(set)
    for task_id, org_id in Task.lead_units.through.objects.filter(task_id__in=set(task_ids)).values_list(
        "task_id", "organisation_id"
    ):
        leads[task_id].add(org_id)
    return leads


def lead_unit_ids(report: LedgerReport) -> set[int]:
    """The lead units (牵头单位) of the report's task."""
    return lead_units_of([report.task_id])[report.task_id]


def needs_lead_review(report: LedgerReport, leads: set[int] | None = None) -> bool:
    """A responsible unit's report on a task with a lead unit goes to the lead first; a lead
    unit's own report (and any report of a task without a lead) goes straight to the office."""
    leads = lead_unit_ids(report) if leads is None else leads
    return bool(leads) and report.organisation_id not in leads


def check_accept_report(actor: User, report: LedgerReport, leads: set[int] | None = None) -> None:
    """The county admin accepts a report submitted to the office: one that needs no lead review,
    or one its lead unit has passed on."""
    require_actor_in(actor, report.county, Role.COUNTY_ADMIN)
    _require_awaiting_review(report)
    if report.status in AWAITING_LEAD and needs_lead_review(report, leads):
        raise ValidationError({"status": _("该报告须先经牵头单位审核，再由县扶贫办通过。")})


def check_lead_review(actor: User, report: LedgerReport, leads: set[int] | None = None) -> None:
    """Pass on or return (as the lead unit): the actor reports for a lead unit of the task, the
    report is a responsible unit's and waits for that review."""
    require_actor_in(actor, report.county, *REPORTER_ROLES)
    leads = lead_unit_ids(report) if leads is None else leads
    if actor.organisation_id not in leads:
        raise PermissionDenied
    if report.organisation_id in leads:
        raise ValidationError({"status": _("牵头单位本单位的报告直接报县扶贫办，不需要牵头单位审核。")})
    if report.status not in AWAITING_LEAD:
        raise ValidationError(
            {
                "status": _("当前状态「%(current)s」不需要牵头单位审核。")
                % {"current": ReportStatus(report.status).label}
            }
        )


def check_return_report(actor: User, report: LedgerReport) -> None:
    require_actor_in(actor, report.county, *REVIEWER_ROLES)
    _require_awaiting_review(report)


def check_comment_report(actor: User, report: LedgerReport) -> None:
    require_actor_in(actor, report.county, *REVIEWER_ROLES)


def check_flag_report(actor: User, report: LedgerReport, flag: bool = True) -> None:
    """Mark (flag=True) or unmark an accepted report as good practice."""
    require_actor_in(actor, report.county, Role.COUNTY_ADMIN)
    if flag and report.status != ReportStatus.ACCEPTED:
        raise ValidationError({"good_practice": _("只能将已通过的报告标记为经验做法。")})


def check_self_inspection(actor: User, plan: Plan, assessed: bool | None = None) -> None:
    """Write the unit's self-inspection (自查) for the plan's year: a reporter of a unit assessed
    that year — responsible for a task or owning a scored figure (`selectors.assessment`, which
    the caller may already have asked: `assessed`)."""
    require_actor_in(actor, plan.county, *REPORTER_ROLES)
    if actor.organisation_id is None:
        raise PermissionDenied
    if assessed is None:
        from bangfu.workplan.selectors import assessment  # selectors imports services, which import us

        assessed = bool(assessment(plan, organisation_id=actor.organisation_id))
    if not assessed:
        raise PermissionDenied


def _can(check: Callable[..., None], *args: Any) -> bool:
    try:
        check(*args)
    except (PermissionDenied, ValidationError):
        return False
    return True


def can_edit_report(actor: User, report: LedgerReport) -> bool:
    return _can(check_edit_report, actor, report)


def can_submit_report(actor: User, report: LedgerReport) -> bool:
    return _can(check_submit_report, actor, report)


def can_accept_report(actor: User, report: LedgerReport, leads: set[int] | None = None) -> bool:
    return _can(check_accept_report, actor, report, leads)


def can_lead_review(actor: User, report: LedgerReport, leads: set[int] | None = None) -> bool:
    return _can(check_lead_review, actor, report, leads)


def can_return_report(actor: User, report: LedgerReport) -> bool:
    return _can(check_return_report, actor, report)


def can_comment_report(actor: User, report: LedgerReport) -> bool:
    return _can(check_comment_report, actor, report)


def can_flag_report(actor: User, report: LedgerReport) -> bool:
    """The toggle button: flag an unflagged report, or unflag a flagged one."""
    return _can(check_flag_report, actor, report, not report.good_practice)


def can_self_inspection(actor: User, plan: Plan, assessed: bool | None = None) -> bool:
    return _can(check_self_inspection, actor, plan, assessed)


def can_bulk_accept(actor: User) -> bool:
    """The list's checkboxes and 批量通过 button (each checked report is then judged by accept)."""
    return actor.is_active and actor.role == Role.COUNTY_ADMIN
