"""Pages for household needs: the public anonymised list, supporters' claims, and the village /
township side (post, review, confirm)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bangfu.accounts.http import AuthedHttpRequest
from bangfu.accounts.models import Role
from bangfu.accounts.scopes import require_role
from bangfu.network import needs_selectors, services
from bangfu.network.forms import ConfirmForm, NeedForm, NoteForm, ReasonForm, ReviewForm, apply_errors
from bangfu.network.models import ClaimStatus, NeedCategory, NeedStatus


def _flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


# --- public ---------------------------------------------------------------------------------------
def need_list(request: HttpRequest) -> HttpResponse:
    needs = needs_selectors.public_needs()
    category = request.GET.get("category", "")
    if category in NeedCategory.values:
        needs = needs.filter(category=category)
    if request.GET.get("open") == "1":
        needs = needs_selectors.filter_claimable(needs)
    page = Paginator(needs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "network/needs.html",
        {"page": page, "category": category, "categories": NeedCategory.choices},
    )


def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = needs_selectors.get_public_need(pk)
    return render(request, "network/need_detail.html", {"need": need})


@require_POST
def need_claim(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={reverse('network:need', args=[pk])}")
    need = needs_selectors.get_public_need(pk)
    try:
        services.claim_need(actor=request.user, need=need)  # type: ignore[arg-type]
    except ValidationError as exc:
        _flash_errors(request, exc)
        return redirect("network:need", pk=pk)
    messages.success(request, _("认领成功，请在有效期内完成帮扶。"))
    return redirect("network:me")


# --- supporter's claims ---------------------------------------------------------------------------
@login_required
@require_POST
def claim_deliver(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    claim = needs_selectors.get_claim_of_supporter(request.user, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写交付说明。"))
    else:
        try:
            services.deliver_claim(actor=request.user, claim=claim, note=form.cleaned_data["note"])
        except ValidationError as exc:
            _flash_errors(request, exc)
        else:
            messages.success(request, _("已提交交付，等待村信息员确认。"))
    return redirect("network:me")


@login_required
@require_POST
def claim_withdraw(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    claim = needs_selectors.get_claim_of_supporter(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写撤回原因。"))
    else:
        try:
            services.withdraw_claim(actor=request.user, claim=claim, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _flash_errors(request, exc)
        else:
            messages.success(request, _("已撤回认领。"))
    return redirect("network:me")


# --- village / township side ----------------------------------------------------------------------
@login_required
def manage_needs(request: AuthedHttpRequest) -> HttpResponse:
    require_role(request.user, *needs_selectors.NEED_STAFF_ROLES)
    needs = needs_selectors.needs_for_user(request.user)
    status = request.GET.get("status", "")
    if status in NeedStatus.values:
        needs = needs.filter(status=status)
    page = Paginator(needs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "network/manage_needs.html",
        {"page": page, "status": status, "statuses": NeedStatus.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_new(request: AuthedHttpRequest) -> HttpResponse:
    require_role(request.user, Role.VILLAGE_OFFICER)
    form = NeedForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            need = services.post_need(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("需求已提交，等待乡镇审核。"))
            return redirect("network:manage_need", pk=need.pk)
    return render(request, "network/need_form.html", {"form": form})


@login_required
def manage_need(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    need = needs_selectors.get_need_for_user(request.user, pk)
    claims = list(need.claims.select_related("supporter").all())
    return render(
        request,
        "network/manage_need.html",
        {
            "need": need,
            "claims": claims,
            "can_review": need.status == NeedStatus.PENDING and services.can_review_need(request.user, need),
            "can_close": need.status in (NeedStatus.PENDING, NeedStatus.PUBLISHED)
            and request.user.role != Role.INSPECTOR,
            "can_confirm": request.user.role == Role.VILLAGE_OFFICER,
            "delivered": ClaimStatus.DELIVERED,
            "confirm_form": ConfirmForm(),
        },
    )


@login_required
@require_POST
def need_review(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    need = needs_selectors.get_need_for_user(request.user, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("无效的操作。"))
    else:
        try:
            services.review_need(actor=request.user, need=need, **form.cleaned_data)
        except ValidationError as exc:
            _flash_errors(request, exc)
        else:
            messages.success(request, _("审核完成。"))
    return redirect("network:manage_need", pk=need.pk)


@login_required
@require_POST
def need_close(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    need = needs_selectors.get_need_for_user(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写关闭原因。"))
    else:
        try:
            services.close_need(actor=request.user, need=need, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _flash_errors(request, exc)
        else:
            messages.success(request, _("需求已关闭。"))
    return redirect("network:manage_need", pk=need.pk)


@login_required
@require_POST
def claim_confirm(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    claim = needs_selectors.get_claim_for_staff(request.user, pk)
    form = ConfirmForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请填写确认说明。"))
    else:
        try:
            services.confirm_claim(actor=request.user, claim=claim, **form.cleaned_data)
        except ValidationError as exc:
            _flash_errors(request, exc)
        except PermissionDenied:
            raise
        else:
            messages.success(request, _("已确认帮扶完成。"))
    return redirect("network:manage_need", pk=claim.need_id)


@login_required
def claim_photo(request: AuthedHttpRequest, pk: int) -> FileResponse:
    claim = needs_selectors.get_claim_for_staff(request.user, pk)
    if not claim.confirm_photo:
        raise Http404("photo")
    return FileResponse(claim.confirm_photo.open("rb"))
