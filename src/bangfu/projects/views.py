"""Pages of projects. Thin: scoping helper → form → one service call → redirect or render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.accounts.http import AuthedHttpRequest
from bangfu.accounts.models import Role
from bangfu.accounts.scopes import (
    STAFF_ROLES,
    areas_for_user,
    organisations_for_user,
    require_county_for_user,
    require_role,
)
from bangfu.areas.models import Area
from bangfu.core.once import submit_once
from bangfu.ledger.selectors import entries_of
from bangfu.lib.clock import today
from bangfu.lib.dates import FOUNDING, latest_year
from bangfu.lib.params import int_param, year_param
from bangfu.lib.sheets import MIME as XLSX
from bangfu.partners.models import Organisation, OrgType
from bangfu.projects import services
from bangfu.projects.forms import (
    AllocationForm,
    AttachmentForm,
    CloseRectificationForm,
    DisbursementForm,
    EvaluationForm,
    InvestmentPlanForm,
    ProjectEditForm,
    ProjectForm,
    RejectForm,
    StatusForm,
    apply_errors,
)
from bangfu.projects.models import (
    PROJECT_TRANSITIONS,
    DisbursementStatus,
    ProjectKind,
    ProjectStatus,
)
from bangfu.projects.reports import fund_flow_xlsx, project_ledger_xlsx
from bangfu.projects.scopes import (
    disbursements_for_user,
    evaluations_for_user,
    get_allocation_for_user,
    get_attachment_for_user,
    get_disbursement_for_user,
    get_evaluation_for_user,
    get_project_for_user,
    get_rectification_for_user,
    investment_plans_for_user,
    projects_for_user,
    sides_of,
)
from bangfu.projects.selectors import evaluations_due, evaluations_overdue, fund_figures, plan_progress

PARTNER_TYPES = [
    OrgType.EAST_PARTNER,
    OrgType.COUNTERPART,
    OrgType.PRIVATE_ENTERPRISE,
    OrgType.STATE_ENTERPRISE,
]


def _staff(request: AuthedHttpRequest) -> None:
    require_role(request.user, *STAFF_ROLES)


def _county(request: AuthedHttpRequest) -> Area:
    return require_county_for_user(request.user)


def _can_register(request: AuthedHttpRequest) -> bool:
    return request.user.role in (Role.COUNTY_ADMIN, Role.UNIT_REPORTER)


def _filtered_projects(request: AuthedHttpRequest, *, by_year: bool = True) -> tuple[Any, dict[str, str]]:
    projects = projects_for_user(request.user)
    f = {k: request.GET.get(k, "").strip() for k in ("q", "year", "kind", "status", "partner")}
    if f["q"]:
        projects = projects.filter(Q(code__icontains=f["q"]) | Q(title__icontains=f["q"]))
    year = year_param(f["year"])
    if by_year and year is not None:
        projects = projects.filter(year=year)
    if f["kind"] in ProjectKind.values:
        projects = projects.filter(kind=f["kind"])
    if f["status"] in ProjectStatus.values:
        projects = projects.filter(status=f["status"])
    if f["partner"]:
        projects = projects.filter(funders__code=f["partner"]).distinct()
    return projects, f


@login_required
def project_list(request: AuthedHttpRequest) -> HttpResponse:
    _staff(request)
    projects, f = _filtered_projects(request)
    page = Paginator(projects.prefetch_related("funders"), 50).get_page(request.GET.get("page"))
    figures = fund_figures(page.object_list)
    rows = [(p, figures[p.pk]) for p in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/project_list.html",
        {
            "page": page,
            "rows": rows,
            "f": f,
            "kinds": ProjectKind.choices,
            "statuses": ProjectStatus.choices,
            "can_register": _can_register(request),
            "query": query.urlencode(),
        },
    )


@login_required
def project_create(request: AuthedHttpRequest) -> HttpResponse:
    if not _can_register(request):
        raise PermissionDenied
    county = _county(request)
    form = ProjectForm(
        request.POST or None,
        areas=areas_for_user(request.user).filter(code__startswith=county.prefix),
        organisations=organisations_for_user(request.user).filter(county=county),
        plans=investment_plans_for_user(request.user),
        initial={"year": today().year},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            project = services.create_project(
                actor=request.user, county=county, funders=list(data.pop("funders")), **data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("项目已登记。"))
            return redirect("projects:detail", code=project.code)
    return render(request, "projects/project_form.html", {"form": form})


@login_required
def project_edit(request: AuthedHttpRequest, code: str) -> HttpResponse:
    project = get_project_for_user(request.user, code)
    if not _can_edit(request, project):
        raise PermissionDenied
    initial = {f: getattr(project, f) for f in services.EDITABLE_FIELDS}
    form = ProjectEditForm(
        request.POST or None,
        initial=initial,
        areas=Area.objects.none(),
        organisations=Organisation.objects.none(),
        plans=investment_plans_for_user(request.user).filter(county=project.county, year=project.year),
    )
    if request.method == "POST" and form.is_valid():
        changes = {f: v for f, v in form.cleaned_data.items() if v != initial.get(f)}
        try:
            services.update_project(actor=request.user, project=project, **changes)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("项目信息已更新。"))
            return redirect("projects:detail", code=project.code)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


def _can_edit(request: AuthedHttpRequest, project: Any) -> bool:
    if project.status in (ProjectStatus.COMPLETED, ProjectStatus.CANCELLED):
        return False
    if request.user.role == Role.COUNTY_ADMIN:
        return True
    return request.user.role == Role.UNIT_REPORTER and "funder" in sides_of(request.user, project)


@login_required
def project_detail(request: AuthedHttpRequest, code: str) -> HttpResponse:
    _staff(request)
    project = get_project_for_user(request.user, code)
    sides = sides_of(request.user, project)
    disbursements = list(
        project.disbursements.select_related("requested_by", "rejected_by").prefetch_related(
            "approvals__approver"
        )
    )
    next_statuses = [
        (s, ProjectStatus(s).label) for s in ProjectStatus.values if s in PROJECT_TRANSITIONS[project.status]
    ]
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "figures": fund_figures([project])[project.pk],
            "entries": entries_of(project.account),
            "allocations": project.allocations.select_related("funder", "entry", "entry__reversed_by"),
            "disbursements": disbursements,
            "evaluations": project.evaluations.prefetch_related("rectifications").order_by("year", "due_on"),
            "funders": project.funders.all(),
            "sides": sides,
            "can_move_money": bool(sides)
            and project.status in (ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS),
            "is_admin": request.user.role == Role.COUNTY_ADMIN,
            "can_edit": _can_edit(request, project),
            "next_statuses": next_statuses,
            "reject_form": RejectForm(),
            "attachment_form": AttachmentForm(),
        },
    )


def _run(request: AuthedHttpRequest, call: Callable[[], Any], success: str) -> None:
    """Run a service from a POST button; its refusal becomes an error message."""
    try:
        call()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)


@login_required
@require_POST
def project_status(request: AuthedHttpRequest, code: str) -> HttpResponse:
    project = get_project_for_user(request.user, code)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("状态无效。"))
    else:
        _run(
            request,
            lambda: services.change_project_status(
                actor=request.user,
                project=project,
                to=form.cleaned_data["to"],
                reason=form.cleaned_data["reason"],
            ),
            _("项目状态已更新。"),
        )
    return redirect("projects:detail", code=project.code)


@login_required
def allocation_create(request: AuthedHttpRequest, code: str) -> HttpResponse:
    project = get_project_for_user(request.user, code)
    if not sides_of(request.user, project):
        raise PermissionDenied
    form = AllocationForm(request.POST or None, funders=project.funders.all())

    def page() -> HttpResponse:
        return render(
            request,
            "projects/money_form.html",
            {"form": form, "project": project, "heading": _("登记资金到位")},
        )

    def record() -> HttpResponse:
        try:
            services.record_allocation(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
            return page()
        messages.success(request, _("资金到位已入账。"))
        return redirect("projects:detail", code=project.code)

    if request.method == "POST" and form.is_valid():
        return submit_once(request, form, record)
    return page()


@login_required
@require_POST
def allocation_reverse(request: AuthedHttpRequest, code: str, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, code)
    allocation = get_allocation_for_user(request.user, project, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("冲正必须填写原因。"))
    else:
        _run(
            request,
            lambda: services.reverse_allocation(
                actor=request.user, allocation=allocation, reason=form.cleaned_data["reason"]
            ),
            _("已冲正。"),
        )
    return redirect("projects:detail", code=project.code)


@login_required
def disbursement_create(request: AuthedHttpRequest, code: str) -> HttpResponse:
    project = get_project_for_user(request.user, code)
    if not sides_of(request.user, project):
        raise PermissionDenied
    form = DisbursementForm(request.POST or None, request.FILES or None)

    def page() -> HttpResponse:
        return render(
            request, "projects/money_form.html", {"form": form, "project": project, "heading": _("申请拨付")}
        )

    def request_it() -> HttpResponse:
        data = dict(form.cleaned_data)
        try:
            services.request_disbursement(
                actor=request.user, project=project, upload=data.pop("file"), **data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return page()
        messages.success(request, _("拨付申请已提交，待资助方和受援方各一人审批。"))
        return redirect("projects:detail", code=project.code)

    if request.method == "POST" and form.is_valid():
        return submit_once(request, form, request_it)
    return page()


@login_required
@require_POST
def attachment_upload(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    disbursement = get_disbursement_for_user(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的文件。"))
    else:
        _run(
            request,
            lambda: services.add_disbursement_attachment(
                actor=request.user, disbursement=disbursement, upload=form.cleaned_data["file"]
            ),
            _("附件已上传。"),
        )
    return redirect("projects:detail", code=disbursement.project.code)


@login_required
def attachment_download(request: AuthedHttpRequest, pk: int) -> FileResponse:
    _staff(request)
    attachment = get_attachment_for_user(request.user, pk)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@login_required
def disbursement_list(request: AuthedHttpRequest) -> HttpResponse:
    _staff(request)
    status = request.GET.get("status", DisbursementStatus.PENDING)
    disbursements = disbursements_for_user(request.user).prefetch_related("approvals__approver")
    if status in DisbursementStatus.values:
        disbursements = disbursements.filter(status=status)
    page = Paginator(disbursements, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/disbursement_list.html",
        {"page": page, "status": status, "statuses": DisbursementStatus.choices, "reject_form": RejectForm()},
    )


def _back(request: AuthedHttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(fallback)


@login_required
@require_POST
def disbursement_approve(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    disbursement = get_disbursement_for_user(request.user, pk)
    _run(
        request,
        lambda: services.approve_disbursement(actor=request.user, disbursement=disbursement),
        _("已审批。"),
    )
    return _back(request, f"/projects/{disbursement.project.code}/")


@login_required
@require_POST
def disbursement_reject(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    disbursement = get_disbursement_for_user(request.user, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        # The reason is marked at its field on a page of its own, with the request beside it.
        form.errors["reason"] = form.error_class([_("驳回必须填写原因。")])
        return render(
            request,
            "projects/disbursement_reject.html",
            {"d": disbursement, "form": form, "next": request.POST.get("next", "")},
        )
    else:
        _run(
            request,
            lambda: services.reject_disbursement(
                actor=request.user, disbursement=disbursement, reason=form.cleaned_data["reason"]
            ),
            _("已驳回。"),
        )
    return _back(request, f"/projects/{disbursement.project.code}/")


@login_required
def evaluation_list(request: AuthedHttpRequest) -> HttpResponse:
    _staff(request)
    mine = evaluations_for_user(request.user)
    on = today()
    return render(
        request,
        "projects/evaluation_list.html",
        {
            "overdue": evaluations_overdue(mine, on=on)[:500],
            "due": evaluations_due(mine, on=on)[:500],
            "done": mine.filter(evaluated_on__isnull=False).order_by("-evaluated_on")[:100],
            "today": on,
            "is_admin": request.user.role == Role.COUNTY_ADMIN,
        },
    )


def _schedule(request: AuthedHttpRequest, schedule: Callable[..., int], success: str) -> HttpResponse:
    """Run one of the evaluation-scheduling services for the year posted by the county admin."""
    require_role(request.user, Role.COUNTY_ADMIN)
    year = int_param(request.POST.get("year"), low=2000, high=2100)
    if year is None:
        messages.error(request, _("年度无效。"))
        return redirect("projects:evaluations")
    county = _county(request)
    try:
        created = schedule(actor=request.user, county=county, year=year)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success % {"n": created})
    return redirect("projects:evaluations")


@login_required
@require_POST
def evaluation_schedule(request: AuthedHttpRequest) -> HttpResponse:
    return _schedule(request, services.schedule_evaluations, _("已生成 %(n)s 项评估。"))


@login_required
@require_POST
def evaluation_schedule_pairings(request: AuthedHttpRequest) -> HttpResponse:
    return _schedule(request, services.schedule_pairing_evaluations, _("已为结对帮扶生成 %(n)s 项评估。"))


@login_required
def evaluation_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    evaluation = get_evaluation_for_user(request.user, pk)
    is_admin = request.user.role == Role.COUNTY_ADMIN
    form = EvaluationForm(request.POST or None) if is_admin and not evaluation.is_done else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.record_evaluation(actor=request.user, evaluation=evaluation, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("评估结果已录入。"))
                return redirect("projects:evaluation", pk=evaluation.pk)
    return render(
        request,
        "projects/evaluation_detail.html",
        {
            "evaluation": evaluation,
            "form": form,
            "items": evaluation.rectifications.select_related("closed_by"),
            "close_form": CloseRectificationForm() if is_admin else None,
        },
    )


@login_required
@require_POST
def rectification_close(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    item = get_rectification_for_user(request.user, pk)
    form = CloseRectificationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("销号必须填写整改结果。"))
    else:
        _run(
            request,
            lambda: services.close_rectification(
                actor=request.user, item=item, note=form.cleaned_data["note"]
            ),
            _("整改事项已销号。"),
        )
    return redirect("projects:evaluation", pk=item.evaluation_id)


@login_required
def plan_list(request: AuthedHttpRequest) -> HttpResponse:
    _staff(request)
    plans = investment_plans_for_user(request.user)
    return render(
        request,
        "projects/plan_list.html",
        {"progress": plan_progress(plans), "can_edit": _can_register(request)},
    )


@login_required
def plan_create(request: AuthedHttpRequest) -> HttpResponse:
    if not _can_register(request):
        raise PermissionDenied
    county = _county(request)
    partners = organisations_for_user(request.user).filter(county=county)
    if request.user.role == Role.UNIT_REPORTER:
        partners = partners.filter(pk=request.user.organisation_id or 0)
    else:
        partners = partners.filter(org_type__in=[*PARTNER_TYPES, OrgType.SOCIAL_ORGANISATION])
    form = InvestmentPlanForm(request.POST or None, partners=partners, initial={"year": today().year})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_investment_plan(actor=request.user, county=county, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("年度投资计划已保存。"))
            return redirect("projects:plans")
    return render(request, "projects/plan_form.html", {"form": form})


@login_required
def report_ledger(request: AuthedHttpRequest) -> HttpResponse:
    _staff(request)
    projects, _f = _filtered_projects(request)
    response = HttpResponse(project_ledger_xlsx(projects), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="project-ledger.xlsx"'
    return response


@login_required
def report_fund_flow(request: AuthedHttpRequest) -> HttpResponse:
    _staff(request)
    # The year filters the movements, not the projects: a 2019 project can move money in 2020.
    projects, f = _filtered_projects(request, by_year=False)
    code = request.GET.get("project", "").strip()
    if code:
        projects = projects.filter(code=code)
    year = year_param(f["year"])
    if f["year"] and year is None:
        problem = _("年度“%(value)s”无效：应在%(low)d至%(high)d之间。") % {
            "value": f["year"][:20],
            "low": FOUNDING.year,
            "high": latest_year(),
        }
        return HttpResponseBadRequest(problem, content_type="text/plain; charset=utf-8")
    response = HttpResponse(fund_flow_xlsx(projects, year=year), content_type=XLSX)
    suffix = f"-{year}" if year else ""
    response["Content-Disposition"] = f'attachment; filename="fund-flow{suffix}.xlsx"'
    return response
