"""Staff pages (county admin writes, inspector reads) and the public disclosure (no login)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_POST

from bangfu.accounts.models import Role, User
from bangfu.accounts.scopes import require_role
from bangfu.charity import selectors, services
from bangfu.charity.amounts import amount_in_words
from bangfu.charity.earmarks import GENERAL
from bangfu.charity.forms import CampaignForm, DecisionForm, DonationForm, ImportForm, SpendingForm, VoidForm
from bangfu.charity.models import CAMPAIGN_TRANSITIONS, CampaignStatus
from bangfu.charity.selectors import CHARITY_ROLES
from bangfu.core.once import submit_once
from bangfu.lib.clock import today
from bangfu.lib.sheets import MIME, Workbook
from bangfu.lib.stampcache import cached, stamp_key

PUBLIC_MAX_AGE = 300
PUBLIC_PAGE_SIZE = 200


def _me(request: HttpRequest) -> User:
    """The logged-in user (views are behind login_required)."""
    return cast(User, request.user)


def _staff(request: HttpRequest) -> None:
    require_role(_me(request), *CHARITY_ROLES)


def _admin(request: HttpRequest) -> None:
    require_role(_me(request), Role.COUNTY_ADMIN)


# --- staff ----------------------------------------------------------------------------------------
@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    campaigns = selectors.campaigns_for_user(_me(request))
    return render(
        request,
        "charity/campaign_list.html",
        {
            "rows": selectors.campaign_summary_rows(campaigns),
            "can_edit": _me(request).role == Role.COUNTY_ADMIN,
        },
    )


@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    _admin(request)
    county = _me(request).area
    if county is None or county.level != "county":
        raise PermissionDenied
    form = CampaignForm(request.POST or None, county=county)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.create_campaign(actor=_me(request), county=county, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("活动已创建。"))
            return redirect("charity:campaign", code=campaign.code)
    return render(request, "charity/campaign_form.html", {"form": form})


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def campaign_detail(request: HttpRequest, code: str) -> HttpResponse:
    _staff(request)
    campaign = selectors.get_campaign_for_user(_me(request), code)
    donations = Paginator(
        selectors.donations_for_user(_me(request))
        .filter(campaign=campaign)
        .order_by("-donated_on", "receipt_number"),
        50,
    ).get_page(request.GET.get("page"))
    spendings = (
        selectors.spendings_for_user(_me(request)).filter(campaign=campaign).prefetch_related("approvals")
    )
    return render(
        request,
        "charity/campaign_detail.html",
        {
            "campaign": campaign,
            "page": donations,
            "spendings": spendings,
            "pools": selectors.pool_rows(campaign, internal=True),
            "disclosure": selectors.disclosure(campaign),
            "imports": campaign.imports.select_related("created_by")[:10],
            "next_statuses": [CampaignStatus(s) for s in CAMPAIGN_TRANSITIONS[campaign.status]],
            "can_edit": _me(request).role == Role.COUNTY_ADMIN,
        },
    )


@login_required
@require_POST
def campaign_status(request: HttpRequest, code: str) -> HttpResponse:
    _admin(request)
    campaign = selectors.get_campaign_for_user(_me(request), code)
    try:
        services.change_campaign_status(
            actor=_me(request), campaign=campaign, status=request.POST.get("status", "")
        )
        messages.success(request, _("活动状态已更新。"))
    except (ValidationError, KeyError, ValueError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [_("状态无效。")])))
    return redirect("charity:campaign", code=campaign.code)


@login_required
def donation_new(request: HttpRequest, code: str) -> HttpResponse:
    _admin(request)
    campaign = selectors.get_campaign_for_user(_me(request), code)
    form = DonationForm(request.POST or None, county=campaign.county)

    def record() -> HttpResponse:
        data = dict(form.cleaned_data)
        village = data.pop("earmark_village")
        item = services.DonationInput(earmark_village=village.code if village else "", **data)
        try:
            donation = services.record_donation(actor=_me(request), campaign=campaign, data=item)
        except services.DonationImportError as exc:
            for error in exc.row_errors:
                form.add_error(None, str(error))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("捐赠已登记，收据编号 %(r)s。") % {"r": donation.receipt_number})
            return redirect("charity:campaign", code=campaign.code)
        return render(request, "charity/donation_form.html", {"form": form, "campaign": campaign})

    if request.method == "POST" and form.is_valid():
        return submit_once(request, form, record)
    return render(request, "charity/donation_form.html", {"form": form, "campaign": campaign})


@login_required
def donation_import(request: HttpRequest, code: str) -> HttpResponse:
    _admin(request)
    campaign = selectors.get_campaign_for_user(_me(request), code)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[services.RowError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.import_donations(
                actor=_me(request),
                campaign=campaign,
                data=upload.read(),
                filename=upload.name,
            )
        except services.DonationImportError as exc:
            errors = exc.row_errors
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request,
                _("已导入 %(n)d 条捐赠，合计 %(t)s 元。") % {"n": result.count, "t": result.total},
            )
            return redirect("charity:campaign", code=campaign.code)
    return render(
        request,
        "charity/donation_import.html",
        {"form": form, "campaign": campaign, "errors": errors, "columns": services.IMPORT_COLUMNS.values()},
    )


@login_required
def donation_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    donation = selectors.get_donation_for_user(_me(request), pk)
    return render(
        request,
        "charity/receipt.html",
        {"donation": donation, "amount_words": amount_in_words(donation.amount)},
    )


@login_required
def donation_void(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    donation = selectors.get_donation_for_user(_me(request), pk)
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.void_donation(actor=_me(request), donation=donation, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("捐赠 %(r)s 已作废。") % {"r": donation.receipt_number})
            return redirect("charity:campaign", code=donation.campaign.code)
    return render(request, "charity/donation_void.html", {"form": form, "donation": donation})


@login_required
def spending_new(request: HttpRequest, code: str) -> HttpResponse:
    _admin(request)
    campaign = selectors.get_campaign_for_user(_me(request), code)
    pools = selectors.pool_rows(campaign, internal=True)
    choices = [(p["key"], f"{p['label']}（{_('余额')} {p['balance']}）") for p in pools]
    if not any(k == GENERAL for k, _label in choices):
        choices.insert(0, (GENERAL, _("非定向")))
    form = SpendingForm(request.POST or None, county=campaign.county, pools=choices)

    def request_it() -> HttpResponse:
        try:
            services.request_spending(actor=_me(request), campaign=campaign, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
            return render(request, "charity/spending_form.html", {"form": form, "campaign": campaign})
        messages.success(request, _("资金使用申请已提交，待两名其他用户审批。"))
        return redirect("charity:campaign", code=campaign.code)

    if request.method == "POST" and form.is_valid():
        return submit_once(request, form, request_it)
    return render(request, "charity/spending_form.html", {"form": form, "campaign": campaign})


@login_required
def spending_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    spending = selectors.get_spending_for_user(_me(request), pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        _admin(request)
        if form.is_valid():
            try:
                services.decide_spending(
                    actor=_me(request),
                    spending=spending,
                    approve=request.POST.get("decision") == "approve",
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("审批意见已记录。"))
                return redirect("charity:spending", pk=spending.pk)
    user = _me(request)
    # One predicate per action (charity.services.can_*), the same the services ask.
    can_approve = services.can_approve_spending(user, spending)
    can_reject = services.can_reject_spending(user, spending)
    return render(
        request,
        "charity/spending_detail.html",
        {
            "spending": spending,
            "form": form,
            "can_approve": can_approve,
            "can_reject": can_reject,
            "can_reverse": services.can_reverse_spending(user, spending),
            "reverse_form": VoidForm(),
        },
    )


@login_required
@require_POST
def spending_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    spending = selectors.get_spending_for_user(_me(request), pk)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            services.reverse_spending(
                actor=_me(request), spending=spending, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("资金使用已冲正。"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("冲正必须填写原因。"))
    return redirect("charity:spending", pk=spending.pk)


# --- public disclosure: no login, no JavaScript, cacheable ----------------------------------------
def _public(template: str, context: dict[str, Any]) -> HttpResponse:
    # Rendered without the request: no session, CSRF token or user is touched, so the response
    # does not vary on the cookie and shared caches may keep it.
    return HttpResponse(render_to_string(template, context))


def _index_modified(request: HttpRequest) -> datetime | None:
    return selectors.public_index_last_updated()


def _campaign_modified(request: HttpRequest, code: str, **kwargs: Any) -> datetime | None:
    stamp = selectors.public_campaign_stamp(code)
    request.disclosure_stamp = stamp  # type: ignore[attr-defined] # reused by the view
    return stamp.last_updated if stamp else None


@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
@condition(last_modified_func=_index_modified)
def disclosure_index(request: HttpRequest) -> HttpResponse:
    rows = selectors.campaign_summary_rows(selectors.public_campaigns())
    return _public("charity/disclosure_index.html", {"rows": rows})


def _disclosure_cache_key(stamp: selectors.PublicStamp, page: str) -> str | None:
    """Rendered disclosure pages are cached per process (bangfu.lib.stampcache), keyed by
    everything they show: the campaign's version (a donation, void, spending decision or
    reversal, or an edit of the campaign gives a new key, so a change is visible on the next
    request), the day (the deadline figures depend on it), the language and the page. Odd page
    parameters are not cached."""
    if page and not (page.isdigit() and len(page) <= 6):
        return None
    return stamp_key("charity:disclosure", stamp.pk, stamp.version, today(), get_language(), page or 1)


@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
@condition(last_modified_func=_campaign_modified)
def disclosure_detail(request: HttpRequest, code: str) -> HttpResponse:
    stamp = getattr(request, "disclosure_stamp", None) or selectors.public_campaign_stamp(code)
    if stamp is None:
        raise Http404("campaign")

    def render_page() -> str:
        campaign = selectors.get_public_campaign(code)
        data = selectors.disclosure(campaign, with_donations=False)
        page = Paginator(selectors.public_donations(campaign), PUBLIC_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render_to_string(
            "charity/disclosure_detail.html",
            {
                "d": data,
                "c": campaign,
                "page": page,
                "donations": selectors.public_donation_rows(page.object_list),
            },
        )

    key = _disclosure_cache_key(stamp, request.GET.get("page", ""))
    return HttpResponse(cached(key, render_page, PUBLIC_MAX_AGE))


DONATION_COLUMNS = [
    ("receipt_number", gettext_lazy("收据编号")),
    ("donated_on", gettext_lazy("捐赠日期")),
    ("donor", gettext_lazy("捐赠人")),
    ("donor_kind", gettext_lazy("捐赠人类型")),
    ("kind", gettext_lazy("捐赠形式")),
    ("goods", gettext_lazy("物资说明")),
    ("amount", gettext_lazy("金额（元）")),
    ("earmark", gettext_lazy("定向")),
]
SPENDING_COLUMNS = [
    ("decided_on", gettext_lazy("批准日期")),
    ("purpose", gettext_lazy("用途")),
    ("recipient_kind", gettext_lazy("使用对象")),
    ("project", gettext_lazy("项目")),
    ("township", gettext_lazy("乡（镇）")),
    ("village", gettext_lazy("受益村")),
    ("earmark", gettext_lazy("资金来源")),
    ("amount", gettext_lazy("金额（元）")),
]
GOODS_COLUMNS = [
    ("destination", gettext_lazy("物资去向")),
    ("township", gettext_lazy("乡（镇）")),
    ("description", gettext_lazy("物资")),
    ("value", gettext_lazy("折价（元）")),
    ("donations", gettext_lazy("笔数")),
    ("received_on", gettext_lazy("捐赠日期")),
]


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# A text cell starting with one of these is a formula to Excel; a leading apostrophe keeps it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv(rows: list[dict[str, Any]], columns: list[tuple[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(label) for _key, label in columns])
    for row in rows:
        writer.writerow([_csv_cell(row[key]) for key, _label in columns])
    # A BOM so that Excel opens the UTF-8 file correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
@condition(last_modified_func=_campaign_modified)
def disclosure_download(request: HttpRequest, code: str, what: str) -> HttpResponse:
    data = selectors.disclosure(selectors.get_public_campaign(code))
    if what == "donations.csv":
        return _download(
            _csv(data.donations, DONATION_COLUMNS), "text/csv; charset=utf-8", f"{code}-donations.csv"
        )
    if what == "spending.csv":
        return _download(
            _csv(data.spendings, SPENDING_COLUMNS), "text/csv; charset=utf-8", f"{code}-spending.csv"
        )
    if what == "disclosure.json":
        body = json.dumps(data.as_dict(), ensure_ascii=False, indent=1).encode("utf-8")
        return _download(body, "application/json; charset=utf-8", f"{code}.json")
    return _download(_xlsx(data), MIME, f"{code}.xlsx")


def _xlsx(data: selectors.Disclosure) -> bytes:
    book = Workbook()
    summary = book.sheet(_("汇总"), widths=[16, 40], freeze=(0, 0))
    c = data.campaign
    lines = [
        (_("活动"), c.name),
        (_("主办单位"), c.organiser.name),
        (_("募集期"), f"{c.starts_on} — {c.ends_on}"),
        (_("资金捐赠（元）"), data.money_raised),
        (_("物资折价（元）"), data.goods_value),
        (_("捐赠合计（元）"), data.total_raised),
        (_("捐赠人数"), data.donors),
        (_("已使用（元）"), data.spent),
        (_("资金余额（元）"), data.balance),
        (_("公示截止日期"), c.disclosure_deadline),
        (_("最后更新"), data.updated_on or ""),
    ]
    for row, line in enumerate(lines):
        book.row(summary, row, line)
    for title, items, columns in (
        (_("捐赠"), data.donations, DONATION_COLUMNS),
        (_("资金使用"), data.spendings, SPENDING_COLUMNS),
        (_("物资去向"), data.goods, GOODS_COLUMNS),
    ):
        sheet = book.sheet(title, [heading for _key, heading in columns], widths=16)
        for r, item in enumerate(items, start=1):
            book.row(sheet, r, [_cell(key, item[key]) for key, _label in columns])
    return book.close()


def _cell(key: str, value: Any) -> Any:
    """Amounts are money cells; every other disclosed value is text."""
    if key in ("amount", "value"):
        return Decimal(str(value))
    return "" if value is None else str(value)
