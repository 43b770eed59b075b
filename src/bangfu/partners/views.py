"""Partners pages. Thin: scoping helper → form → one service call → redirect or render."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import areas_for_user, organisations_for_user, require_role
from bangfu.areas.models import Area
from bangfu.lib.clock import today
from bangfu.lib.idnumbers import mask_phone
from bangfu.lib.params import int_param
from bangfu.lib.sheets import MIME as XLSX
from bangfu.lib.sheets import tables
from bangfu.partners import selectors, services
from bangfu.partners.forms import (
    CadreEditForm,
    CadreForm,
    ChangeHelperForm,
    ContactForm,
    EndPairingForm,
    FiguresForm,
    KinshipCapForm,
    KinshipVisitForm,
    PairingForm,
    ParentForm,
    UploadForm,
    VisitRecordForm,
    VisitRuleForm,
)
from bangfu.partners.models import (
    FIGURE_FIELDS,
    FIGURE_KINDS,
    MONEY_FIELDS,
    AdminLevel,
    JobGrade,
    OrgType,
    Pairing,
    PairingFigures,
    PairingKind,
    VisitRule,
)
from bangfu.partners.nav import COVERAGE_ROLES, REPORT_ROLES
from bangfu.partners.scopes import (
    cadres_for_user,
    county_for_user,
    get_cadre_for_user,
    get_pairing_for_user,
    get_recording_organisation_for_user,
    get_recording_pairing_for_user,
    kinship_visits_for_user,
    pairings_for_user,
    recording_organisations_for_user,
    require_county_admin,
    sees_personal_data_of,
    visits_for_user,
)
from bangfu.partners.spreadsheets import SheetError
from bangfu.registry.models import Household
from bangfu.registry.selectors import households_for_user


def _apply_errors(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _xlsx(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return today().year
    return year if 2000 <= year <= 2100 else today().year


# --- organisations --------------------------------------------------------------------------------
@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    orgs = organisations_for_user(request.user).select_related("parent")
    query = request.GET.get("q", "").strip()
    org_type = request.GET.get("type", "")
    level = request.GET.get("level", "")
    if query:
        orgs = orgs.filter(Q(name__icontains=query) | Q(short_name__icontains=query) | Q(code=query))
    if org_type in OrgType.values:
        orgs = orgs.filter(org_type=org_type)
    if level in AdminLevel.values:
        orgs = orgs.filter(admin_level=level)
    page = Paginator(orgs, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/organisation_list.html",
        {
            "page": page,
            "q": query,
            "type": org_type,
            "level": level,
            "types": OrgType.choices,
            "levels": AdminLevel.choices,
            "can_import": getattr(request.user, "role", None) == Role.COUNTY_ADMIN,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_import(request: HttpRequest) -> HttpResponse:
    require_county_admin(request.user)
    county = county_for_user(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    errors: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.import_organisations(
                actor=request.user,  # type: ignore[arg-type]
                county=county,
                data=form.cleaned_data["file"].read(),
                file_name=form.cleaned_data["file"].name,
            )
        except SheetError as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                _("导入完成：新增%(c)d个，更新%(u)d个，未变%(n)d个。")
                % {"c": result.created, "u": result.updated, "n": result.unchanged},
            )
            return redirect("partners:organisations")
    return render(
        request,
        "partners/import.html",
        {"form": form, "errors": errors, "title": _("导入单位"), "kind": "organisations"},
    )


# --- cadres ---------------------------------------------------------------------------------------
@login_required
def cadre_list(request: HttpRequest) -> HttpResponse:
    cadres = cadres_for_user(request.user)
    query = request.GET.get("q", "").strip()
    if query:
        cadres = cadres.filter(Q(name__icontains=query) | Q(organisation__name__icontains=query))
    page = Paginator(cadres, 100).get_page(request.GET.get("page"))
    county = county_for_user(request.user)
    load = selectors.kinship_load(county)
    caps = services.kinship_caps(county)
    user: Any = request.user
    role = user.role
    rows = [
        {
            "cadre": c,
            "phone": c.phone
            if sees_personal_data_of(request.user, c.organisation_id)
            else mask_phone(c.phone),
            "load": load.get(c.pk, 0),
            "cap": caps.get(c.job_grade, 1),
            "can_edit": role == Role.COUNTY_ADMIN
            or (role == Role.UNIT_REPORTER and user.organisation_id == c.organisation_id),
        }
        for c in page
    ]
    return render(
        request,
        "partners/cadre_list.html",
        {"page": page, "rows": rows, "q": query, "can_edit": role in (Role.COUNTY_ADMIN, Role.UNIT_REPORTER)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def cadre_create(request: HttpRequest) -> HttpResponse:
    organisations = recording_organisations_for_user(request.user)
    form = CadreForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_cadre(
                actor=request.user,  # type: ignore[arg-type]
                organisation=data["organisation"],
                name=data["name"],
                phone=data["phone"],
                job_grade=data["job_grade"],
                post=data["post"],
                resident_team=data["resident_team"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已添加帮扶干部。"))
            return redirect("partners:cadres")
    return render(
        request, "partners/form.html", {"form": form, "title": _("添加帮扶干部"), "back": "partners:cadres"}
    )


@login_required
@require_http_methods(["GET", "POST"])
def cadre_import(request: HttpRequest) -> HttpResponse:
    organisations = recording_organisations_for_user(request.user)
    county = county_for_user(request.user)
    own = organisations.first() if getattr(request.user, "role", None) == Role.UNIT_REPORTER else None
    form = UploadForm(request.POST or None, request.FILES or None)
    errors: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.import_cadres(
                actor=request.user,  # type: ignore[arg-type]
                county=county,
                data=form.cleaned_data["file"].read(),
                file_name=form.cleaned_data["file"].name,
                organisation=own,
            )
        except SheetError as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                _("导入完成：新增%(c)d人，更新%(u)d人，未变%(n)d人。")
                % {"c": result.created, "u": result.updated, "n": result.unchanged},
            )
            return redirect("partners:cadres")
    return render(
        request,
        "partners/import.html",
        {"form": form, "errors": errors, "title": _("导入帮扶干部"), "kind": "cadres"},
    )


# --- pairings -------------------------------------------------------------------------------------
@login_required
def pairing_list(request: HttpRequest) -> HttpResponse:
    pairings = pairings_for_user(request.user).select_related(
        "target_household", "helper_cadre__organisation"
    )
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "active")
    query = request.GET.get("q", "").strip()
    if kind in PairingKind.values:
        pairings = pairings.filter(kind=kind)
    if status == "active":
        pairings = selectors.active_on(pairings, today())
    elif status == "ended":
        pairings = pairings.filter(end_date__lt=today())
    if query:
        pairings = pairings.filter(
            Q(helper_organisation__name__icontains=query)
            | Q(helper_cadre__name__icontains=query)
            | Q(target_area__name__icontains=query)
            | Q(target_household__number=query)
        )
    page = Paginator(pairings.order_by("kind", "start_date", "id"), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/pairing_list.html",
        {
            "page": page,
            "kind": kind,
            "status": status,
            "q": query,
            "kinds": PairingKind.choices,
            "can_create": getattr(request.user, "role", None) == Role.COUNTY_ADMIN,
        },
    )


def _resolve_targets(
    request: HttpRequest, county: Area, data: dict[str, Any]
) -> tuple[Area | None, Household | None]:
    area = household = None
    if data.get("target_area"):
        area = areas_for_user(request.user).filter(code=data["target_area"]).first()
        if area is None:
            raise ValidationError(
                {"target_area": _("区划代码 %(code)s 不存在。") % {"code": data["target_area"]}}
            )
    if data.get("target_household"):
        household = (
            households_for_user(request.user).filter(county=county, number=data["target_household"]).first()
        )
        if household is None:
            raise ValidationError(
                {"target_household": _("户编号 %(n)s 不存在。") % {"n": data["target_household"]}}
            )
    return area, household


@login_required
@require_http_methods(["GET", "POST"])
def pairing_create(request: HttpRequest) -> HttpResponse:
    require_county_admin(request.user)
    county = county_for_user(request.user)
    form = PairingForm(
        request.POST or None,
        organisations=organisations_for_user(request.user),
        cadres=cadres_for_user(request.user).filter(is_active=True),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            area, household = _resolve_targets(request, county, data)
            pairing = services.create_pairing(
                actor=request.user,  # type: ignore[arg-type]
                county=county,
                kind=data["kind"],
                start_date=data["start_date"],
                helper_organisation=data["helper_organisation"]
                if data["kind"] != PairingKind.KINSHIP
                else None,
                helper_cadre=data["helper_cadre"] if data["kind"] == PairingKind.KINSHIP else None,
                target_area=area,
                target_organisation=data["target_organisation"],
                target_household=household,
                east_west_level=data["east_west_level"] if data["kind"] == PairingKind.EAST_WEST else "",
                help_modes=data["help_modes"],
                yearly_plan=data["yearly_plan"],
                note=data["note"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已建立结对。"))
            return redirect("partners:pairing", pk=pairing.pk)
    return render(
        request, "partners/form.html", {"form": form, "title": _("新建结对"), "back": "partners:pairings"}
    )


def _history(pairing: Pairing) -> list[Pairing]:
    """The chain of pairings of this target: earlier helpers first."""
    chain = [pairing]
    cursor = pairing
    while cursor.previous_id is not None and cursor.previous is not None:
        cursor = cursor.previous
        chain.insert(0, cursor)
    cursor = pairing
    while True:
        nxt = Pairing.objects.filter(previous=cursor).first()
        if nxt is None:
            break
        chain.append(nxt)
        cursor = nxt
    return chain


@login_required
def pairing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = get_pairing_for_user(request.user, pk)
    role = getattr(request.user, "role", None)
    can_record = role == Role.COUNTY_ADMIN or (
        role == Role.UNIT_REPORTER
        and request.user.organisation_id  # type: ignore[union-attr]
        in (
            pairing.helper_organisation_id,
            pairing.helper_cadre.organisation_id if pairing.helper_cadre else None,
        )
    )
    context: dict[str, Any] = {
        "pairing": pairing,
        "history": _history(pairing),
        "can_manage": role == Role.COUNTY_ADMIN and pairing.end_date is None,
        "can_record": can_record,
        "figures": [
            (f.month, _input_cells({name: getattr(f, name) for name in FIGURE_FIELDS}))
            for f in selectors.figures_by_month(pairing, _year(request))
        ]
        if pairing.kind in FIGURE_KINDS
        else None,
        "input_columns": INPUT_COLUMNS,
        "year": _year(request),
    }
    if role == Role.COUNTY_ADMIN and pairing.end_date is None:
        context["end_form"] = EndPairingForm()
        context["change_form"] = ChangeHelperForm(
            organisations=organisations_for_user(request.user),
            cadres=cadres_for_user(request.user).filter(is_active=True),
        )
    if can_record and pairing.kind in FIGURE_KINDS:
        context["figures_form"] = FiguresForm()
    if can_record and pairing.kind == PairingKind.KINSHIP:
        context["kinship_form"] = KinshipVisitForm()
        context["kinship_visits"] = kinship_visits_for_user(request.user).filter(pairing=pairing)[:50]
    return render(request, "partners/pairing_detail.html", context)


@login_required
@require_POST
def pairing_end(request: HttpRequest, pk: int) -> HttpResponse:
    require_county_admin(request.user)
    pairing = get_pairing_for_user(request.user, pk)
    form = EndPairingForm(request.POST)
    if form.is_valid():
        try:
            services.end_pairing(
                actor=request.user,  # type: ignore[arg-type]
                pairing=pairing,
                end_date=form.cleaned_data["end_date"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("结对已结束。"))
    else:
        messages.error(request, _("请填写结束日期和原因。"))
    return redirect("partners:pairing", pk=pairing.pk)


@login_required
@require_POST
def pairing_change_helper(request: HttpRequest, pk: int) -> HttpResponse:
    require_county_admin(request.user)
    pairing = get_pairing_for_user(request.user, pk)
    form = ChangeHelperForm(
        request.POST, organisations=organisations_for_user(request.user), cadres=cadres_for_user(request.user)
    )
    if not form.is_valid():
        messages.error(request, _("请填写更换日期、新帮扶人和原因。"))
        return redirect("partners:pairing", pk=pairing.pk)
    data = form.cleaned_data
    try:
        new = services.change_pairing_helper(
            actor=request.user,  # type: ignore[arg-type]
            pairing=pairing,
            on_date=data["on_date"],
            reason=data["reason"],
            helper_organisation=data["helper_organisation"],
            helper_cadre=data["helper_cadre"],
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("partners:pairing", pk=pairing.pk)
    messages.success(request, _("已更换帮扶人，原结对已结束并保留。"))
    return redirect("partners:pairing", pk=new.pk)


@login_required
@require_POST
def pairing_figures(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = get_recording_pairing_for_user(request.user, pk)
    form = FiguresForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        month: date = data.pop("month")
        try:
            services.record_pairing_figures(actor=request.user, pairing=pairing, month=month, **data)  # type: ignore[arg-type]
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已保存%(month)s的帮扶投入。") % {"month": month.strftime("%Y-%m")})
    else:
        messages.error(request, _("帮扶投入必须是不小于0的数字，人数和期数为整数。"))
    return redirect("partners:pairing", pk=pairing.pk)


@login_required
@require_POST
def kinship_visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = get_recording_pairing_for_user(request.user, pk)
    if pairing.kind != PairingKind.KINSHIP:
        raise Http404("pairing")
    form = KinshipVisitForm(request.POST)
    if form.is_valid():
        try:
            services.record_kinship_visit(
                actor=request.user,  # type: ignore[arg-type]
                pairing=pairing,
                date=form.cleaned_data["date"],
                form=form.cleaned_data["form"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已登记走访。"))
    else:
        messages.error(request, _("请填写走访日期和形式。"))
    return redirect("partners:pairing", pk=pairing.pk)


# --- work-team visits -----------------------------------------------------------------------------
@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    visits = visits_for_user(request.user)
    year = _year(request)
    visits = visits.filter(date__gte=date(year, 1, 1), date__lt=date(year + 1, 1, 1))
    org = request.GET.get("organisation", "").strip()
    if org:
        visits = visits.filter(organisation__code=org)
    page = Paginator(visits, 100).get_page(request.GET.get("page"))
    role = getattr(request.user, "role", None)
    return render(
        request,
        "partners/visit_list.html",
        {
            "page": page,
            "year": year,
            "organisation": org,
            "can_record": role in (Role.COUNTY_ADMIN, Role.UNIT_REPORTER),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request: HttpRequest) -> HttpResponse:
    organisations = recording_organisations_for_user(request.user)
    cadres = cadres_for_user(request.user).filter(is_active=True, organisation__in=organisations)
    form = VisitRecordForm(
        request.POST or None,
        request.FILES or None,
        organisations=organisations,
        cadres=cadres,
        villages=areas_for_user(request.user),
        initial={"organisation": organisations.first() if organisations.count() == 1 else None},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        village = data["village"]
        try:
            services.record_visit(
                actor=request.user,  # type: ignore[arg-type]
                organisation=data["organisation"],
                village=village,
                date=data["date"],
                purpose=data["purpose"],
                cadres=list(data["cadres"]),
                guests=data["guests"].splitlines(),
                activities=data["activities"],
                households_visited=data["households_visited"],
                follow_ups=data["follow_ups"],
                off_pairing_reason=data["off_pairing_reason"],
                attachments=[data["attachment"]] if data.get("attachment") else [],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已登记工作组走访。"))
            return redirect("partners:visits")
    return render(
        request,
        "partners/form.html",
        {"form": form, "title": _("登记工作组走访"), "back": "partners:visits", "multipart": True},
    )


# --- compliance -----------------------------------------------------------------------------------
QUARTER_HEADERS = (
    gettext_lazy("一季度"),
    gettext_lazy("二季度"),
    gettext_lazy("三季度"),
    gettext_lazy("四季度"),
)


VERDICT_LABELS = {
    "ok": gettext_lazy("达标"),
    "missed": gettext_lazy("未达标"),
    "open": gettext_lazy("进行中"),
    "future": gettext_lazy("未开始"),
    "none": gettext_lazy("不适用"),
}


@login_required
def compliance(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *REPORT_ROLES)
    county = county_for_user(request.user)
    year = _year(request)
    # The period shown: the year (judged against the whole rule) or one quarter (its own rule).
    quarter = int_param(request.GET.get("quarter", ""))
    if quarter not in (1, 2, 3, 4):
        quarter = None
    orgs = organisations_for_user(request.user)
    user: Any = request.user
    if user.role == Role.UNIT_REPORTER:
        orgs = orgs.filter(pk=user.organisation_id)
    rows = selectors.compliance_matrix(county, year, organisations=orgs)
    rule = services.visit_rule(county)
    if request.GET.get("format") == "xlsx":
        header = [_("单位编码"), _("单位名称"), *[str(q) for q in QUARTER_HEADERS], _("全年"), _("是否达标")]
        data = [
            [
                r.organisation.code,
                r.organisation.name,
                *r.quarters,
                r.total,
                str(VERDICT_LABELS[r.verdict_for(quarter)]),
            ]
            for r in rows
        ]
        return _xlsx(f"compliance-{year}.xlsx", tables([(str(year), header, data)]))
    pairings = pairings_for_user(request.user).filter(kind=PairingKind.KINSHIP)
    kinship_rows = selectors.kinship_compliance(county, year, pairings=pairings)
    if request.GET.get("format") == "kinship.xlsx":
        header = [
            _("帮扶干部"),
            _("单位编码"),
            _("户编号"),
            *[str(q) for q in QUARTER_HEADERS],
            _("全年"),
            _("是否达标"),
        ]
        data = [
            [
                k.pairing.helper_name,
                k.pairing.helper_cadre.organisation.code if k.pairing.helper_cadre else "",
                k.pairing.target_household.number if k.pairing.target_household else "",
                *k.quarters,
                k.total,
                str(VERDICT_LABELS[k.verdict_for(quarter)]),
            ]
            for k in kinship_rows
        ]
        return _xlsx(f"kinship-compliance-{year}.xlsx", tables([(str(year), header, data)]))
    reminders = (
        selectors.not_yet_visited_this_quarter(county, organisations=orgs) if year == today().year else []
    )
    kinship_missing = (
        selectors.kinship_not_yet_visited(county, pairings=pairings) if year == today().year else []
    )
    # The matrix can hold hundreds of rows: its cells are built here in one pass rather than by
    # nested template loops (see bench/partners_compliance.py).
    badges = {key: f'<span class="q-{key}">{escape(label)}</span>' for key, label in VERDICT_LABELS.items()}
    table = [
        mark_safe(  # noqa: S308 - every interpolated value is escaped or an int
            f"<tr><td>{escape(r.organisation.name)} "
            f'<small class="muted">{escape(r.organisation.code)}</small></td>'
            + "".join(f'<td class="num q-{state}">{int(n)}</td>' for n, state in r.cells)
            + f'<td class="num">{int(r.total)}</td><td>{badges[r.verdict_for(quarter)]}</td></tr>'
        )
        for r in rows
    ]
    return render(
        request,
        "partners/compliance.html",
        {
            "table": table,
            "year": year,
            "rule": rule,
            "reminders": reminders,
            "kinship_total": len(kinship_rows),
            "kinship_counts": _verdict_counts(k.verdict_for(quarter) for k in kinship_rows),
            "kinship_missing": kinship_missing,
            "counts": _verdict_counts(r.verdict_for(quarter) for r in rows),
            "row_count": len(rows),
            "quarters": QUARTER_HEADERS,
            "quarter": quarter,
            "period": QUARTER_HEADERS[quarter - 1] if quarter else _("全年"),
        },
    )


def _verdict_counts(verdicts: Any) -> list[tuple[str, str, int]]:
    """(key, label, count) of each verdict present, in a fixed order, for the summary line."""
    found: dict[str, int] = {}
    for v in verdicts:
        found[v] = found.get(v, 0) + 1
    return [(k, str(VERDICT_LABELS[k]), found[k]) for k in VERDICT_LABELS if k in found]


# --- coverage -------------------------------------------------------------------------------------
@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *COVERAGE_ROLES)
    county = county_for_user(request.user)
    villages = selectors.villages_without_designated_helper(county).filter(
        pk__in=areas_for_user(request.user).values("pk")
    )
    households = selectors.households_without_kinship_cadre(county).filter(
        pk__in=households_for_user(request.user).values("pk")
    )
    export = request.GET.get("format")
    if export == "villages.xlsx":
        header = [_("区划代码"), _("行政村"), _("乡（镇）")]
        data = [[v.code, v.name, v.parent.name if v.parent else ""] for v in villages]
        return _xlsx("villages-without-helper.xlsx", tables([(_("无帮扶单位贫困村"), header, data)]))
    if export == "households.xlsx":
        header = [_("户编号"), _("行政村"), _("乡（镇）")]
        data = [
            [h.number, h.village.name, h.village.parent.name if h.village.parent else ""]
            for h in households.iterator()
        ]
        return _xlsx("households-without-cadre.xlsx", tables([(_("无结对干部户"), header, data)]))
    helpers = selectors.designated_helpers_by_village(county)
    poor = areas_for_user(request.user).filter(level="village", registered_poor=True).select_related("parent")
    return render(
        request,
        "partners/coverage.html",
        {
            "villages": villages,
            "households_count": households.count(),
            "households": households[:200],
            "poor": [(v, helpers.get(v.pk, [])) for v in poor],
        },
    )


# --- pairing inputs (帮扶投入) ------------------------------------------------------------------------
# The columns of the inputs tables: the field's label and whether it is money (yuan, two places).
INPUT_COLUMNS = [
    (getattr(PairingFigures._meta.get_field(name), "verbose_name", name), name in MONEY_FIELDS)
    for name in FIGURE_FIELDS
]


def _input_cells(values: dict[str, Any]) -> list[tuple[Any, bool]]:
    return [(values[name], name in MONEY_FIELDS) for name in FIGURE_FIELDS]


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *REPORT_ROLES)
    county = county_for_user(request.user)
    year = _year(request)
    orgs = organisations_for_user(request.user)
    user: Any = request.user
    if user.role == Role.UNIT_REPORTER:
        orgs = orgs.filter(pk=user.organisation_id)
    rows = selectors.figures_by_partner(county, year, organisations=orgs)
    return render(
        request,
        "partners/figures.html",
        {"rows": [(r, _input_cells(r.totals)) for r in rows], "year": year, "input_columns": INPUT_COLUMNS},
    )


# --- organisation detail and contacts ---------------------------------------------------------------
@login_required
def organisation_detail(request: HttpRequest, code: str) -> HttpResponse:
    organisation = get_object_or_404(organisations_for_user(request.user).select_related("parent"), code=code)
    user: Any = request.user
    can_edit = user.role == Role.COUNTY_ADMIN or (
        user.role == Role.UNIT_REPORTER and user.organisation_id == organisation.pk
    )
    show_phones = sees_personal_data_of(user, organisation.pk)
    contacts = [
        (c, c.phone if show_phones or not c.phone else mask_phone(c.phone))
        for c in organisation.contacts.all()
    ]
    pairings = selectors.active_on(
        pairings_for_user(user).filter(
            Q(helper_organisation=organisation) | Q(target_organisation=organisation)
        ),
        today(),
    )
    return render(
        request,
        "partners/organisation_detail.html",
        {
            "organisation": organisation,
            "children": organisation.children.all(),
            "contacts": contacts,
            "pairings": pairings,
            "cadre_count": cadres_for_user(user).filter(organisation=organisation).count(),
            "contact_form": ContactForm() if can_edit else None,
            "parent_form": ParentForm(
                organisations=organisations_for_user(user).exclude(pk=organisation.pk),
                initial={"parent": organisation.parent},
            )
            if user.role == Role.COUNTY_ADMIN
            else None,
        },
    )


@login_required
@require_POST
def contact_create(request: HttpRequest, code: str) -> HttpResponse:
    organisation = get_recording_organisation_for_user(request.user, code)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            services.add_contact(actor=request.user, organisation=organisation, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已添加联系人。"))
    else:
        messages.error(request, _("请填写联系人姓名。"))
    return redirect("partners:organisation", code=organisation.code)


# --- county configuration -------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def partner_settings(request: HttpRequest) -> HttpResponse:
    require_county_admin(request.user)
    county = county_for_user(request.user)
    rule = services.visit_rule(county)
    rule_form = VisitRuleForm(
        request.POST if request.POST.get("form") == "rule" else None,
        initial={f: getattr(rule, f) for f in VisitRule.DEFAULTS},
    )
    cap_form = KinshipCapForm(request.POST if request.POST.get("form") == "cap" else None)
    if request.method == "POST":
        try:
            if rule_form.is_bound and rule_form.is_valid():
                services.set_visit_rule(actor=request.user, county=county, **rule_form.cleaned_data)  # type: ignore[arg-type]
                messages.success(request, _("已保存走访规则。"))
                return redirect("partners:settings")
            if cap_form.is_bound and cap_form.is_valid():
                services.set_kinship_cap(actor=request.user, county=county, **cap_form.cleaned_data)  # type: ignore[arg-type]
                messages.success(request, _("已保存结对户数上限。"))
                return redirect("partners:settings")
        except ValidationError as exc:
            _apply_errors(rule_form if rule_form.is_bound else cap_form, exc)
    county_caps = services.kinship_caps(county)
    caps = [(label, county_caps[value]) for value, label in JobGrade.choices]
    return render(
        request, "partners/settings.html", {"rule_form": rule_form, "cap_form": cap_form, "caps": caps}
    )


@login_required
@require_http_methods(["GET", "POST"])
def cadre_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = get_cadre_for_user(request.user, pk)
    # Only the county admin and the cadre's own unit edit it (and see its phone).
    get_recording_organisation_for_user(request.user, cadre.organisation.code)
    initial = {
        f: getattr(cadre, f) for f in ("name", "post", "job_grade", "phone", "resident_team", "is_active")
    }
    form = CadreEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_cadre(actor=request.user, cadre=cadre, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已保存帮扶干部。"))
            return redirect("partners:cadres")
    return render(
        request, "partners/form.html", {"form": form, "title": cadre.name, "back": "partners:cadres"}
    )


@login_required
@require_POST
def organisation_set_parent(request: HttpRequest, code: str) -> HttpResponse:
    require_county_admin(request.user)
    organisation = get_object_or_404(organisations_for_user(request.user), code=code)
    form = ParentForm(request.POST, organisations=organisations_for_user(request.user))
    if form.is_valid():
        try:
            services.set_organisation_parent(
                actor=request.user,  # type: ignore[arg-type]
                organisation=organisation,
                parent=form.cleaned_data["parent"],
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已保存上级单位。"))
    return redirect("partners:organisation", code=organisation.code)
