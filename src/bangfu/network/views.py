"""Thin views: access helper → form → one service call → redirect or render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bangfu.accounts.http import AuthedHttpRequest
from bangfu.accounts.models import Role
from bangfu.accounts.scopes import require_role
from bangfu.core.middleware import client_ip
from bangfu.lib import clock
from bangfu.lib.idnumbers import mask_phone
from bangfu.network import needs_selectors, selectors, services
from bangfu.network.forms import (
    NewProductForm,
    OrderForm,
    OrderTransitionForm,
    PhotoForm,
    ProductForm,
    SettingsForm,
    SignupForm,
    StockForm,
    VerifyForm,
    apply_errors,
)
from bangfu.network.models import ORDER_TRANSITIONS, Invitation, OrderStatus, Product


# --- public: sign-up ------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest, code: str = "") -> HttpResponse:
    counties = selectors.public_counties()
    invitation = Invitation.objects.select_related("organisation", "county").filter(code=code.upper()).first()
    initial: dict[str, Any] = {"invitation_code": code.upper()} if code else {}
    if invitation is not None:
        initial["county"] = invitation.county
    elif counties.count() == 1:
        initial["county"] = counties.first()
    form = SignupForm(request.POST or None, counties=counties, initial=initial)
    status = 200
    if request.method == "POST":
        try:
            services.record_signup_attempt(ip=client_ip(request), mobile=request.POST.get("mobile", ""))
        except services.SignupThrottled as exc:
            form.is_valid()
            form.add_error(None, exc.messages)
            return render(
                request, "network/signup.html", {"form": form, "invitation": invitation}, status=429
            )
        if form.is_valid():
            data = form.cleaned_data
            try:
                supporter = services.register_supporter(
                    actor=None,
                    county=data["county"],
                    kind=data["kind"],
                    name=data["name"],
                    mobile=data["mobile"],
                    password=data["password"],
                    uscc=data["uscc"],
                    invitation_code=data["invitation_code"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                login(request, supporter.user, backend="django.contrib.auth.backends.ModelBackend")
                services.send_verification_code(actor=supporter.user, supporter=supporter)
                messages.success(request, _("注册成功。验证码已发送到您的手机，请完成验证。"))
                return redirect("network:me")
        status = 400
    return render(request, "network/signup.html", {"form": form, "invitation": invitation}, status=status)


# --- supporter's own page -------------------------------------------------------------------------
@login_required
def me(request: AuthedHttpRequest) -> HttpResponse:
    require_role(request.user, Role.SUPPORTER)
    # A supporter account made by an administrator (not through sign-up) has no profile yet.
    supporter = selectors.supporter_for_user(request.user)
    orders = selectors.orders_for_user(request.user)[:50]
    return render(
        request,
        "network/me.html",
        {
            "supporter": supporter,
            "mobile": mask_phone(supporter.mobile) if supporter else "",
            "verify_form": VerifyForm(),
            "orders": orders,
            "claims": needs_selectors.claims_of_supporter(request.user),
        },
    )


@login_required
@require_POST
def send_code(request: AuthedHttpRequest) -> HttpResponse:
    supporter = selectors.supporter_for_user(request.user)
    if supporter is None:
        raise PermissionDenied
    try:
        services.send_verification_code(actor=request.user, supporter=supporter)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("验证码已发送。"))
    return redirect("network:me")


@login_required
@require_POST
def verify(request: AuthedHttpRequest) -> HttpResponse:
    supporter = selectors.supporter_for_user(request.user)
    if supporter is None:
        raise PermissionDenied
    form = VerifyForm(request.POST)
    if form.is_valid():
        try:
            services.verify_mobile(actor=request.user, supporter=supporter, code=form.cleaned_data["code"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("手机号验证成功。"))
    else:
        messages.error(request, _("请输入6位验证码。"))
    return redirect("network:me")


# --- invitations ----------------------------------------------------------------------------------
@login_required
def invitations(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    require_role(user, Role.COUNTY_ADMIN, Role.INSPECTOR, Role.UNIT_REPORTER)
    if request.method == "POST":
        if user.role == Role.COUNTY_ADMIN:
            county = selectors.county_for_user(user)
            if county is None:
                raise PermissionDenied
            n = services.issue_invitations(actor=user, county=county)
            messages.success(request, _("已为 %(n)s 个单位生成邀请码。") % {"n": n})
        elif user.role == Role.UNIT_REPORTER and user.organisation is not None:
            services.ensure_invitation(actor=user, organisation=user.organisation)
        else:
            raise PermissionDenied
        return redirect("network:invitations")
    year = clock.today().year
    rows = list(selectors.invitations_for_user(user))
    counts = selectors.registrations_by_unit(rows, year)
    link_base = request.build_absolute_uri(reverse("network:signup"))
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "network/invitations.html",
        {"page": page, "counts": counts, "year": year, "link_base": link_base},
    )


@login_required
def supporters(request: AuthedHttpRequest) -> HttpResponse:
    rows = selectors.supporters_for_user(request.user)
    require_role(request.user, Role.COUNTY_ADMIN, Role.INSPECTOR, Role.UNIT_REPORTER)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    for s in page:
        s.masked_mobile = mask_phone(s.mobile)  # type: ignore[attr-defined]
    return render(request, "network/supporters.html", {"page": page})


# --- figures --------------------------------------------------------------------------------------
@login_required
def stats(request: AuthedHttpRequest) -> HttpResponse:
    if not selectors.can_see_stats(request.user):
        raise PermissionDenied
    county = selectors.county_for_user(request.user)
    if county is None:
        raise PermissionDenied
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = clock.today().year
    if not 2000 <= year <= 2100:
        year = clock.today().year
    registrations = selectors.registration_stats(county, year)
    sales = selectors.sales_stats(county, year)
    needs = selectors.need_stats(county, year)
    conf = services.settings_for(county)
    settings_form = None
    if request.user.role == Role.COUNTY_ADMIN:
        settings_form = SettingsForm(
            request.POST or None,
            initial={"baseline_registrations": conf.baseline_registrations, "claim_days": conf.claim_days},
        )
        if request.method == "POST" and settings_form.is_valid():
            try:
                services.update_network_settings(
                    actor=request.user, county=county, **settings_form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(settings_form, exc)
            else:
                messages.success(request, _("设置已保存。"))
                return redirect(f"{reverse('network:stats')}?year={year}")
    elif request.method == "POST":
        raise PermissionDenied
    chart = {
        "months": [f"{m}" for m in range(1, 13)],
        "registrations": registrations.by_month,
        "sales": [str(v) for v in sales.by_month],
    }
    return render(
        request,
        "network/stats.html",
        {
            "county": county,
            "year": year,
            "registrations": registrations,
            "sales": sales,
            "needs": needs,
            "settings_form": settings_form,
            "chart_data": chart,
        },
    )


# --- public catalogue and ordering ----------------------------------------------------------------
def catalogue(request: HttpRequest) -> HttpResponse:
    products = selectors.public_products()
    query = request.GET.get("q", "").strip()
    if query:
        products = products.filter(name__icontains=query)
    if request.GET.get("certified") == "1":
        products = products.filter(certified=True)
    page = Paginator(products, 30).get_page(request.GET.get("page"))
    return render(request, "network/catalogue.html", {"page": page, "q": query})


@require_http_methods(["GET", "POST"])
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = selectors.get_public_product(pk)
    user = request.user
    can_order = getattr(user, "is_authenticated", False) and services.buyer_kind_for(user) is not None  # type: ignore[arg-type]
    form = OrderForm(request.POST or None) if can_order else None
    if request.method == "POST":
        if form is None:
            return redirect(f"{reverse('login')}?next={request.path}")
        if form.is_valid():
            try:
                order = services.place_order(actor=user, product=product, **form.cleaned_data)  # type: ignore[arg-type]
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已下单，订单号 %(n)s。") % {"n": order.number})
                return redirect("network:order", pk=order.pk)
    return render(request, "network/product_detail.html", {"product": product, "form": form})


@login_required
def orders(request: AuthedHttpRequest) -> HttpResponse:
    rows = selectors.orders_for_user(request.user)
    status = request.GET.get("status", "")
    if status in OrderStatus.values:
        rows = rows.filter(status=status)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request, "network/orders.html", {"page": page, "status": status, "statuses": OrderStatus.choices}
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    order = selectors.get_order_for_user(request.user, pk)
    if request.method == "POST":
        form = OrderTransitionForm(request.POST)
        if form.is_valid():
            try:
                services.transition_order(actor=request.user, order=order, **form.cleaned_data)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("订单状态已更新。"))
        else:
            messages.error(request, _("无效的操作。"))
        return redirect("network:order", pk=order.pk)
    allowed = [
        (to, OrderStatus(to).label)
        for to in ORDER_TRANSITIONS[order.status]
        if services.may_transition_order(request.user, order, to)
    ]
    return render(request, "network/order_detail.html", {"order": order, "allowed": allowed})


# --- product management ---------------------------------------------------------------------------
@login_required
def manage_products(request: AuthedHttpRequest) -> HttpResponse:
    require_role(request.user, *selectors.MANAGER_ROLES, Role.INSPECTOR)
    rows = selectors.products_for_manager(request.user)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "network/manage_products.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def product_new(request: AuthedHttpRequest) -> HttpResponse:
    require_role(request.user, *selectors.MANAGER_ROLES)
    form = NewProductForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.create_product(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已添加产品 %(name)s。") % {"name": product.name})
            return redirect("network:product_edit", pk=product.pk)
    return render(request, "network/product_form.html", {"form": form, "product": None})


_PRODUCT_FIELDS = [
    "name",
    "description",
    "village",
    "producer_kind",
    "producer_name",
    "producer_organisation",
    "producer_household",
    "certified",
    "certificate_number",
    "price",
    "unit",
    "is_listed",
]


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, *selectors.MANAGER_ROLES)
    product: Product = selectors.get_product_for_manager(request.user, pk)
    initial = {f: getattr(product, f) for f in _PRODUCT_FIELDS}
    initial["producer_household"] = product.producer_household.number if product.producer_household else ""
    form = ProductForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_product(actor=request.user, product=product, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("产品已更新。"))
            return redirect("network:product_edit", pk=product.pk)
    return render(
        request,
        "network/product_form.html",
        {"form": form, "product": product, "stock_form": StockForm(), "photo_form": PhotoForm()},
    )


@login_required
@require_POST
def product_stock(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, *selectors.MANAGER_ROLES)
    product = selectors.get_product_for_manager(request.user, pk)
    form = StockForm(request.POST)
    if form.is_valid():
        try:
            services.adjust_stock(actor=request.user, product=product, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("库存已调整。"))
    else:
        messages.error(request, _("请填写调整数量和原因。"))
    return redirect("network:product_edit", pk=product.pk)


@login_required
@require_POST
def product_photo(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, *selectors.MANAGER_ROLES)
    product = selectors.get_product_for_manager(request.user, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_product_photo(actor=request.user, product=product, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("照片已上传。"))
    else:
        messages.error(request, _("请选择照片文件。"))
    return redirect("network:product_edit", pk=product.pk)


def product_photo_file(request: HttpRequest, pk: int) -> FileResponse:
    """Serve a listed product's photo (media files are not otherwise served)."""
    photo = selectors.get_public_photo(pk)
    return FileResponse(photo.image.open("rb"))
