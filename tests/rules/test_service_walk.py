"""Every public write service refuses an actor out of its scope or of the wrong role, first, and
changes nothing (issue #19, docs/security.md "Scope at the service boundary").

The walk finds the services itself: every public function with an `actor` parameter in every
`<app>/services.py` of the module registry (bangfu.modules) and accounts. A new write service is
walked automatically; it must be listed in ALLOWED (which roles may call it) or the test fails, and
if it does not refuse the wrong actors first, the walk fails naming it.
"""

from __future__ import annotations

import inspect
import types
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from bangfu.accounts.models import Role, User
from bangfu.accounts.services import create_user
from bangfu.areas.models import Area
from bangfu.areas.services import load_areas_csv
from bangfu.modules import app_module, provided
from bangfu.partners.models import Organisation

pytestmark = pytest.mark.django_db

A, I, T, V, U, S = (  # noqa: E741 - the roles' initials keep the table readable
    Role.COUNTY_ADMIN,
    Role.INSPECTOR,
    Role.TOWNSHIP_CLERK,
    Role.VILLAGE_OFFICER,
    Role.UNIT_REPORTER,
    Role.SUPPORTER,
)
STAFF = (A, I, T, V, U)
SYSTEM = ()  # only the system (actor None) may call
SELF = "self"  # a supporter's own records: ownership is checked, tested in tests/network
OWN = "own"  # acts only on the actor's own records (nothing to refuse)
OWN_AREA = "own-area"  # writes only inside the actor's own area by construction: the role is checked
INTERNAL = "internal"  # called by other services after their scope check: the role is checked

# Who may call each write service (in scope). Anything not listed defaults to nothing: add it.
ALLOWED: dict[str, Any] = {
    "accounts.confirm_account_change": (A,),
    "accounts.create_api_token": (A,),  # and the user themself
    "accounts.create_user": (A,),
    "accounts.revoke_api_token": (A,),  # and the token's owner
    "accounts.set_user_active": (A,),
    "accounts.set_user_password": (A,),
    "accounts.update_user": (A,),
    "areas.create_area": (A,),
    "areas.load_areas_csv": (OWN_AREA, A),  # rows outside the actor's area are refused (tests/areas)
    "areas.set_registered_poor": (A,),
    "awards.add_award_type": (A,),
    "awards.add_panel_member": (A,),
    "awards.advance_round": (A,),
    "awards.answer_objection": (A,),
    "awards.create_round": (A,),
    "awards.declare_conflict": (A,),  # panel members only
    "awards.nominate": (A, U),
    "awards.review_eligibility": (A,),
    "awards.score_nomination": (A,),  # panel members only
    "charity.change_campaign_status": (A,),
    "charity.create_campaign": (A,),
    "charity.decide_spending": (A,),
    "charity.import_donations": (A,),
    "charity.record_donation": (A,),
    "charity.request_spending": (A,),
    "charity.reverse_spending": (A,),
    "charity.void_donation": (A,),
    "documents.number_document": (A,),
    "documents.update_office_profile": (A,),
    "ledger.get_or_open_account": (INTERNAL, A, T, V, U),
    "ledger.open_account": (INTERNAL, A, T, V, U),
    "ledger.post_entry": (INTERNAL, A, T, V, U),
    "ledger.reverse_entry": (INTERNAL, A, T, V, U),
    "monitoring.add_measure": (A, T, V),
    "monitoring.assign_helper": (A, T),
    "monitoring.close_risk": (A, T, V),
    "monitoring.create_monitored_household": (OWN_AREA, A, T, V),  # its village is scope-checked
    "monitoring.decide_lead": (A, T, V),
    "monitoring.open_risk": (A, T, V),
    "monitoring.record_income": (A, T, V),
    "monitoring.record_step": (A, T, V),  # each step its own roles (tests/monitoring)
    "monitoring.record_visit": (A, T, V, U),
    "monitoring.reveal_member_id": (A, T),
    "monitoring.set_policy": (A,),
    "network.add_product_photo": (A, T, V),
    "network.adjust_stock": (A, T, V),
    "network.attach_supporter_profile": (A,),
    "network.claim_need": SELF,
    "network.close_need": (A, T, V),
    "network.confirm_claim": (A, V),
    "network.create_product": (A, T, V),
    "network.deliver_claim": SELF,
    "network.ensure_invitation": (A,),
    "network.expire_claims": SYSTEM,
    "network.issue_invitations": (A,),
    "network.mark_mobile_verified": (A,),
    "network.place_order": (INTERNAL, U, S),  # buyers from anywhere (消费扶贫)
    "network.post_need": (A, T, V),
    "network.prune_signup_attempts": SYSTEM,
    "network.register_supporter": SYSTEM,  # public sign-up: actor None, a signed-in account is refused
    "network.review_need": (A, T),
    "network.send_verification_code": SELF,
    "network.transition_order": (A, T, V, U),  # the seller's village, the buying unit
    "network.update_network_settings": (A,),
    "network.update_product": (A, T, V),
    "network.verify_mobile": SELF,
    "network.withdraw_claim": SELF,
    "partners.add_contact": (A, U),
    "partners.change_pairing_helper": (A,),
    "partners.create_cadre": (A, U),
    "partners.create_pairing": (A,),
    "partners.end_pairing": (A,),
    "partners.import_cadres": (A, U),
    "partners.import_organisations": (A,),
    "partners.record_kinship_visit": (A, U),
    "partners.record_pairing_figures": (A, U),
    "partners.record_visit": (A, U),
    "partners.set_kinship_cap": (A,),
    "partners.set_organisation_parent": (A,),
    "partners.set_visit_rule": (A,),
    "partners.update_cadre": (A, U),
    "partners.upsert_organisation": (A,),
    "projects.add_disbursement_attachment": (A, T, V, U),  # either side of the project
    "projects.approve_disbursement": (A, T, V, U),
    "projects.change_project_status": (A,),
    "projects.close_rectification": (A,),
    "projects.create_project": (A, U),  # a unit reporter for projects its unit funds
    "projects.record_allocation": (A, T, V, U),
    "projects.record_evaluation": (A,),
    "projects.reject_disbursement": (A, T, V, U),
    "projects.request_disbursement": (A, T, V, U),
    "projects.reverse_allocation": (A,),
    "projects.save_investment_plan": (A, U),
    "projects.schedule_evaluations": (A,),
    "projects.schedule_pairing_evaluations": (A,),
    "projects.update_project": (A, U),
    "registry.create_import_job": (A,),
    "registry.import_registry": (OWN_AREA, A),
    "registry.reveal_id_number": (A, T, V),
    "subsidies.advance_sanzhi_applicant": (A,),
    "subsidies.assess_sanzhi_placement": (A,),
    "subsidies.complete_milestone": (A,),
    "subsidies.create_payment_batch": (A,),
    "subsidies.create_sanzhi_plan": (A,),
    "subsidies.create_technician_cohort": (A,),
    "subsidies.create_term": (A,),
    "subsidies.enrol_technician_student": (A, T),
    "subsidies.ensure_plan_milestones": (A,),
    "subsidies.export_bank_file": (A,),
    "subsidies.fund_technician_term": (A,),
    "subsidies.import_paid_list": (A,),
    "subsidies.mark_batch_paid": (A,),
    "subsidies.pay_sanzhi_month": (A,),
    "subsidies.pay_sanzhi_subsidy": (A,),
    "subsidies.place_sanzhi_applicant": (A,),
    "subsidies.record_payment": (A,),
    "subsidies.record_sanzhi_departure": (A,),
    "subsidies.record_sanzhi_outcome": (A,),
    "subsidies.register_sanzhi_applicant": (A,),
    "subsidies.review_application": (A, T, V),  # each its own step
    "subsidies.set_sanzhi_posts": (A,),
    "subsidies.set_technician_status": (A, T),
    "subsidies.submit_application": (A, T, V),
    "subsidies.update_term": (A,),
    "workplan.accept_report": (A,),
    "workplan.add_adjustment": (A,),
    "workplan.add_attachment": (A, T, U),  # the reporting unit
    "workplan.bulk_accept_reports": (A,),
    "workplan.comment_report": (A, I),
    "workplan.flag_good_practice": (A,),
    "workplan.lead_pass_report": (T, U),  # a reporter of the task's lead unit (tests/workplan)
    "workplan.lead_pass_reports": (T, U),
    "workplan.lead_return_report": (T, U),
    "workplan.load_plan": (A,),
    "workplan.mark_notifications_read": OWN,
    "workplan.return_report": (A, I),
    "workplan.save_report": (A, T, U),
    "workplan.save_self_inspection": (OWN_AREA, T, U),  # the actor's own organisation
    "workplan.send_reminders": (A,),
    "workplan.set_milestone_completed": (A,),
    "workplan.submit_report": (A, T, U),
    "workplan.update_settings": (A,),
    "workplan.update_task": (A,),
}


def _write_services() -> list[tuple[str, types.FunctionType]]:
    modules = [("accounts", app_module("accounts", "services")), *provided("services")]
    found = []
    for label, module in modules:
        for name, func in vars(module).items():
            if (
                inspect.isfunction(func)
                and func.__module__ == module.__name__
                and not name.startswith(("_", "may_", "can_", "check_"))  # predicates write nothing
                and "actor" in inspect.signature(func).parameters
            ):
                found.append((f"{label}.{name}", func))
    return sorted(found, key=lambda x: x[0])


AREAS_CSV = (
    b"code,name,level,parent_code,registered_poor\n"
    b"513326000000,Other county,county,513300000000,0\n"
    b"513326100000,Other township,township,513326000000,0\n"
    b"513326100200,Other village,village,513326100000,0\n"
)


def _outsiders() -> dict[str, User]:
    """One user per staff role in the neighbouring county."""
    load_areas_csv(actor=None, data=AREAS_CSV)
    county = Area.objects.get(code="513326000000")
    org = Organisation.objects.create(
        county=county, code="OUT1", name="外县单位", org_type="other", admin_level="county"
    )
    where = {A: county, I: county, T: "513326100000", V: "513326100200", U: county}
    users = {}
    for role, area in where.items():
        users[role] = create_user(
            actor=None,
            username=f"out-{role}",
            password="correct-horse-battery",
            role=role,
            area=area if isinstance(area, Area) else Area.objects.get(code=area),
            organisation=org if role == U else None,
        )
    return users


def _insiders() -> dict[str, User]:
    names = {A: "admin", I: "inspector", T: "township", V: "village", U: "unit", S: "supporter"}
    return {role: User.objects.get(username=name) for role, name in names.items()}


MODELS = {model.__name__: model for model in apps.get_models()}
IN_COUNTY = "513325"


def _instance(model_name: str) -> Any:
    model = MODELS[model_name]
    if model_name == "Area":
        return Area.objects.get(code="513325000000")
    qs = model._default_manager.all()
    for path in ("county__code", "area__code", "campaign__county__code", "project__county__code"):
        try:
            found = qs.filter(**{f"{path}__startswith": IN_COUNTY}).first()
        except Exception:
            continue
        return found
    return qs.first()


SCALARS: dict[str, Any] = {
    "str": "x",
    "int": 2020,
    "Decimal": Decimal("1"),
    "Decimal | str": "1",
    "date": date(2020, 7, 1),
    "date | None": date(2020, 7, 1),
    "bool": True,
    "bytes": b"x",
    "Any": None,
    "Path | str": "x",
}
AREA_BY_NAME = {"county": "513325000000", "township": "513325100000", "village": "513325100202"}


def _argument(name: str, annotation: str) -> Any:
    annotation = annotation.replace(" | None", "") if annotation not in SCALARS else annotation
    if annotation in SCALARS:
        return SCALARS[annotation]
    if annotation == "Area":
        return Area.objects.get(code=AREA_BY_NAME.get(name, "513325100202"))
    if annotation == "UploadedFile":
        from django.core.files.uploadedfile import SimpleUploadedFile

        return SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")
    for wrapper in ("list[", "Sequence["):
        if annotation.startswith(wrapper):
            return [_argument(name, annotation[len(wrapper) : -1])]
    if annotation in MODELS:
        found = _instance(annotation)
        if found is None:
            raise LookupError(f"no {annotation} in the demo county")
        return found
    return None


# Records about a user who is none of the walking actors (an actor may manage their own token).
TARGETS: dict[str, Any] = {}


def _targets() -> None:
    from bangfu.accounts.models import AccountChange
    from bangfu.accounts.services import create_api_token

    user = create_user(
        actor=None,
        username="walk-target",
        password="correct-horse-battery",
        role=T,
        area=Area.objects.get(code="513325100000"),
    )
    TARGETS["user"] = user
    TARGETS["token"] = create_api_token(actor=None, user=user)[0]
    TARGETS["change"] = AccountChange.objects.create(
        user=user,
        kind="password",
        made_by=User.objects.get(username="admin"),
        made_at=user.date_joined,
        role=T,
        area_code=user.area.code,
    )


def _arguments(func: types.FunctionType) -> dict[str, Any]:
    args = {}
    for name, param in inspect.signature(func).parameters.items():
        if name == "actor" or param.default is not inspect.Parameter.empty:
            continue
        if param.kind in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL):
            continue
        if name in TARGETS:
            args[name] = TARGETS[name]
            continue
        args[name] = _argument(name, str(param.annotation))
    return args


def _counts() -> dict[str, int]:
    return {label: model._default_manager.count() for label, model in MODELS.items() if model._meta.managed}


def test_every_write_service_is_listed() -> None:
    missing = [name for name, _f in _write_services() if name not in ALLOWED]
    assert not missing, f"add these write services to ALLOWED (who may call them): {missing}"


def test_every_write_service_refuses_the_wrong_actor_first_and_changes_nothing(full_demo) -> None:
    from django.contrib.auth.models import AnonymousUser  # noqa: F401

    inside, outside = _insiders(), _outsiders()
    _targets()
    failures = []
    for name, func in _write_services():
        allowed = ALLOWED.get(name, (A,))
        if allowed == OWN:
            continue
        internal = isinstance(allowed, tuple) and allowed[:1] in ((INTERNAL,), (OWN_AREA,))
        roles = allowed[1:] if internal else allowed
        if roles == SELF:
            hostile = [inside[r] for r in STAFF]
        else:
            hostile = [inside[r] for r in (*STAFF, S) if r not in roles]
            if not internal:
                hostile += [outside[r] for r in roles if r in outside]
        try:
            args = _arguments(func)
        except LookupError as exc:
            failures.append(f"{name}: {exc}")
            continue
        for actor in hostile:
            with transaction.atomic():
                before = _counts()
                try:
                    func(actor=actor, **args)
                except (PermissionDenied, Http404):
                    outcome = None
                except Exception as exc:
                    outcome = f"{type(exc).__name__}: {str(exc)[:80]}"
                else:
                    outcome = "accepted"
                after = _counts()
                transaction.set_rollback(True)
            if outcome is not None:
                failures.append(f"{name} as {actor.username} ({actor.role}): {outcome}")
            elif after != before:
                changed = sorted(k for k in before if before[k] != after[k])
                failures.append(f"{name} as {actor.username}: refused but changed {changed}")
    assert not failures, "\n".join(failures)
