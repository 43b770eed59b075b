"""Thin views: scoping helper → form → one service call → redirect or render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import STAFF_ROLES, require_role
from bangfu.areas.models import Area
from bangfu.lib.clock import today
from bangfu.subsidies import selectors, services
from bangfu.subsidies.models import Programme, SanzhiField, SanzhiStage


def _staff(request: HttpRequest) -> None:
    require_role(request.user, *STAFF_ROLES)


def _county_of(request: HttpRequest) -> Area:
    user: Any = request.user
    code = user.area.code[:6] + "000000"
    return Area.objects.get(code=code)


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- Yulu terms ----------------------------------------------------------------------------------------
class TermForm(forms.Form):
    code = forms.CharField(label=_l("学期编号"), help_text=_l("如 2020-spring、2020-autumn"), max_length=12)
    start_date = forms.DateField(
        label=_l("开学日期"), required=False, help_text=_l("留空：春季3月1日，秋季9月1日")
    )
    payment_deadline = forms.DateField(
        label=_l("发放截止日期"), required=False, help_text=_l("留空：春季6月30日，秋季12月31日")
    )
    amount = forms.DecimalField(
        label=_l("每生补助金额（元）"), required=False, max_digits=14, decimal_places=2
    )


@login_required
def term_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    user: Any = request.user
    form = TermForm(request.POST or None)
    if request.method == "POST":
        require_role(user, Role.COUNTY_ADMIN)
        if form.is_valid():
            try:
                term = services.create_term(
                    actor=user,
                    county=_county_of(request),
                    code=form.cleaned_data["code"],
                    start_date=form.cleaned_data["start_date"],
                    payment_deadline=form.cleaned_data["payment_deadline"],
                    amount=form.cleaned_data["amount"],
                )
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(request, _("已开设学期 %(t)s。") % {"t": term})
                return redirect("subsidies:terms")
    terms = selectors.terms_for_user(user)
    return render(
        request,
        "subsidies/term_list.html",
        {"terms": terms, "form": form, "can_edit": user.role == Role.COUNTY_ADMIN},
    )


# --- milestones ----------------------------------------------------------------------------------------
@login_required
def milestone_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    user: Any = request.user
    year = int(request.GET.get("year") or today().year)
    milestones = selectors.milestones_for_user(user).filter(year=year)
    grouped = [(label, [m for m in milestones if m.programme == value]) for value, label in Programme.choices]
    return render(
        request,
        "subsidies/milestones.html",
        {
            "year": year,
            "grouped": grouped,
            "today": today(),
            "can_edit": user.role == Role.COUNTY_ADMIN,
        },
    )


@login_required
@require_POST
def milestone_complete(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.COUNTY_ADMIN)
    milestone = selectors.get_milestone_for_user(request.user, pk)
    try:
        services.complete_milestone(actor=request.user, milestone=milestone, done_on=today())  # type: ignore[arg-type]
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(f"{reverse('subsidies:milestones')}?year={milestone.year}")


@login_required
@require_POST
def milestone_schedule(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.COUNTY_ADMIN)
    year = today().year
    services.ensure_plan_milestones(actor=request.user, county=_county_of(request), year=year)  # type: ignore[arg-type]
    return redirect("subsidies:milestones")


# --- technician cohorts --------------------------------------------------------------------------------
class CohortForm(forms.Form):
    year = forms.IntegerField(label=_l("年度"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_l("名称"), max_length=80)
    amount_per_term = forms.DecimalField(label=_l("每生每学期资助（元）"), max_digits=14, decimal_places=2)


# --- Sanzhi-Yifu ---------------------------------------------------------------------------------------
class SanzhiPlanForm(forms.Form):
    year = forms.IntegerField(label=_l("年度"), min_value=2000, max_value=2100)
    monthly_subsidy = forms.DecimalField(label=_l("每月生活补贴（元）"), max_digits=14, decimal_places=2)
    settling_allowance = forms.DecimalField(label=_l("一次性安家费（元）"), max_digits=14, decimal_places=2)
    service_months = forms.IntegerField(label=_l("服务期（月）"), initial=24, min_value=1)


@login_required
def sanzhi_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    user: Any = request.user
    form = SanzhiPlanForm(request.POST or None)
    if request.method == "POST":
        require_role(user, Role.COUNTY_ADMIN)
        if form.is_valid():
            try:
                plan = services.create_sanzhi_plan(
                    actor=user, county=_county_of(request), **form.cleaned_data
                )
            except ValidationError as exc:
                _errors(request, exc)
            else:
                return redirect("subsidies:sanzhi_plan", year=plan.year)
    plans = selectors.sanzhi_plans_for_user(user)
    return render(
        request,
        "subsidies/sanzhi_list.html",
        {"plans": plans, "form": form, "can_edit": user.role == Role.COUNTY_ADMIN},
    )


@login_required
def sanzhi_plan(request: HttpRequest, year: int) -> HttpResponse:
    _staff(request)
    user: Any = request.user
    plan = selectors.get_sanzhi_plan_for_user(user, year)
    applicants = selectors.sanzhi_applicants_for_user(user).filter(plan=plan)
    posts = (
        plan.posts.filter(township__code__startswith=(user.area.prefix[:9]))
        .select_related("township")
        .annotate(
            applied=Count("applicants"),
            hired=Count("applicants", filter=Q(applicants__stage=SanzhiStage.HIRED)),
        )
    )
    placements = selectors.sanzhi_placements_for_user(user).filter(applicant__plan=plan)
    stage = request.GET.get("stage", "")
    if stage in SanzhiStage.values:
        applicants = applicants.filter(stage=stage, eliminated=False)
    stage_counts = dict(
        selectors.sanzhi_applicants_for_user(user)
        .filter(plan=plan, eliminated=False)
        .values_list("stage")
        .annotate(n=Count("pk"))
        .values_list("stage", "n")
    )
    return render(
        request,
        "subsidies/sanzhi_plan.html",
        {
            "plan": plan,
            "posts": posts,
            "applicants": applicants.order_by("number")[:500],
            "placements": placements,
            "stages": [(value, label, stage_counts.get(value, 0)) for value, label in SanzhiStage.choices],
            "stage": stage,
            "fields": SanzhiField.choices,
            "can_edit": user.role == Role.COUNTY_ADMIN,
        },
    )


@login_required
@require_POST
def sanzhi_advance(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.COUNTY_ADMIN)
    applicant = selectors.get_sanzhi_applicant_for_user(request.user, pk)
    passed = request.POST.get("decision") == "pass"
    try:
        services.advance_sanzhi_applicant(
            actor=request.user,  # type: ignore[arg-type]
            applicant=applicant,
            passed=passed,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("subsidies:sanzhi_plan", year=applicant.plan.year)
