"""Monitoring pages: thin views (scope helper → form → one service call → redirect or render)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import areas_for_user, get_area_for_user, require_role
from bangfu.areas.models import Level
from bangfu.lib import clock
from bangfu.monitoring import services
from bangfu.monitoring.forms import (
    CreateForm,
    DepartmentListForm,
    LeadDecisionForm,
    MeasureForm,
    ReconcileForm,
    StepForm,
    VisitForm,
)
from bangfu.monitoring.models import LeadState, Status
from bangfu.monitoring.selectors import (
    elimination_hint,
    expected_step,
    get_lead_for_user,
    get_monitored_for_user,
    leads_for_user,
    monitored_for_user,
    policy_for,
    rows_of,
)
from bangfu.partners.models import Cadre
from bangfu.registry.selectors import HOUSEHOLD_ROLES, get_household_for_user

WRITE_ROLES = (Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK, Role.VILLAGE_OFFICER)


def _can_write(request: HttpRequest) -> bool:
    return str(getattr(request.user, "role", "")) in WRITE_ROLES


def _date(text: str) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(_("日期格式应为YYYY-MM-DD。")) from None


def _int(text: str) -> int:
    return int(text) if text.isdigit() and len(text) < 18 else 0


def _errors(exc: ValidationError) -> list[str]:
    return list(exc.messages)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The monitoring page of the user's area, or of a township or village (`?area=CODE`)."""
    require_role(request.user, *HOUSEHOLD_ROLES)
    households = monitored_for_user(request.user)
    area_code = request.GET.get("area", "").strip()
    area = get_area_for_user(request.user, area_code) if area_code else None
    if area is not None:
        households = households.filter(village__code__startswith=area.prefix)
    status = request.GET.get("status", "")
    if status in Status.values:
        households = households.filter(status=status)
    today = clock.today()
    rows = rows_of(households.order_by("village__code", "number"), today)
    areas = (
        areas_for_user(request.user)
        .filter(level__in=[Level.TOWNSHIP, Level.VILLAGE])
        .select_related("parent")
    )
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.household.status] = counts.get(row.household.status, 0) + 1
    return render(
        request,
        "monitoring/index.html",
        {
            "rows": rows,
            "area": area,
            "areas": areas,
            "status": status,
            "statuses": Status.choices,
            "counts": [(label, counts.get(value, 0)) for value, label in Status.choices],
            "overdue": sum(1 for r in rows if r.overdue),
            "open_leads": leads_for_user(request.user).filter(state=LeadState.OPEN).count(),
            "can_write": _can_write(request),
        },
    )


def _parse_members(text: str) -> list[services.MemberInput]:
    members = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.replace("，", ",").split(",")]
        if not any(cells):
            continue
        cells += [""] * (5 - len(cells))
        members.append(services.MemberInput(cells[0], cells[1], cells[2], cells[3], cells[4]))
    return members


@login_required
def create(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *WRITE_ROLES)
    form = CreateForm(request.POST or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registry_household = village = None
            if data["household_number"]:
                registry_household = get_household_for_user(request.user, data["household_number"])
            elif data["village"]:
                village = get_area_for_user(request.user, data["village"])
            household = services.create_monitored_household(
                actor=request.user,
                kind=data["kind"],
                found_by=data["found_by"],
                found_on=data["found_on"],
                risk_types=data["risk_types"],
                registry_household=registry_household,
                village=village,
                members=_parse_members(data["members"]),
                per_capita_income=data["per_capita_income"] or None,
                rigid_expenses=data["rigid_expenses"] or "0",
            )
        except Http404:
            errors.append(_("找不到该户编号或行政村（或不在您的管辖范围内）。"))
        except ValidationError as exc:
            errors.extend(_errors(exc))
        else:
            messages.success(request, _("已登记监测对象，请继续办理村级民主评议。"))
            return redirect("monitoring:household", pk=household.pk)
    return render(
        request, "monitoring/create.html", {"form": form, "errors": errors}, status=400 if errors else 200
    )


def _detail_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    household = get_monitored_for_user(request.user, pk)
    today = clock.today()
    due = expected_step(household)
    return {
        "household": household,
        "row": rows_of(monitored_for_user(request.user).filter(pk=pk), today)[0],
        "members": list(household.members.all()),
        "registry_members": list(household.registry_household.members.filter(active=True))
        if household.registry_household
        else [],
        "risks": list(household.risks.all()),
        "steps": list(household.steps.select_related("recorded_by").order_by("id")),
        "measures": list(household.measures.all()),
        "visits": list(household.visits.select_related("cadre")[:24]),
        "incomes": list(household.income_checks.all()),
        "due": due,
        "policy": policy_for(household.county, today.year),
        "elimination_hint": elimination_hint(household, today),
        "step_form": StepForm(initial={"step": due[1] if due else "", "on": today}),
        "measure_form": MeasureForm(initial={"start": today}),
        "visit_form": VisitForm(initial={"on": today}),
        "can_write": _can_write(request),
        "linkable": _linkable(household),
        "cadres": Cadre.objects.filter(county=household.county, is_active=True).select_related("organisation")
        if getattr(request.user, "role", "") in (Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK)
        else [],
    }


def _linkable(household: Any) -> dict[str, list[Any]]:
    """Records elsewhere in bangfu that are support for this household (not linked yet)."""
    from bangfu.partners.models import Pairing
    from bangfu.subsidies.models import YuluPayment

    if household.registry_household_id is None:
        return {"yulu": [], "pairings": []}
    linked = household.measures.all()
    return {
        "yulu": list(
            YuluPayment.objects.filter(household_id=household.registry_household_id)
            .exclude(pk__in=linked.exclude(yulu_payment=None).values("yulu_payment"))
            .select_related("term", "member")
        ),
        "pairings": list(
            Pairing.objects.filter(target_household_id=household.registry_household_id)
            .exclude(pk__in=linked.exclude(pairing=None).values("pairing"))
            .select_related("helper_organisation", "helper_cadre")
        ),
    }


def _link(request: HttpRequest, household: Any) -> None:
    """Link a Yulu payment or a pairing of this household as a measure (facts taken from it)."""
    found = _linkable(household)
    kind, pk = request.POST.get("kind", ""), _int(request.POST.get("pk", ""))
    record = next((r for r in found.get(kind, []) if r.pk == pk), None)
    if record is None:
        raise ValidationError(_("找不到可关联的记录。"))
    services.add_measure(
        actor=request.user,
        household=household,
        measure_type="education" if kind == "yulu" else "other",
        detail="",
        start=clock.today(),
        yulu_payment=record if kind == "yulu" else None,
        pairing=record if kind == "pairings" else None,
    )


@login_required
def household(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, *HOUSEHOLD_ROLES)
    return render(request, "monitoring/household.html", _detail_context(request, pk))


@login_required
@require_POST
def household_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One write on the household page: a procedure step, a measure, a visit, a risk closed."""
    require_role(request.user, *WRITE_ROLES)
    hh = get_monitored_for_user(request.user, pk)
    errors: list[str] = []
    try:
        if action == "step":
            form: Any = StepForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                services.record_step(
                    actor=request.user,
                    household=hh,
                    step=d["step"],
                    on=d["on"],
                    passed=d["passed"],
                    days=d["days"],
                    objections=d["objections"],
                    note=d["note"],
                )
        elif action == "measure":
            form = MeasureForm(request.POST)
            if form.is_valid():
                services.add_measure(actor=request.user, household=hh, **form.cleaned_data)
        elif action == "visit":
            form = VisitForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                services.record_visit(
                    actor=request.user, household=hh, on=d["on"], form=d["form"], notes=d["notes"]
                )
        elif action == "income":
            form = None
            services.record_income(
                actor=request.user,
                household=hh,
                on=_date(request.POST.get("on", "")),
                per_capita_income=request.POST.get("per_capita_income", ""),
            )
        elif action == "helper":
            form = None
            from bangfu.partners.models import Cadre

            cadre = Cadre.objects.filter(county=hh.county, pk=_int(request.POST.get("cadre", ""))).first()
            if cadre is None:
                raise ValidationError(_("请选择本县的帮扶干部。"))
            services.assign_helper(actor=request.user, household=hh, helper=cadre)
        elif action == "link":
            form = None
            _link(request, hh)
        elif action == "close-risk":
            form = None
            services.close_risk(
                actor=request.user,
                household=hh,
                risk_type=request.POST.get("risk_type", ""),
                on=clock.today(),
            )
        else:
            raise Http404("action")
        if form is not None and not form.is_valid():
            errors.extend(f"{form.fields[k].label}：{'；'.join(v)}" for k, v in form.errors.items())
    except ValidationError as exc:
        errors.extend(_errors(exc))
    if not errors:
        messages.success(request, _("已保存。"))
        return redirect("monitoring:household", pk=hh.pk)
    context = _detail_context(request, pk)
    context["errors"] = errors
    return render(request, "monitoring/household.html", context, status=400)


@login_required
def leads(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *HOUSEHOLD_ROLES)
    state = request.GET.get("state", LeadState.OPEN)
    queryset = leads_for_user(request.user)
    if state in LeadState.values:
        queryset = queryset.filter(state=state)
    return render(
        request,
        "monitoring/leads.html",
        {
            "leads": queryset.order_by("found_on", "id")[:500],
            "state": state,
            "states": LeadState.choices,
            "form": LeadDecisionForm(),
            "can_write": _can_write(request),
        },
    )


@login_required
@require_POST
def decide_lead(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, *WRITE_ROLES)
    lead = get_lead_for_user(request.user, pk)
    form = LeadDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decide_lead(actor=request.user, lead=lead, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已记录核实结果。"))
    else:
        messages.error(request, _("请选择核实结果并填写核实说明。"))
    return redirect("monitoring:leads")


# --- department lists, exchange -------------------------------------------------------------------
def _county_of(request: HttpRequest) -> Any:
    area = request.user.area  # type: ignore[union-attr]
    if area is None:
        raise Http404("county")
    from bangfu.areas.models import Area

    return Area.objects.get(level=Level.COUNTY, code__startswith=area.county_code)


@login_required
def department_list(request: HttpRequest) -> HttpResponse:
    """Upload a 医保 / 应急 / 民政 list; the page lists every rejected or unknown row."""
    from bangfu.monitoring.screening import import_department_list, report_lines

    require_role(request.user, Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK)
    form = DepartmentListForm(request.POST or None, request.FILES or None)
    lines: list[str] = []
    errors: list[str] = []
    summary = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            summary = import_department_list(
                actor=request.user,
                county=_county_of(request),
                department=form.cleaned_data["department"],
                file_name=upload.name,
                data=upload.read(),
                as_of=form.cleaned_data["as_of"],
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            lines = report_lines(summary)
    return render(
        request,
        "monitoring/department_list.html",
        {"form": form, "summary": summary, "lines": lines, "errors": errors},
        status=400 if errors else 200,
    )


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """The national system's 监测对象信息 layout; `?full=1` (allowed roles only, audited)."""
    from bangfu.monitoring.exchange import export_monitored

    require_role(request.user, *HOUSEHOLD_ROLES)
    code = request.GET.get("area", "") or request.user.area.code  # type: ignore[union-attr]
    area = get_area_for_user(request.user, code)
    try:
        content = export_monitored(actor=request.user, area=area, full_ids=request.GET.get("full") == "1")
    except ValidationError as exc:
        return HttpResponse("；".join(exc.messages), status=403, content_type="text/plain; charset=utf-8")
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="monitoring-{area.code}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def reconcile_view(request: HttpRequest) -> HttpResponse:
    from bangfu.monitoring.exchange import reconcile

    require_role(request.user, Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK)
    form = ReconcileForm(request.POST or None, request.FILES or None)
    result = None
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = reconcile(
                actor=request.user, county=_county_of(request), file_name=upload.name, data=upload.read()
            )
        except ValidationError as exc:
            errors = _errors(exc)
    return render(
        request,
        "monitoring/reconcile.html",
        {"form": form, "result": result, "errors": errors},
        status=400 if errors else 200,
    )
