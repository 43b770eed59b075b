from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_POST

from bangfu.accounts.models import Role, User
from bangfu.accounts.scopes import STAFF_ROLES, require_role
from bangfu.awards import selectors, services
from bangfu.awards.forms import (
    AnswerForm,
    AwardTypeForm,
    ConflictForm,
    NominationForm,
    ObjectionForm,
    PanelForm,
    ReviewForm,
    RoundForm,
    ScoreForm,
)
from bangfu.awards.models import (
    ROUND_TRANSITIONS,
    AwardRound,
    Objection,
    PanelMember,
    RoundStatus,
    Score,
)

PUBLIC_MAX_AGE = 300


def _me(request: HttpRequest) -> User:
    """The logged-in user (views are behind login_required)."""
    return cast(User, request.user)


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    require_role(_me(request), *STAFF_ROLES)
    return render(request, "awards/round_list.html", {"rounds": selectors.rounds_for_user(_me(request))})


@login_required
def round_detail(request: HttpRequest, code: str) -> HttpResponse:
    require_role(_me(request), *STAFF_ROLES)
    award_round = selectors.get_round_for_user(_me(request), code)
    nominations = selectors.nominations_for_user(_me(request)).filter(award_type__round=award_round)
    user = _me(request)
    return render(
        request,
        "awards/round_detail.html",
        {
            "round": award_round,
            "types": award_round.award_types.all(),
            "nominations": nominations.order_by("award_type__name", "-average_score", "nominee_name"),
            "panel": PanelMember.objects.filter(round=award_round).select_related("user"),
            "is_admin": user.role == Role.COUNTY_ADMIN,
            "can_nominate": services.can_nominate(user, award_round),
            "next_statuses": [RoundStatus(s) for s in ROUND_TRANSITIONS[award_round.status]],
        },
    )


@login_required
@require_POST
def round_status(request: HttpRequest, code: str) -> HttpResponse:
    require_role(_me(request), Role.COUNTY_ADMIN)
    award_round = selectors.get_round_for_user(_me(request), code)
    try:
        services.advance_round(
            actor=_me(request), award_round=award_round, status=request.POST.get("status", "")
        )
        messages.success(request, _("评选阶段已更新。"))
    except (ValidationError, KeyError, ValueError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [_("状态无效。")])))
    return redirect("awards:round", code=award_round.code)


@login_required
def nominate(request: HttpRequest, code: str) -> HttpResponse:
    require_role(_me(request), Role.UNIT_REPORTER, Role.COUNTY_ADMIN)
    award_round = selectors.get_round_for_user(_me(request), code)
    form = NominationForm(
        request.POST or None, request.FILES or None, award_types=award_round.award_types.all()
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.nominate(
                actor=_me(request),
                award_type=data["award_type"],
                nominee_name=data["nominee_name"],
                nominee_unit=data["nominee_unit"],
                achievements=data["achievements"],
                attachment=data["attachment"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied:
            form.add_error(None, _("您没有推荐权限（需所属单位）。"))
        else:
            messages.success(request, _("推荐已提交。"))
            return redirect("awards:round", code=award_round.code)
    return render(request, "awards/nominate.html", {"form": form, "round": award_round})


@login_required
def nomination_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(_me(request), *STAFF_ROLES)
    nomination = selectors.get_nomination_for_user(_me(request), pk)
    award_round = nomination.award_type.round
    user = _me(request)
    is_admin = user.role == Role.COUNTY_ADMIN
    review_form = ReviewForm(request.POST if request.POST.get("form") == "review" else None)
    score_form = ScoreForm(request.POST if request.POST.get("form") == "score" else None)
    conflict_form = ConflictForm(request.POST if request.POST.get("form") == "conflict" else None)
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            if which == "review" and review_form.is_valid():
                services.review_eligibility(
                    actor=user,
                    nomination=nomination,
                    eligible=review_form.cleaned_data["eligible"],
                    note=review_form.cleaned_data["note"],
                )
            elif which == "score" and score_form.is_valid():
                services.score_nomination(
                    actor=user,
                    nomination=nomination,
                    score=score_form.cleaned_data["score"],
                    comment=score_form.cleaned_data["comment"],
                )
            elif which == "conflict" and conflict_form.is_valid():
                services.declare_conflict(
                    actor=user, nomination=nomination, reason=conflict_form.cleaned_data["reason"]
                )
            else:
                raise ValidationError(_("请检查填写内容。"))
        except ValidationError as exc:
            target = {"review": review_form, "score": score_form, "conflict": conflict_form}.get(which or "")
            if target is None:  # no (known) `form` field: no form to attach the message to
                messages.error(request, " ".join(exc.messages))
            else:
                _add_errors(target, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("awards:nomination", pk=nomination.pk)
    scores = (
        Score.objects.filter(nomination=nomination).select_related("reviewer")
        if is_admin
        else Score.objects.none()
    )
    mine = Score.objects.filter(nomination=nomination, reviewer=user).first()
    conflicted = nomination.conflicts.filter(reviewer=user).exists()
    objections = list(nomination.objections.all()) if is_admin or user.role == Role.INSPECTOR else []
    for objection in objections:  # the answer form only where answering would succeed
        objection.answerable = services.can_answer_objection(user, objection)  # type: ignore[attr-defined]
    return render(
        request,
        "awards/nomination_detail.html",
        {
            "n": nomination,
            "round": award_round,
            "is_admin": is_admin,
            # One predicate per action (awards.services.can_*), the same the services ask.
            "show_review": services.can_review_eligibility(user, nomination),
            "show_score": services.can_score_nomination(user, nomination),
            "show_conflict": services.can_declare_conflict(user, nomination),
            "mine": mine,
            "conflicted": conflicted,
            "scores": scores,
            "conflicts": nomination.conflicts.select_related("reviewer") if is_admin else [],
            "objections": objections,
            "review_form": review_form,
            "score_form": score_form,
            "conflict_form": conflict_form,
            "answer_form": AnswerForm(),
        },
    )


@login_required
def nomination_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """The nomination's attachment, for those who may see the nomination; never public."""
    require_role(_me(request), *STAFF_ROLES)
    nomination = selectors.get_nomination_for_user(_me(request), pk)
    if not nomination.attachment:
        raise Http404("attachment")
    name = (nomination.attachment.name or "").rsplit("/", 1)[-1]
    return FileResponse(nomination.attachment.open("rb"), as_attachment=True, filename=name)


@login_required
@require_POST
def objection_answer(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(_me(request), Role.COUNTY_ADMIN)
    objection = selectors.get_objection_for_user(_me(request), pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.answer_objection(
                actor=_me(request),
                objection=objection,
                answer=form.cleaned_data["answer"],
                upheld=form.cleaned_data["upheld"],
            )
            messages.success(request, _("异议已答复。"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("答复不能为空。"))
    return redirect("awards:nomination", pk=objection.nomination_id)


# --- public: no login, no JavaScript ---------------------------------------------------------------
def _public_modified(request: HttpRequest, **kwargs: Any) -> datetime | None:
    stamps = [
        AwardRound.objects.aggregate(m=Max("updated_at"))["m"],
        Objection.objects.aggregate(m=Max("answered_at"))["m"],
    ]
    present = [s for s in stamps if s is not None]
    return max(present) if present else None


@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
@condition(last_modified_func=_public_modified)
def public_index(request: HttpRequest) -> HttpResponse:
    return HttpResponse(render_to_string("awards/public_index.html", {"rounds": selectors.public_rounds()}))


@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
@condition(last_modified_func=_public_modified)
def public_round(request: HttpRequest, code: str) -> HttpResponse:
    award_round = selectors.get_public_round(code)
    return HttpResponse(
        render_to_string(
            "awards/public_round.html",
            {
                "round": award_round,
                "nominations": selectors.public_nominations(award_round),
                "answers": selectors.public_answers(award_round),
                "in_publicity": award_round.status == RoundStatus.PUBLICITY,
            },
        )
    )


def public_objection(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The public objection form: a plain POST form (CSRF-protected), no JavaScript."""
    award_round = selectors.get_public_round(code)
    nomination = selectors.get_public_candidate(award_round, pk)
    form = ObjectionForm(request.POST or None)
    done = False
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_objection(
                nomination=nomination, text=form.cleaned_data["text"], contact=form.cleaned_data["contact"]
            )
            done = True
        except ValidationError as exc:
            _add_errors(form, exc)
    return render(
        request,
        "awards/public_objection.html",
        {
            "round": award_round,
            "n": nomination,
            "form": form,
            "done": done,
            "open": award_round.status == RoundStatus.PUBLICITY,
        },
    )


# --- setting a round up (county admins) -----------------------------------------------------------
@login_required
def round_new(request: HttpRequest) -> HttpResponse:
    require_role(_me(request), Role.COUNTY_ADMIN)
    county = _me(request).area
    if county is None or county.level != "county":
        raise PermissionDenied
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            award_round = services.create_round(actor=_me(request), county=county, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("评选已创建。"))
            return redirect("awards:round", code=award_round.code)
    return render(request, "awards/simple_form.html", {"form": form, "heading": _("新建评选")})


@login_required
def award_type_new(request: HttpRequest, code: str) -> HttpResponse:
    require_role(_me(request), Role.COUNTY_ADMIN)
    award_round = selectors.get_round_for_user(_me(request), code)
    form = AwardTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_award_type(actor=_me(request), award_round=award_round, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("奖项已添加。"))
            return redirect("awards:round", code=award_round.code)
    return render(
        request, "awards/simple_form.html", {"form": form, "heading": _("添加奖项"), "round": award_round}
    )


@login_required
def panel_add(request: HttpRequest, code: str) -> HttpResponse:
    require_role(_me(request), Role.COUNTY_ADMIN)
    award_round = selectors.get_round_for_user(_me(request), code)
    users = User.objects.filter(
        area__code__startswith=award_round.county.prefix, is_active=True, role__in=STAFF_ROLES
    ).order_by("username")
    form = PanelForm(request.POST or None, users=users)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_panel_member(
                actor=_me(request), award_round=award_round, user=form.cleaned_data["user"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("评审专家已添加。"))
            return redirect("awards:round", code=award_round.code)
    return render(
        request, "awards/simple_form.html", {"form": form, "heading": _("添加评审专家"), "round": award_round}
    )
