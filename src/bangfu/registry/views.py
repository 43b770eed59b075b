from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import areas_for_user, county_prefix, require_role
from bangfu.areas.models import Level
from bangfu.monitoring.selectors import households_found_by_id, records_of_registry_household
from bangfu.network.needs_selectors import needs_of_household
from bangfu.partners.selectors import helpers_of_household, kinship_visits_of_household
from bangfu.registry.forms import ImportForm
from bangfu.registry.models import ImportJob, ImportStatus, RegistryChange, Schooling
from bangfu.registry.selectors import (
    can_view_full_id,
    change_rows,
    get_household_for_user,
    get_member_for_user,
    head_of,
    household_list_page,
    households_for_user,
    registry_prefix,
    search_households,
)
from bangfu.registry.services import (
    _media_path,
    create_import_job,
    reveal_id_number,
    start_import_job,
)
from bangfu.subsidies.selectors import subsidies_of_household


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    params = {
        key: request.GET.get(key, "").strip()
        for key in ("q", "township", "village", "exited", "monitored", "schooling")
    }
    households = search_households(
        households_for_user(request.user),
        query=params["q"],
        township=params["township"],
        village=params["village"],
        exited=params["exited"],
        monitored=params["monitored"],
        schooling=params["schooling"],
        prefix=registry_prefix(request.user),
    )
    page, rows = household_list_page(households, request.GET.get("page"))
    areas = areas_for_user(request.user)
    schooling_choices = [("vocational", _("中职或高职高专在校生"))] + [
        (value, label) for value, label in Schooling.choices if value
    ]
    return render(
        request,
        "registry/household_list.html",
        {
            "page": page,
            "rows": rows,
            "params": params,
            "townships": areas.filter(level=Level.TOWNSHIP),
            "villages": areas.filter(level=Level.VILLAGE).select_related("parent"),
            "schooling_choices": schooling_choices,
            "monitoring_hits": households_found_by_id(request.user, params["q"]),  # 边缘户 outside
        },
    )


def _household_context(request: HttpRequest, number: str) -> dict[str, object]:
    """Everything the household page shows, each part read through its own app's selector and
    scoped by the viewer (the household itself is 404 outside the viewer's scope)."""
    household = get_household_for_user(request.user, number)
    members = list(household.members.select_related("village").order_by("-active", "id"))
    changes = (
        RegistryChange.objects.filter(household=household)
        .select_related("member", "changed_by")
        .order_by("-effective_on", "-id")[:200]
    )
    return {
        "household": household,
        "head": head_of(members),
        "members": members,
        "changes": change_rows(changes),
        "can_reveal": {m.pk for m in members if can_view_full_id(request.user, m)},
        "helpers": helpers_of_household(household),
        "kinship_visits": kinship_visits_of_household(request.user, household),
        "subsidies": subsidies_of_household(request.user, household),
        "needs": list(needs_of_household(request.user, household)[:50]),
        "monitoring_records": records_of_registry_household(household),
    }


@login_required
def household_detail(request: HttpRequest, number: str) -> HttpResponse:
    return render(request, "registry/household_detail.html", _household_context(request, number))


@login_required
@require_POST
def reveal_member_id(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_member_for_user(request.user, pk)
    full = reveal_id_number(actor=request.user, member=member)  # 404 unless allowed; audited
    context = _household_context(request, member.household.number)
    for shown in context["members"]:  # type: ignore[attr-defined]
        if shown.pk == member.pk:
            shown.revealed_id = full
    response = render(request, "registry/household_detail.html", context)
    response["Cache-Control"] = "no-store"
    return response


# --- imports (county admins) ----------------------------------------------------------------------
def _jobs_for(request: HttpRequest):  # type: ignore[no-untyped-def]
    require_role(request.user, Role.COUNTY_ADMIN)
    return ImportJob.objects.filter(county__code__startswith=county_prefix(request.user) or "-")


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    jobs = _jobs_for(request)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            county = request.user.area  # type: ignore[union-attr]
            if county is None or county.level != Level.COUNTY:
                raise Http404("county")
            content = upload.read()
            job = create_import_job(
                actor=request.user,
                county=county,
                file_name=upload.name,
                content=content,
                as_of=form.cleaned_data["as_of"],
                full=form.cleaned_data["full"],
                strict_areas=form.cleaned_data["strict_areas"],
                dry_run=form.cleaned_data["dry_run"],
            )
            start_import_job(job=job, size=len(content), content=content)
            messages.success(request, _("已提交导入任务。"))
            return redirect("registry:import_detail", pk=job.pk)
    else:
        form = ImportForm()
    return render(request, "registry/import_list.html", {"form": form, "jobs": jobs[:50]})


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        job = _jobs_for(request).get(pk=pk)
    except ImportJob.DoesNotExist:
        raise Http404("job") from None
    running = job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
    return render(request, "registry/import_detail.html", {"job": job, "running": running})


@login_required
def import_errors(request: HttpRequest, pk: int) -> FileResponse:
    try:
        job = _jobs_for(request).get(pk=pk)
    except ImportJob.DoesNotExist:
        raise Http404("job") from None
    if not job.error_file:
        raise Http404("error file")
    return FileResponse(
        _media_path(job.error_file).open("rb"), as_attachment=True, filename=f"导入错误-{job.pk}.xlsx"
    )
