"""Thin views: access helper → form → one service call → redirect or render."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import STAFF_ROLES, organisations_for_user, require_role
from bangfu.areas.models import Area
from bangfu.lib import clock
from bangfu.lib.params import int_param, year_param
from bangfu.lib.periods import next_month
from bangfu.lib.stampcache import cached
from bangfu.workplan import exports, permissions, selectors, services
from bangfu.workplan.forms import (
    AdjustmentForm,
    CommentForm,
    PlanUploadForm,
    ReportForm,
    ReturnForm,
    SelfInspectionForm,
    SettingsForm,
    TaskForm,
)
from bangfu.workplan.models import (
    AWAITING_REVIEW,
    IndicatorSource,
    Notification,
    Plan,
    ReportStatus,
)
from bangfu.workplan.planfile import PlanFileError

OVERSIGHT = (Role.COUNTY_ADMIN, Role.INSPECTOR)


def _u(request: HttpRequest) -> Any:
    """The logged-in user (login_required and require_role have run)."""
    return request.user


def _next(request: HttpRequest, default: str) -> str:
    """A same-site `next` target, never an open redirect."""
    target = request.POST.get("next", "")
    # A path only: `redirect` would take any other word for a URL name to reverse.
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _form_errors(form: Any, exc: ValidationError) -> None:
    """A service's refusal on the form: each message at its field when the form has it."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, errors in exc.message_dict.items():
        form.add_error(key if key in form.fields else None, errors)


def _plan(request: HttpRequest) -> Plan | None:
    year = request.GET.get("year", "")
    return selectors.current_plan_for_user(request.user, year_param(year))


def _no_plan(request: HttpRequest) -> HttpResponse:
    return render(request, "workplan/no_plan.html")


def _month_param(value: str) -> date | None:
    try:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        return None


# --- plan -----------------------------------------------------------------------------------------
@login_required
def plan_view(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *STAFF_ROLES)
    plan = selectors.current_plan_for_user(request.user)
    if plan is None:
        return render(request, "workplan/plan.html", {"plan": None})
    tasks = list(selectors.task_list(plan))
    states = {s.milestone.pk: s for s in selectors.milestone_states(plan.county, plan.year, clock.today())}
    for task in tasks:
        for m in task.milestones.all():  # prefetched: the template reads `m.derived`
            m.derived = states.get(m.pk)  # type: ignore[attr-defined]
    from bangfu.lib.indicators import all_indicators

    registered = all_indicators()
    return render(
        request,
        "workplan/plan.html",
        {
            "plan": plan,
            "sections": plan.sections.all(),
            "tasks": tasks,
            "registered": set(registered),
            "today": clock.today(),
            "is_admin": _u(request).role == Role.COUNTY_ADMIN,
        },
    )


@login_required
def plan_upload(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.COUNTY_ADMIN)
    county = selectors.county_for_user(request.user)
    if county is None:
        raise Http404("county")
    form = PlanUploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.load_plan(
                actor=_u(request), county=county, data=form.cleaned_data["file"].read()
            )
        except PlanFileError as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                _("方案已载入：新建任务 %(c)s 项，更新 %(u)s 项，新开台账 %(s)s 格。")
                % {"c": result.tasks_created, "u": result.tasks_updated, "s": result.slots_created},
            )
            return redirect("workplan:plan")
    return render(request, "workplan/plan_upload.html", {"form": form, "errors": errors})


@login_required
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.COUNTY_ADMIN)
    task = selectors.get_task_for_user(request.user, pk)
    orgs = (
        organisations_for_user(request.user).filter(county=task.plan.county).order_by("admin_level", "code")
    )
    initial = {
        "title": task.title,
        "description": task.description,
        "schedule_text": task.schedule_text,
        "lead_units": task.lead_units.all(),
        "responsible_units": task.responsible_units.all(),
    }
    form = TaskForm(request.POST or None, initial=initial, organisations=orgs)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_task(actor=_u(request), task=task, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("任务已保存。"))
            return redirect("workplan:plan")
    return render(request, "workplan/task_edit.html", {"task": task, "form": form})


@login_required
@require_POST
def milestone_complete(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.COUNTY_ADMIN)
    milestone = selectors.get_milestone_for_user(request.user, pk)
    raw = request.POST.get("completed_on", "")
    try:
        completed = date.fromisoformat(raw) if raw else None
        services.set_milestone_completed(
            actor=_u(request),
            milestone=milestone,
            completed_on=completed,
            reason=request.POST.get("reason", "")[:2000],
        )
    except ValueError:
        messages.error(request, _("完成日期格式应为 YYYY-MM-DD。"))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("进度节点已更新。"))
    return redirect(_next(request, reverse("workplan:plan")))


# --- reports --------------------------------------------------------------------------------------
@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *STAFF_ROLES)
    reports = selectors.reports_for_user(request.user).order_by(
        "-month", "task__position", "organisation__code"
    )
    month = _month_param(request.GET.get("month", ""))
    status = request.GET.get("status", "")
    task = request.GET.get("task", "")
    org = request.GET.get("organisation", "")
    if month:
        reports = reports.filter(month=month)
    else:
        reports = reports.filter(month__lte=clock.today())
    task_id, organisation_id = int_param(task), int_param(org)
    user = _u(request)
    if user.role in selectors.REPORTING_ROLES and organisation_id is None:
        # A lead unit gathers its responsible units' reports on its own page (`gather`).
        reports = reports.filter(organisation_id=user.organisation_id)
    if status in ReportStatus.values:
        reports = reports.filter(status=status)
    elif status == "review":  # what the office can accept now
        reports = selectors.office_queue(reports.filter(status__in=AWAITING_REVIEW))
    elif status == "lead":  # waiting for the lead unit
        reports = selectors.lead_queue(reports)
    reports = selectors.with_lead_annotations(reports)
    if task_id is not None:
        reports = reports.filter(task_id=task_id)
    if organisation_id is not None:
        reports = reports.filter(organisation_id=organisation_id)
    page = Paginator(reports, 100).get_page(request.GET.get("page"))
    plan = selectors.current_plan_for_user(request.user)
    return render(
        request,
        "workplan/report_list.html",
        {
            "page": page,
            "month": request.GET.get("month", ""),
            "status": status,
            "task": task,
            "organisation": org,
            "statuses": ReportStatus.choices,
            "tasks": plan.tasks.order_by("position") if plan else [],
            "can_accept": permissions.can_bulk_accept(_u(request)),
            "awaiting": AWAITING_REVIEW,
            "is_lead": selectors.is_lead_unit(user),
            # A unit with no report this year reads why instead of an empty filter form.
            "unit_work": selectors.unit_work(request.user),
        },
    )


@login_required
@require_POST
def report_bulk_accept(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.COUNTY_ADMIN)
    ids = [i for i in map(int_param, request.POST.getlist("report")) if i is not None]
    reports = list(selectors.reports_for_user(request.user).filter(pk__in=ids))
    if not reports:
        messages.error(request, _("请先勾选要通过的报告。"))
    else:
        try:
            count = services.bulk_accept_reports(actor=_u(request), reports=reports)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("已通过 %(n)s 份报告。") % {"n": count})
    return redirect(_next(request, reverse("workplan:reports")))


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, *STAFF_ROLES)
    report = selectors.get_report_for_user(request.user, pk)
    user = _u(request)
    indicators = list(report.task.indicators.all())
    # The unit types only what no module records; computed figures are shown, never asked for.
    manual = [i for i in indicators if i.source == IndicatorSource.MANUAL]
    stored = {v.indicator_id: v.value for v in report.values.all()}
    can_edit = permissions.can_edit_report(user, report)
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        manual_indicators=manual,
        initial_values=stored,
        initial={
            "progress": report.progress,
            "milestone_status": report.milestone_status,
            "problems": report.problems,
            "next_steps": report.next_steps,
        },
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.save_report(
                    actor=user,
                    report=report,
                    progress=form.cleaned_data["progress"],
                    milestone_status=form.cleaned_data["milestone_status"],
                    problems=form.cleaned_data["problems"],
                    next_steps=form.cleaned_data["next_steps"],
                    values=form.indicator_values(),
                )
                for upload in request.FILES.getlist("attachments"):
                    services.add_attachment(actor=user, report=report, upload=upload)
                if "submit" in request.POST:
                    services.submit_report(actor=user, report=report)
                    messages.success(request, _("报告已提交。"))
                else:
                    messages.success(request, _("草稿已保存。"))
            except ValidationError as exc:
                # Marked at the field it is about (工作进展, a figure), the rest above the form; the
                # page is shown again with what was typed.
                _form_errors(form, exc)
            else:
                return redirect("workplan:report", pk=report.pk)
    month_end = next_month(report.month)
    computed = selectors.indicator_figures(
        [i for i in indicators if i.source == IndicatorSource.COMPUTED],
        county=report.county,
        start=report.month,
        end=month_end,
        organisation=report.organisation,
    )
    setting = services.settings_for(report.county)
    due = selectors.due_date(report.month, setting.due_day)
    state = selectors.cell_state(report.status, report.first_submitted_on, due, clock.today())
    leads = permissions.lead_unit_ids(report)
    return render(
        request,
        "workplan/report_detail.html",
        {
            "report": report,
            "form": form,
            "can_edit": can_edit,
            "computed": computed,
            "nothing_typed": not manual,
            "manual_values": [(i, stored.get(i.pk)) for i in manual],
            "due": due,
            "state": state,
            "state_label": STATE_LABELS[state],
            "comments": report.comments.select_related("author"),
            "attachments": report.attachments.all(),
            "milestones": report.task.milestones.all(),
            "lead_units": report.task.lead_units.order_by("code") if leads else [],
            "needs_lead": permissions.needs_lead_review(report, leads),
            # One predicate per action (workplan.permissions), the same the services ask.
            "can_lead_review": permissions.can_lead_review(user, report, leads),
            "can_accept": permissions.can_accept_report(user, report, leads),
            "can_return": permissions.can_return_report(user, report),
            "can_comment": permissions.can_comment_report(user, report),
            "can_flag": permissions.can_flag_report(user, report),
            "return_form": ReturnForm(),
            "comment_form": CommentForm(),
        },
    )


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    require_role(request.user, *STAFF_ROLES)
    report = selectors.get_report_for_user(request.user, pk)
    item = report.attachments.filter(pk=attachment_id).first()
    if item is None:
        raise Http404("attachment")
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)


LEAD_ACTIONS = ("pass", "lead-return")


@login_required
@require_POST
def report_review(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action in LEAD_ACTIONS:
        return _lead_review(request, pk, action)
    require_role(request.user, *OVERSIGHT)
    report = selectors.get_report_for_user(request.user, pk)
    user: Any = request.user
    try:
        if action == "accept":
            services.accept_report(actor=user, report=report)
            messages.success(request, _("报告已通过。"))
        elif action == "return":
            services.return_report(actor=user, report=report, comment=request.POST.get("comment", ""))
            messages.success(request, _("报告已退回。"))
        elif action == "comment":
            services.comment_report(actor=user, report=report, text=request.POST.get("text", ""))
            messages.success(request, _("意见已保存。"))
        elif action == "flag":
            services.flag_good_practice(actor=user, report=report, flag=request.POST.get("flag") == "1")
            messages.success(request, _("已更新经验做法标记。"))
        else:
            raise Http404("action")
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("workplan:report", pk=report.pk)


def _lead_review(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The lead unit passes a responsible unit's report on to the office, or returns it."""
    require_role(request.user, Role.UNIT_REPORTER, Role.TOWNSHIP_CLERK)
    report = selectors.get_report_for_user(request.user, pk)
    user: Any = request.user
    try:
        if action == "pass":
            services.lead_pass_report(actor=user, report=report, note=request.POST.get("note", "")[:2000])
            messages.success(request, _("已审核并报送县扶贫办。"))
        else:
            services.lead_return_report(
                actor=user, report=report, comment=request.POST.get("comment", "")[:2000]
            )
            messages.success(request, _("报告已退回。"))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect(_next(request, reverse("workplan:report", kwargs={"pk": report.pk})))


@login_required
@require_POST
def gather_pass(request: HttpRequest) -> HttpResponse:
    """Pass the ticked reports on to the office at once (all or nothing)."""
    require_role(request.user, Role.UNIT_REPORTER, Role.TOWNSHIP_CLERK)
    ids = [i for i in map(int_param, request.POST.getlist("report")) if i is not None]
    reports = list(selectors.reports_to_gather(_u(request)).filter(pk__in=ids))
    if not reports:
        messages.error(request, _("请先勾选要审核通过的报告。"))
    else:
        try:
            count = services.lead_pass_reports(actor=_u(request), reports=reports)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("已审核并报送县扶贫办 %(n)s 份报告。") % {"n": count})
    return redirect(_next(request, reverse("workplan:gather")))


@login_required
def gather_view(request: HttpRequest) -> HttpResponse:
    """A lead unit's page: its responsible units' reports on the tasks it leads, for a month
    (default: last month), to review and pass on to the office, with the months still waiting."""
    require_role(request.user, Role.UNIT_REPORTER, Role.TOWNSHIP_CLERK)
    user = _u(request)
    if not user.organisation_id:
        raise Http404("organisation")
    month = _month_param(request.GET.get("month", "")) or services.previous_month(clock.today())
    reports = list(selectors.reports_to_gather(user, month))
    waiting = (
        selectors.reports_to_gather(user)
        .filter(with_lead=True, month__lte=clock.today())
        .order_by()
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    return render(
        request,
        "workplan/gather.html",
        {
            "month": month,
            "reports": reports,
            "waiting": [(m, n) for m, n in waiting],
            "to_review": sum(1 for r in reports if r.with_lead),
            "return_form": ReturnForm(),
        },
    )


# --- oversight ------------------------------------------------------------------------------------
STATE_LABELS = {
    selectors.ON_TIME: _("按时"),
    selectors.LATE: _("逾期"),
    selectors.MISSING: _("未报"),
    selectors.RETURNED: _("退回"),
    selectors.PENDING: _("未到期"),
}


@login_required
def completeness_view(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *OVERSIGHT)
    plan = _plan(request)
    if plan is None:
        return _no_plan(request)
    task = request.GET.get("task", "")
    org = request.GET.get("organisation", "")
    task_id = int_param(task)
    organisation_id = int_param(org)
    today = clock.today()
    matrix = selectors.completeness(plan, task_id=task_id, organisation_id=organisation_id, today=today)
    if request.GET.get("format") == "xlsx":
        return exports.completeness_response(plan, matrix, today)
    this_month = today.replace(day=1)

    def cells_html() -> dict[int, str]:
        """Each unit's cells and reporting rate as one string (720+ template lookups per page were
        the cost), cached with the counts they show (the key has the filters and the office day,
        which decides the months still to come). Only internal values go in (state keys, ids,
        counts, dates): nothing to escape. Unit names stay out: read fresh."""
        base = reverse("workplan:reports") + "?organisation="
        task_part = f"&amp;task={task_id}" if task_id is not None else ""
        out = {}
        for unit, cells in matrix.rows:
            tds = "".join(
                '<td class="future"></td>'  # a month to come: nothing is due yet
                if c.month > this_month
                else f'<td class="cell cell-{c.state}"><a href="{base}{unit.pk}&amp;month={c.month:%Y-%m}'
                f'{task_part}">{c.done}/{c.total}</a></td>'
                if c.total
                else "<td></td>"
                for c in cells
            )
            done, due, rate = selectors.reporting_rate(cells)
            shown = f"{rate}%" if rate is not None else "—"
            out[unit.pk] = f'{tds}<td class="num rate">{shown} <small>{done}/{due}</small></td>'
        return out

    html = cached(f"{matrix.key}:cells", cells_html, selectors.MATRIX_CACHE_SECONDS)
    rows = [(unit.name, mark_safe(html[unit.pk])) for unit, _cells in matrix.rows]  # noqa: S308
    query = request.GET.copy()
    query["format"] = "xlsx"
    return render(
        request,
        "workplan/completeness.html",
        {
            "plan": plan,
            "matrix": matrix,
            "rows": rows,
            # The filters' choices as (id, label) pairs: model instances and template lookups for
            # a county's hundred-odd units cost more than the (cached) matrix.
            "task": task_id,
            "organisation": organisation_id,
            "tasks": [
                (pk, f"{code} {title}")
                for pk, code, title in plan.tasks.order_by("position").values_list("pk", "code", "title")
            ],
            "organisations": organisations_for_user(request.user)
            .filter(county=plan.county)
            .values_list("pk", "name"),
            "labels": STATE_LABELS,
            "legend": [(k, STATE_LABELS[k], matrix.totals.get(k, 0)) for k in selectors.STATE_ORDER],
            "today": today,
            "xlsx_query": query.urlencode(),
        },
    )


@login_required
def oversight_view(request: HttpRequest) -> HttpResponse:
    """Overdue milestones and the reminder list of missing reports for the current month."""
    require_role(request.user, *OVERSIGHT)
    plan = _plan(request)
    if plan is None:
        return _no_plan(request)
    today = clock.today()
    setting = services.settings_for(plan.county)
    return render(
        request,
        "workplan/oversight.html",
        {
            "plan": plan,
            "overdue": [s for s in selectors.milestone_states(plan.county, plan.year, today) if s.is_problem],
            "missing": selectors.reminder_list(plan),
            "reminder_month": services.previous_month(today),
            "due": date(today.year, today.month, setting.due_day),
            "is_admin": _u(request).role == Role.COUNTY_ADMIN,
        },
    )


@login_required
@require_POST
def send_reminders_view(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.COUNTY_ADMIN)
    county = selectors.county_for_user(request.user)
    if county is None:
        raise Http404("county")
    sent = services.send_reminders(actor=_u(request), county=county)
    messages.success(request, _("已发送 %(n)s 条提醒。") % {"n": sent})
    return redirect("workplan:oversight")


@login_required
def notifications_view(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *STAFF_ROLES)
    if request.method == "POST":
        services.mark_notifications_read(actor=_u(request))
        return redirect("workplan:notifications")
    items = Notification.objects.filter(user=_u(request))
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(request, "workplan/notifications.html", {"page": page})


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.COUNTY_ADMIN)
    county = selectors.county_for_user(request.user)
    if county is None:
        raise Http404("county")
    current = services.settings_for(county)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_settings(actor=_u(request), county=county, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("设置已保存。"))
            return redirect("workplan:settings")
    return render(request, "workplan/settings.html", {"form": form})


# --- assessment -----------------------------------------------------------------------------------
@login_required
def assessment_view(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *OVERSIGHT)
    plan = _plan(request)
    if plan is None:
        return _no_plan(request)
    scores = selectors.assessment(plan)
    orgs = organisations_for_user(request.user).filter(county=plan.county)
    form = AdjustmentForm(request.POST or None, organisations=orgs)
    if request.method == "POST":
        require_role(request.user, Role.COUNTY_ADMIN)
        if form.is_valid():
            try:
                services.add_adjustment(
                    actor=_u(request), county=plan.county, year=plan.year, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
            else:
                messages.success(request, _("调整已记录。"))
                return redirect("workplan:assessment")
    if request.GET.get("format") == "xlsx":
        return exports.assessment_response(plan, scores)
    setting = services.settings_for(plan.county)
    return render(
        request,
        "workplan/assessment.html",
        {
            "plan": plan,
            "scores": scores,
            "form": form,
            "setting": setting,
            "is_admin": _u(request).role == Role.COUNTY_ADMIN,
        },
    )


@login_required
def my_assessment(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.UNIT_REPORTER, Role.TOWNSHIP_CLERK)
    user: Any = request.user
    if not user.organisation_id:
        raise Http404("organisation")
    plan = _plan(request)
    if plan is None:
        return _no_plan(request)
    scores = selectors.assessment(plan, organisation_id=user.organisation_id)
    if not permissions.can_self_inspection(user, plan, bool(scores)):  # not assessed this year
        return render(request, "workplan/my_assessment.html", {"plan": plan, "score": None, "form": None})
    form = SelfInspectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_self_inspection(actor=user, year=plan.year, note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("自查情况已保存。"))
            return redirect("workplan:my_assessment")
    return render(
        request,
        "workplan/my_assessment.html",
        {"plan": plan, "score": scores[0] if scores else None, "form": form},
    )


# --- dashboard and bulletin -----------------------------------------------------------------------
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *OVERSIGHT)
    plan = _plan(request)
    if plan is None:
        return _no_plan(request)
    data = selectors.dashboard_data(plan)
    return render(
        request,
        "workplan/dashboard.html",
        {
            "plan": plan,
            "data": data,
            "chart_data": data["charts"],
            "attention": attention_panel(_u(request), plan.county, clock.today()),
        },
    )


def attention_panel(user: Any, county: Area, today: date) -> list[dict[str, Any]]:
    """The county's attention list for the dashboard: each problem once (the county's item and
    its units' copies share a title), with its link only when this user can open and act on it."""
    from bangfu.lib.attention import can_act, items_for_county

    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for item in items_for_county(county, today):
        row = rows.setdefault(
            (item.kind, str(item.title)), {"item": item, "url": "", "severity": item.severity}
        )
        if not row["url"] and can_act(user, item):
            row["url"] = item.url
    return list(rows.values())


@login_required
def bulletin_download(request: HttpRequest) -> HttpResponse:
    """GET: the month's bulletin, Word (default) or `?format=pdf`, with its number when it has
    one, else as a draft with the number blank. POST: give it the year's next number first."""
    require_role(request.user, Role.COUNTY_ADMIN)
    plan = _plan(request)
    if plan is None:
        return _no_plan(request)
    raw = request.POST.get("month", "") if request.method == "POST" else request.GET.get("month", "")
    month = _month_param(raw) or services.previous_month(clock.today())
    if month.year != plan.year:
        raise Http404("month")
    from bangfu.lib.officialdoc import PdfFontMissing
    from bangfu.workplan.bulletin import build_bulletin, issue_bulletin

    fmt = "pdf" if request.GET.get("format") == "pdf" else "docx"
    if request.method == "POST":
        issued = issue_bulletin(actor=_u(request), plan=plan, month=month)
        messages.success(request, _("通报已编号：%(label)s。") % {"label": issued.label})
        return redirect(f"{reverse('workplan:bulletin')}?month={month:%Y-%m}")
    try:
        content = build_bulletin(plan, month, fmt=fmt)
    except PdfFontMissing as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    mime = (
        "application/pdf"
        if fmt == "pdf"
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="bulletin-{month:%Y-%m}.{fmt}"'
    return response
