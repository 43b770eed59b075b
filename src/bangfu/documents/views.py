"""Notice pages (print page, PDF, Word) and the office settings. Thin: a scoped selector of the
app that owns the records decides what the user may open; `notices` shapes it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import STAFF_ROLES, areas_for_user, county_prefix, get_area_for_user, require_role
from bangfu.areas.models import Area, Level
from bangfu.documents import notices, selectors, services
from bangfu.documents.models import OfficeProfile
from bangfu.lib import clock
from bangfu.lib.officialdoc import OfficialDocument, PdfFontMissing, render_docx, render_html, render_pdf

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _county(user: Any) -> Area:
    prefix = county_prefix(user)
    county = (
        Area.objects.filter(level=Level.COUNTY, code__startswith=prefix).order_by("code").first()
        if prefix
        else None
    )
    if county is None:
        raise Http404("county")
    return county


def respond(
    request: HttpRequest, doc: OfficialDocument, *, profile: OfficeProfile, filename: str
) -> HttpResponse:
    """The document as the print page (default, with a way back to the list of notices),
    `?format=pdf` or `?format=docx`."""
    fmt = request.GET.get("format", "html")
    fonts = selectors.fonts_for(profile)
    if fmt == "pdf":
        try:
            content = render_pdf(doc, fonts)
        except PdfFontMissing as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
        return response
    if fmt == "docx":
        response = HttpResponse(render_docx(doc, fonts), content_type=DOCX)
        response["Content-Disposition"] = f'attachment; filename="{filename}.docx"'
        return response
    query = request.GET.copy()
    links = {}
    for kind in ("pdf", "docx"):
        query["format"] = kind
        links[f"{kind}_url"] = f"{request.path}?{query.urlencode()}"
    return HttpResponse(render_html(doc, fonts, extra={**links, "back_url": reverse("documents:index")}))


# --- the list of what the user can print ---------------------------------------------------------
class YuluNoticeForm(forms.Form):
    area = forms.ChoiceField(label=gettext_lazy("村或乡（镇）"))
    stage = forms.ChoiceField(
        label=gettext_lazy("公示内容"),
        choices=[
            ("village", gettext_lazy("村级初审通过，公示中")),
            ("county", gettext_lazy("县级审定通过，公示中")),
            ("approved", gettext_lazy("初审以来全部通过的对象")),
        ],
    )
    start = forms.DateField(
        label=gettext_lazy("公示开始日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    days = forms.IntegerField(label=gettext_lazy("公示天数"), min_value=1, max_value=60)

    def __init__(self, *args: Any, areas: list[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [  # type: ignore[attr-defined]
            (a.code, f"{a.parent.name} {a.name}" if a.level == Level.VILLAGE and a.parent else a.name)
            for a in areas
        ]


def _notice_areas(user: Any) -> list[Area]:
    return list(
        areas_for_user(user)
        .filter(level__in=(Level.TOWNSHIP, Level.VILLAGE))
        .select_related("parent")
        .order_by("code")
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require_role(user, *STAFF_ROLES)
    from bangfu.awards.selectors import rounds_for_user
    from bangfu.charity.selectors import campaigns_for_user
    from bangfu.subsidies.selectors import person_prefix, terms_for_user

    county = _county(user)
    profile = selectors.profile_for(county)
    terms = list(terms_for_user(user)) if person_prefix(user) else []
    areas = _notice_areas(user) if terms else []
    form = YuluNoticeForm(
        areas=areas, initial={"start": clock.today(), "days": profile.publicity_days, "stage": "village"}
    )
    return render(
        request,
        "documents/index.html",
        {
            "profile": profile,
            "terms": terms,
            "yulu_form": form,
            "rounds": rounds_for_user(user).filter(status__in=("publicity", "final")),
            "campaigns": campaigns_for_user(user),
            "is_admin": user.role == Role.COUNTY_ADMIN,
        },
    )


# --- notices ---------------------------------------------------------------------------------------
@login_required
def yulu_notice(request: HttpRequest, code: str) -> HttpResponse:
    from bangfu.subsidies.selectors import applications_for_user, get_term_for_user, person_prefix

    user: Any = request.user
    if person_prefix(user) is None:
        raise Http404("term")
    term = get_term_for_user(user, code)
    profile = selectors.profile_for(term.county)
    # The area asked for (out of scope: 404), else the user's own; the rest defaults as the form does.
    area = get_area_for_user(user, request.GET.get("area") or user.area.code)
    if area.level not in (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE):
        raise Http404("area")
    data = {
        "area": area.code,
        "stage": request.GET.get("stage", "approved"),
        "start": request.GET.get("start", clock.today().isoformat()),
        "days": request.GET.get("days", str(profile.publicity_days)),
    }
    form = YuluNoticeForm(data, areas=[area])
    if not form.is_valid():
        messages.error(request, _("请选择村或乡（镇）并填写公示期。"))
        return redirect("documents:index")
    period = notices.Period(start=form.cleaned_data["start"], days=form.cleaned_data["days"])
    doc = notices.yulu_notice(
        profile=profile,
        term=term,
        area=area,
        applications=applications_for_user(user),
        stage=form.cleaned_data["stage"],
        period=period,
        signed_on=period.start,
    )
    return respond(request, doc, profile=profile, filename=f"yulu-{term.code}-{area.code}")


def _round(request: HttpRequest, code: str) -> Any:
    from bangfu.awards.selectors import get_round_for_user

    return get_round_for_user(request.user, code)


@login_required
def award_publicity(request: HttpRequest, code: str) -> HttpResponse:
    from bangfu.awards.models import Nomination, NominationStatus, RoundStatus

    award_round = _round(request, code)
    if award_round.status not in (RoundStatus.PUBLICITY, RoundStatus.FINAL):
        raise Http404("round")
    # In publicity: the candidates; afterwards, those who were publicised (awarded or revoked).
    listed = (
        (NominationStatus.PUBLICISED,)
        if award_round.status == RoundStatus.PUBLICITY
        else (NominationStatus.AWARDED, NominationStatus.REVOKED)
    )
    nominations = list(
        Nomination.objects.filter(award_type__round=award_round, status__in=listed)
        .select_related("award_type", "nominating_org")
        .order_by("award_type__category", "award_type__name", "-average_score", "nominee_name")
    )
    profile = selectors.profile_for(award_round.county)
    url = request.build_absolute_uri(reverse("awards:public_round", args=[award_round.code]))
    doc = notices.award_publicity_notice(
        profile=profile,
        award_round=award_round,
        nominations=nominations,
        objection_url=url,
        signed_on=award_round.publicity_starts_on or clock.today(),
    )
    return respond(request, doc, profile=profile, filename=f"awards-{award_round.code}-publicity")


@login_required
def award_result(request: HttpRequest, code: str) -> HttpResponse:
    from bangfu.awards.models import RoundStatus
    from bangfu.awards.selectors import public_nominations

    award_round = _round(request, code)
    if award_round.status != RoundStatus.FINAL:
        raise Http404("round")
    profile = selectors.profile_for(award_round.county)
    doc = notices.award_result_notice(
        profile=profile,
        award_round=award_round,
        nominations=list(public_nominations(award_round)),
        signed_on=award_round.published_on or clock.today(),
    )
    return respond(request, doc, profile=profile, filename=f"awards-{award_round.code}-result")


@login_required
def donation_use(request: HttpRequest, code: str) -> HttpResponse:
    from bangfu.charity.models import DonationKind
    from bangfu.charity.selectors import (
        disclosure,
        get_campaign_for_user,
        public_donation_rows,
        public_donations,
    )

    campaign = get_campaign_for_user(request.user, code)
    profile = selectors.profile_for(campaign.county)
    goods = public_donation_rows(public_donations(campaign).filter(kind=DonationKind.GOODS))
    doc = notices.donation_use_notice(
        profile=profile,
        disclosure=disclosure(campaign, with_donations=False),
        goods=goods,
        signed_on=clock.today(),
    )
    return respond(request, doc, profile=profile, filename=f"charity-{campaign.code}-use")


# --- settings --------------------------------------------------------------------------------------
class ProfileForm(forms.ModelForm):
    class Meta:
        model = OfficeProfile
        fields = list(services.PROFILE_FIELDS)


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require_role(user, Role.COUNTY_ADMIN)
    county = _county(user)
    form = ProfileForm(request.POST or None, instance=selectors.profile_for(county))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_office_profile(
                actor=user, county=county, **{f: form.cleaned_data[f] for f in services.PROFILE_FIELDS}
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("设置已保存。"))
            return redirect("documents:settings")
    return render(request, "documents/settings.html", {"form": form})
