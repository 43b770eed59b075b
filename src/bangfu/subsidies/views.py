"""Thin views: scoping helper → form → one service call → redirect or render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import STAFF_ROLES, require_county_for_user, require_role
from bangfu.areas.models import Area, township_code_of
from bangfu.lib.clock import today
from bangfu.lib.params import int_param, year_param
from bangfu.lib.sheets import MIME
from bangfu.subsidies import selectors, services
from bangfu.subsidies.exports import reconciliation_xlsx
from bangfu.subsidies.forms import (
    ApplicantForm,
    ApplicationForm,
    AssessForm,
    CohortForm,
    FundTermForm,
    MonthForm,
    PostForm,
    SanzhiPlanForm,
    TechnicianEnrolForm,
    TermForm,
    TermSettingsForm,
)
from bangfu.subsidies.models import (
    APPLICATION_TRANSITIONS,
    TECHNICIAN_TRANSITIONS,
    ApplicationStatus,
    Programme,
    SanzhiField,
    SanzhiOutcome,
    SanzhiStage,
    TechnicianStatus,
    YuluApplication,
)


def _staff(request: HttpRequest) -> None:
    require_role(request.user, *STAFF_ROLES)


def _county_of(request: HttpRequest) -> Area:
    return require_county_for_user(request.user)


def _form_errors(request: HttpRequest, form: forms.Form) -> None:
    for field_errors in form.errors.values():
        for error in field_errors:
            messages.error(request, str(error))


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


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
        {"terms": terms, "form": form, "can_edit": user.role == Role.COUNTY_ADMIN, "term_pages": True},
    )


# --- milestones ----------------------------------------------------------------------------------------
@login_required
def milestone_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    user: Any = request.user
    year = year_param(request.GET.get("year")) or today().year
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
        plan.posts.filter(township__code__startswith=township_code_of(user.area.prefix))
        .select_related("township")
        .annotate(
            applied=Count("applicants"),
            hired=Count("applicants", filter=Q(applicants__stage=SanzhiStage.HIRED)),
        )
    )
    placements = (
        selectors.sanzhi_placements_for_user(user)
        .filter(applicant__plan=plan)
        .annotate(paid_total=Sum("payments__amount"))
        .prefetch_related("assessments")
    )
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
            "applicants": applicants.annotate(placed=Count("placement")).order_by("number")[:500],
            "placements": placements,
            "stages": [(value, label, stage_counts.get(value, 0)) for value, label in SanzhiStage.choices],
            "stage": stage,
            "fields": SanzhiField.choices,
            "can_edit": user.role == Role.COUNTY_ADMIN,
            "post_form": PostForm(county=plan.county, prefix=None),
            "applicant_form": ApplicantForm(plan=plan),
            "month_form": MonthForm(),
            "assess_form": AssessForm(),
            "outcomes": [c for c in SanzhiOutcome.choices if c[0]],
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


# --- Yulu: the zero-omission dashboard, applications, batches ----------------------------------------
@login_required
def term_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The county's zero-omission dashboard: per township, missing count going to zero."""
    _staff(request)
    user: Any = request.user
    term = selectors.get_term_for_user(user, code)
    rec = selectors.reconciliation_for_user(user, term)
    townships = {
        a.township_code: a for a in Area.objects.filter(level="township", code__startswith=term.county.prefix)
    }
    by_township = rec.by_township()
    rows = [
        {"township": townships.get(code_, code_), "code": code_, **counts}
        for code_, counts in sorted(by_township.items())
    ]
    category = request.GET.get("show", "missing")
    if category not in selectors.CATEGORIES:
        category = "missing"
    ids = sorted(getattr(rec, category))[:500]
    people = (
        selectors.members_in_scope(user).filter(pk__in=ids).select_related("household", "village")
        if ids
        else []
    )
    chart = {
        "names": [str(r["township"]) for r in rows],
        "missing": [r["missing"] for r in rows],
        "paid": [r["paid"] for r in rows],
    }
    return render(
        request,
        "subsidies/term_detail.html",
        {
            "term": term,
            "summary": rec.summary(),
            "rows": rows,
            "category": category,
            "people": people,
            "chart_json": chart,
            "overdue": today() > term.payment_deadline and bool(rec.missing),
            "can_batch": user.role == Role.COUNTY_ADMIN,
            "batches": selectors.batches_for_user(user).filter(term=term),
            "settings_form": TermSettingsForm(
                initial={
                    "start_date": term.start_date,
                    "payment_deadline": term.payment_deadline,
                    "amount": term.amount,
                }
            ),
        },
    )


APPLY_ROLES = (Role.VILLAGE_OFFICER, Role.TOWNSHIP_CLERK)


@login_required
def application_list(request: HttpRequest, code: str) -> HttpResponse:
    _staff(request)
    user: Any = request.user
    term = selectors.get_term_for_user(user, code)
    applications = selectors.applications_for_user(user).filter(term=term)
    status = request.GET.get("status", "")
    if status in ApplicationStatus.values:
        applications = applications.filter(status=status)
    form = ApplicationForm(request.POST or None)
    if request.method == "POST":
        require_role(user, *APPLY_ROLES)
        if form.is_valid():
            member = selectors.get_member_in_scope(user, form.cleaned_data.pop("member"))
            try:
                services.submit_application(actor=user, term=term, member=member, **form.cleaned_data)
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(request, _("申请已登记。"))
                return redirect("subsidies:applications", code=term.code)
    # Eligible students of the user's area without an open application: who still has to apply.
    waiting: list[Any] = []
    if user.role in APPLY_ROLES:
        applied = YuluApplication.objects.filter(term=term).exclude(status=ApplicationStatus.REJECTED)
        waiting = list(
            selectors.members_in_scope(user)
            .filter(pk__in=selectors.eligible_member_ids(term))
            .exclude(pk__in=applied.values("member_id"))
            .select_related("household", "village")[:200]
        )
    page = Paginator(applications.order_by("village__code", "pk"), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "subsidies/application_list.html",
        {
            "term": term,
            "page": page,
            "status": status,
            "statuses": ApplicationStatus.choices,
            "form": form,
            "waiting": waiting,
            "transitions": APPLICATION_TRANSITIONS,
            "role": user.role,
            "today": today(),
        },
    )


@login_required
@require_POST
def application_review(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    application = selectors.get_application_for_user(request.user, pk)
    try:
        services.review_application(
            actor=request.user,  # type: ignore[arg-type]
            application=application,
            approve=request.POST.get("decision") == "approve",
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("subsidies:applications", code=application.term.code)


@login_required
@require_POST
def batch_create(request: HttpRequest, code: str) -> HttpResponse:
    require_role(request.user, Role.COUNTY_ADMIN)
    term = selectors.get_term_for_user(request.user, code)
    try:
        batch = services.create_payment_batch(actor=request.user, term=term)  # type: ignore[arg-type]
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("已生成发放批次 %(b)s。") % {"b": batch})
    return redirect("subsidies:term", code=term.code)


@login_required
@require_POST
def batch_paid(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.COUNTY_ADMIN)
    batch = selectors.get_batch_for_user(request.user, pk)
    try:
        services.mark_batch_paid(actor=request.user, batch=batch, paid_on=today())  # type: ignore[arg-type]
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("subsidies:term", code=batch.term.code)


@login_required
def batch_file(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.COUNTY_ADMIN)
    batch = selectors.get_batch_for_user(request.user, pk)
    content = services.export_bank_file(actor=request.user, batch=batch)  # type: ignore[arg-type]
    response = HttpResponse(content, content_type=MIME)
    response["Content-Disposition"] = f'attachment; filename="yulu-{batch.term.code}-{batch.number}.xlsx"'
    return response


@login_required
def reconciliation_file(request: HttpRequest, code: str) -> HttpResponse:
    require_role(request.user, Role.COUNTY_ADMIN, Role.INSPECTOR, Role.TOWNSHIP_CLERK)
    term = selectors.get_term_for_user(request.user, code)
    rec = selectors.reconciliation_for_user(request.user, term)
    response = HttpResponse(
        reconciliation_xlsx(rec),
        content_type=MIME,
    )
    response["Content-Disposition"] = f'attachment; filename="yulu-reconcile-{term.code}.xlsx"'
    return response


@login_required
def technician(request: HttpRequest) -> HttpResponse:
    _staff(request)
    user: Any = request.user
    cohort_form = CohortForm(request.POST or None, prefix="cohort")
    if request.method == "POST" and "cohort-year" in request.POST:
        require_role(user, Role.COUNTY_ADMIN)
        if cohort_form.is_valid():
            try:
                services.create_technician_cohort(
                    actor=user, county=_county_of(request), **cohort_form.cleaned_data
                )
            except ValidationError as exc:
                _errors(request, exc)
            else:
                return redirect("subsidies:technician")
    cohorts = selectors.cohorts_for_user(user).annotate(
        studying=Count("enrolments", filter=Q(enrolments__status=TechnicianStatus.STUDYING))
    )
    year = year_param(request.GET.get("year")) or today().year
    enrolments = selectors.enrolments_for_user(user).filter(cohort__year=year)
    return render(
        request,
        "subsidies/technician.html",
        {
            "cohorts": cohorts,
            "year": year,
            "enrolments": enrolments[:500],
            "cohort_form": cohort_form,
            "enrol_form": TechnicianEnrolForm(),
            "fund_form": FundTermForm(),
            "cohort_years": [c.year for c in cohorts],
            "can_edit": user.role == Role.COUNTY_ADMIN,
            "can_update": user.role in (Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK),
            "transitions": {k: sorted(v) for k, v in TECHNICIAN_TRANSITIONS.items()},
            "status_labels": dict(TechnicianStatus.choices),
        },
    )


@login_required
@require_POST
def technician_status(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK)
    enrolment = selectors.get_enrolment_for_user(request.user, pk)
    try:
        services.set_technician_status(
            actor=request.user,  # type: ignore[arg-type]
            enrolment=enrolment,
            status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(f"{reverse('subsidies:technician')}?year={enrolment.cohort.year}")


@login_required
@require_POST
def sanzhi_action(request: HttpRequest, year: int) -> HttpResponse:
    """County admin actions on a plan: posts, applicants, placements, payments, assessments."""
    require_role(request.user, Role.COUNTY_ADMIN)
    user: Any = request.user
    plan = selectors.get_sanzhi_plan_for_user(user, year)
    action = request.POST.get("action", "")
    try:
        if action == "post":
            form: forms.Form = PostForm(request.POST, county=plan.county)
            if form.is_valid():
                services.set_sanzhi_posts(actor=user, plan=plan, **form.cleaned_data)
        elif action == "applicant":
            form = ApplicantForm(request.POST, plan=plan)
            if form.is_valid():
                services.register_sanzhi_applicant(actor=user, **form.cleaned_data)
        elif action == "month":
            form = MonthForm(request.POST)
            if form.is_valid():
                count = services.pay_sanzhi_month(
                    actor=user, county=plan.county, month=form.cleaned_data["month"], paid_on=today()
                )
                messages.success(request, _("已为%(n)d人发放生活补贴。") % {"n": count})
        elif action in ("place", "settling", "assess", "outcome", "leave"):
            form = AssessForm(request.POST) if action == "assess" else forms.Form(request.POST)
            if form.is_valid():
                _placement_action(request, user, action, form)
        else:
            form = forms.Form()
            form.add_error(None, _("未知操作。"))
        _form_errors(request, form)
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("subsidies:sanzhi_plan", year=plan.year)


def _placement_action(request: HttpRequest, user: Any, action: str, form: forms.Form) -> None:
    pk = int_param(request.POST.get("pk")) or 0
    if action == "place":
        applicant = selectors.get_sanzhi_applicant_for_user(user, pk)
        start = forms.DateField().clean(request.POST.get("start_date"))
        services.place_sanzhi_applicant(actor=user, applicant=applicant, start_date=start)
        return
    placement = selectors.get_sanzhi_placement_for_user(user, pk)
    if action == "settling":
        services.pay_sanzhi_subsidy(
            actor=user, placement=placement, kind="settling", month=today(), paid_on=today()
        )
    elif action == "assess":
        services.assess_sanzhi_placement(actor=user, placement=placement, **form.cleaned_data)
    elif action == "outcome":
        services.record_sanzhi_outcome(
            actor=user, placement=placement, outcome=request.POST.get("outcome", "")
        )
    else:
        services.record_sanzhi_departure(
            actor=user, placement=placement, reason=request.POST.get("reason", "")
        )


@login_required
@require_POST
def technician_action(request: HttpRequest, year: int) -> HttpResponse:
    """Enrol a student (found by ID number within the user's scope) or fund a term."""
    require_role(request.user, Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK)
    user: Any = request.user
    cohort = selectors.get_cohort_for_user(user, year)
    form: forms.Form
    try:
        if request.POST.get("action") == "fund":
            require_role(user, Role.COUNTY_ADMIN)
            form = FundTermForm(request.POST)
            if form.is_valid():
                count = services.fund_technician_term(
                    actor=user, cohort=cohort, term_code=form.cleaned_data["term_code"], paid_on=today()
                )
                messages.success(request, _("已资助%(n)d名在读学员。") % {"n": count})
        else:
            form = TechnicianEnrolForm(request.POST)
            if form.is_valid():
                member = selectors.member_by_id_number_in_scope(user, form.cleaned_data.pop("id_number"))
                if member is None:
                    form.add_error("id_number", _("在您的管辖范围内没有这个证件号码的成员。"))
                else:
                    services.enrol_technician_student(
                        actor=user, cohort=cohort, member=member, **form.cleaned_data
                    )
                    messages.success(request, _("已报名。"))
        _form_errors(request, form)
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(f"{reverse('subsidies:technician')}?year={cohort.year}")


@login_required
@require_POST
def term_edit(request: HttpRequest, code: str) -> HttpResponse:
    require_role(request.user, Role.COUNTY_ADMIN)
    term = selectors.get_term_for_user(request.user, code)
    form = TermSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.update_term(actor=request.user, term=term, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            _errors(request, exc)
    else:
        _form_errors(request, form)
    return redirect("subsidies:term", code=term.code)


@login_required
@require_POST
def paid_list_upload(request: HttpRequest, code: str) -> HttpResponse:
    require_role(request.user, Role.COUNTY_ADMIN)
    term = selectors.get_term_for_user(request.user, code)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择文件。"))
    else:
        try:
            count = services.import_paid_list(
                actor=request.user,  # type: ignore[arg-type]
                term=term,
                data=upload.read(),
                filename=upload.name or "",
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("已补录%(n)d条发放记录。") % {"n": count})
    return redirect("subsidies:term", code=term.code)
