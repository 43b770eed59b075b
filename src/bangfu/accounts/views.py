from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bangfu.accounts import services
from bangfu.accounts.attention import unconfirmed_changes
from bangfu.accounts.forms import DeactivateForm, UserCreateForm, UserEditForm, UserPasswordForm
from bangfu.accounts.http import AuthedHttpRequest
from bangfu.accounts.models import AccountChange, ApiToken, Role
from bangfu.accounts.scopes import area_prefix, get_user_for_admin, require_role, users_for_admin


def _apply_errors(form: UserCreateForm | UserEditForm | UserPasswordForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def user_list(request: AuthedHttpRequest) -> HttpResponse:
    users = users_for_admin(request.user)
    query = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    status = request.GET.get("status", "active")
    if query:
        users = users.filter(Q(username__icontains=query) | Q(full_name__icontains=query))
    if role in Role.values:
        users = users.filter(role=role)
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "inactive":
        users = users.filter(is_active=False)
    page = Paginator(users.order_by("username"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/user_list.html",
        {"page": page, "q": query, "role": role, "status": status, "roles": Role.choices},
    )


@login_required
def user_create(request: AuthedHttpRequest) -> HttpResponse:
    users_for_admin(request.user)  # county admins only
    form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_user(
                actor=request.user,
                username=data["username"],
                password=data["password"],
                role=data["role"],
                area=data["area"],
                organisation=data["organisation"],
                full_name=data["full_name"],
                phone=data["phone"],
                email=data["email"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已创建用户 %(name)s。") % {"name": user.username})
            return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    target = get_user_for_admin(request.user, pk)
    initial = {
        "full_name": target.full_name,
        "role": target.role,
        "area": target.area,
        "organisation": target.organisation,
        "phone": target.phone,
        "email": target.email,
    }
    form = UserEditForm(request.POST or None, initial=initial, actor=request.user)
    password_form = UserPasswordForm()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_user(
                actor=request.user,
                user=target,
                role=data["role"],
                area=data["area"],
                organisation=data["organisation"],
                full_name=data["full_name"],
                phone=data["phone"],
                email=data["email"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已保存用户 %(name)s。") % {"name": target.username})
            return redirect("accounts:users")
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "target": target, "password_form": password_form, "deactivate_form": DeactivateForm()},
    )


@login_required
@require_POST
def user_set_active(request: AuthedHttpRequest, pk: int, active: int) -> HttpResponse:
    target = get_user_for_admin(request.user, pk)
    form = DeactivateForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.set_user_active(actor=request.user, user=target, active=bool(active), reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if active:
            messages.success(request, _("已启用用户 %(name)s。") % {"name": target.username})
        else:
            messages.success(request, _("已停用用户 %(name)s。") % {"name": target.username})
    return redirect("accounts:user_edit", pk=target.pk)


@login_required
@require_POST
def user_set_password(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    target = get_user_for_admin(request.user, pk)
    form = UserPasswordForm(request.POST)
    if form.is_valid():
        try:
            services.set_user_password(
                actor=request.user, user=target, password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已重置用户 %(name)s 的密码。") % {"name": target.username})
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("accounts:user_edit", pk=target.pk)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        # The service sets the password, revokes the user's API tokens and audits.
        services.change_own_password(
            user=form.user,
            old_password=form.cleaned_data["old_password"],
            password=form.cleaned_data["new_password1"],
        )
        update_session_auth_hash(self.request, form.user)
        return redirect(self.get_success_url())


@login_required
def change_list(request: AuthedHttpRequest) -> HttpResponse:
    """Account changes waiting for a second admin (docs/security.md): admins confirm, inspectors see."""
    require_role(request.user, Role.COUNTY_ADMIN, Role.INSPECTOR)
    prefix = area_prefix(request.user) or ""
    changes = list(unconfirmed_changes(prefix)) if prefix else []
    return render(request, "accounts/change_list.html", {"changes": changes})


@login_required
@require_POST
def change_confirm(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    prefix = area_prefix(request.user)
    change = get_object_or_404(AccountChange, pk=pk, area_code__startswith=prefix) if prefix else None
    if change is None:
        raise Http404("change")
    try:
        services.confirm_account_change(actor=request.user, change=change)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已确认对账号 %(name)s 的变更。") % {"name": change.user.username})
    return redirect("accounts:changes")


def _tokens_in_reach(user: Any) -> QuerySet[ApiToken]:
    """The caller's own tokens and, for a county admin, those of every user in their scope."""
    own = Q(user=user)
    if getattr(user, "role", None) == Role.COUNTY_ADMIN:
        return ApiToken.objects.filter(own | Q(user__in=users_for_admin(user))).select_related("user")
    return ApiToken.objects.filter(own).select_related("user")


@login_required
def token_list(request: AuthedHttpRequest) -> HttpResponse:
    """One's own API tokens (and, for admins, the live tokens of the users they manage)."""
    now = timezone.now()
    tokens = _tokens_in_reach(request.user).order_by("user__username", "-created_at")
    own = [t for t in tokens if t.user_id == request.user.pk]
    managed = [t for t in tokens if t.user_id != request.user.pk and t.is_live]
    return render(request, "accounts/token_list.html", {"own": own, "managed": managed, "now": now})


@login_required
@require_POST
def token_revoke(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(_tokens_in_reach(request.user), pk=pk)
    services.revoke_api_token(actor=request.user, token=token)
    messages.success(request, _("已吊销令牌 …%(hint)s。") % {"hint": token.hint})
    return redirect("accounts:tokens")
