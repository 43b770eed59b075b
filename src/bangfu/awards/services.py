"""Every write of the awards app. Keyword-only, atomic, audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Avg, F
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role, User
from bangfu.accounts.scopes import require_actor_in
from bangfu.areas.models import Area, Level, county_code_of
from bangfu.audit.services import record_audit
from bangfu.awards.models import (
    PUBLIC_STATUSES,
    ROUND_TRANSITIONS,
    AwardRound,
    AwardType,
    Category,
    ConflictDeclaration,
    Nomination,
    NominationStatus,
    Objection,
    ObjectionStatus,
    PanelMember,
    RoundStatus,
    Score,
)
from bangfu.lib import clock
from bangfu.lib.clock import today
from bangfu.lib.money import CENT

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx")


def _in_county(actor: User, county: Area) -> bool:
    return actor.area is not None and county.code.startswith(county_code_of(actor.area.prefix))


def _require_admin(actor: User, county: Area) -> None:
    if actor is None:
        raise PermissionDenied
    require_actor_in(actor, county, Role.COUNTY_ADMIN)


def _audit(actor: User | None, action: str, target: object, county: Area, **after: object) -> None:
    record_audit(actor=actor, action=action, target=target, after=after or None, county=county)  # type: ignore[arg-type]


@transaction.atomic
def create_round(
    *,
    actor: User | None,
    county: Area,
    year: int,
    title: str,
    nomination_deadline: date,
    publicity_days: int = 7,
    code: str = "",
) -> AwardRound:
    if actor is not None:
        _require_admin(actor, county)
    if county.level != Level.COUNTY:
        raise ValidationError({"county": _("所属县必须是县级区划。")})
    if publicity_days < 1:
        raise ValidationError({"publicity_days": _("公示天数至少为1天。")})
    if AwardRound.objects.filter(county=county, year=year).exists():
        raise ValidationError({"year": _("该年度的评选已存在。")})
    award_round = AwardRound(
        county=county,
        code=code or f"{county.county_code}-{year}",
        year=year,
        title=title,
        nomination_deadline=nomination_deadline,
        publicity_days=publicity_days,
    )
    award_round.full_clean()
    award_round.save()
    _audit(actor, "awards.round.create", award_round, county, year=year)
    return award_round


@transaction.atomic
def add_award_type(
    *, actor: User | None, award_round: AwardRound, name: str, category: str, quota: int
) -> AwardType:
    if actor is not None:
        _require_admin(actor, award_round.county)
    if award_round.status not in (RoundStatus.PLANNED, RoundStatus.NOMINATING):
        raise ValidationError({"round": _("推荐开始后不能再增加奖项。")})
    if category not in Category.values:
        raise ValidationError({"category": _("类别无效。")})
    award_type = AwardType(round=award_round, name=name.strip(), category=category, quota=quota)
    award_type.full_clean()
    award_type.save()
    _audit(actor, "awards.type.create", award_type, award_round.county, name=name, quota=quota)
    return award_type


@transaction.atomic
def add_panel_member(*, actor: User | None, award_round: AwardRound, user: User) -> PanelMember:
    if actor is not None:
        _require_admin(actor, award_round.county)
    if not user.is_active or not _in_county(user, award_round.county):
        raise ValidationError({"user": _("评审专家必须是本县的在用账号。")})
    member, _created = PanelMember.objects.get_or_create(round=award_round, user=user)
    _audit(actor, "awards.panel.add", award_round, award_round.county, user=user.username)
    return member


def _select_for_publicity(award_round: AwardRound) -> None:
    """Per award type: the `quota` best eligible nominations by average score enter publicity."""
    for award_type in award_round.award_types.all():
        ranked = list(
            Nomination.objects.filter(award_type=award_type, status=NominationStatus.ELIGIBLE)
            .annotate(avg=Avg("scores__score"))
            .order_by(F("avg").desc(nulls_last=True), "nominee_name")
        )
        for position, nomination in enumerate(ranked):
            nomination.average_score = (
                Decimal(nomination.avg).quantize(CENT) if nomination.avg is not None else None  # type: ignore[attr-defined]
            )
            chosen = position < award_type.quota and nomination.average_score is not None
            nomination.status = NominationStatus.PUBLICISED if chosen else NominationStatus.NOT_SELECTED
        Nomination.objects.bulk_update(ranked, ["average_score", "status"])


@transaction.atomic
def advance_round(*, actor: User | None, award_round: AwardRound, status: str) -> AwardRound:
    """Move the round to its next stage; entering publicity selects the candidates, entering the
    final stage needs the publicity period over and every objection answered."""
    if actor is not None:
        _require_admin(actor, award_round.county)
    award_round = AwardRound.objects.select_for_update().get(pk=award_round.pk)
    if status not in ROUND_TRANSITIONS[award_round.status]:
        raise ValidationError(
            {
                "status": _("评选不能从“%(a)s”进入“%(b)s”。")
                % {"a": RoundStatus(award_round.status).label, "b": RoundStatus(status).label}
            }
        )
    nominations = Nomination.objects.filter(award_type__round=award_round)
    if status == RoundStatus.SCORING and nominations.filter(status=NominationStatus.SUBMITTED).exists():
        raise ValidationError({"status": _("还有推荐未完成资格审核。")})
    if status == RoundStatus.PUBLICITY:
        _select_for_publicity(award_round)
        award_round.publicity_starts_on = today()
    if status == RoundStatus.FINAL:
        ends = award_round.publicity_ends_on
        if ends is None or today() <= ends:
            raise ValidationError({"status": _("公示期（至 %(d)s）尚未结束。") % {"d": ends}})
        if Objection.objects.filter(
            nomination__award_type__round=award_round, status=ObjectionStatus.OPEN
        ).exists():
            raise ValidationError({"status": _("还有异议未答复。")})
        publicised = nominations.filter(status=NominationStatus.PUBLICISED)
        publicised.filter(objections__upheld=True).update(status=NominationStatus.REVOKED)
        publicised.filter(status=NominationStatus.PUBLICISED).update(status=NominationStatus.AWARDED)
        award_round.published_on = today()
    before = award_round.status
    award_round.status = status
    award_round.save()
    record_audit(
        actor=actor,
        action="awards.round.status",
        target=award_round,
        before={"status": before},
        after={"status": status},
        county=award_round.county,
    )
    return award_round


@transaction.atomic
def nominate(
    *,
    actor: User,
    award_type: AwardType,
    nominee_name: str,
    nominee_unit: str,
    achievements: str,
    attachment: UploadedFile | None = None,
) -> Nomination:
    """A unit nominates (unit reporters for their own organisation; county admins for the county
    office). Only while the round takes nominations, up to the deadline."""
    award_round = AwardRound.objects.select_related("county").get(pk=award_type.round_id)
    check_nominate(actor, award_round)
    errors: dict[str, str] = {}
    if not nominee_name.strip():
        errors["nominee_name"] = _("推荐对象不能为空。")
    if not achievements.strip():
        errors["achievements"] = _("主要事迹不能为空。")
    if Nomination.objects.filter(award_type=award_type, nominee_name=nominee_name.strip()).exists():
        errors["nominee_name"] = _("该对象已被推荐参评此奖项。")
    if attachment is not None:
        if attachment.size and attachment.size > MAX_ATTACHMENT_BYTES:
            errors["attachment"] = _("附件不能超过10MB。")
        elif not (attachment.name or "").lower().endswith(ATTACHMENT_SUFFIXES):
            errors["attachment"] = _("附件只能是 PDF、图片或 Word 文件。")
    if errors:
        raise ValidationError(errors)
    nomination = Nomination(
        award_type=award_type,
        county=award_round.county,
        nominating_org=actor.organisation,
        nominee_name=nominee_name.strip(),
        nominee_unit=nominee_unit.strip(),
        achievements=achievements.strip(),
        submitted_by=actor,
    )
    if attachment is not None:
        nomination.attachment = attachment  # type: ignore[assignment]
    nomination.save()
    _audit(actor, "awards.nomination.create", nomination, award_round.county, type=award_type.name)
    return nomination


# --- one predicate per nomination action (issue #17) -----------------------------------------------
# `check_<action>` raises the refusal and is called by the service; `can_<action>` asks it for the
# nomination page, so a form's button is shown exactly when submitting it would succeed. They judge
# who may act in the round's and the nomination's current state, not what is typed (a score, a note).
def _round_of(nomination: Nomination) -> AwardRound:
    return AwardRound.objects.select_related("county").get(pk=nomination.award_type.round_id)


def check_nominate(actor: User, award_round: AwardRound) -> None:
    """Unit reporters for their own organisation, county admins for the county office; only while
    the round takes nominations, up to the deadline."""
    if actor.role not in (Role.UNIT_REPORTER, Role.COUNTY_ADMIN) or actor.organisation is None:
        raise PermissionDenied
    if not actor.is_active or not _in_county(actor, award_round.county):
        raise PermissionDenied
    if award_round.status != RoundStatus.NOMINATING:
        raise ValidationError({"award_type": _("该评选当前不接受推荐。")})
    if today() > award_round.nomination_deadline:
        raise ValidationError(
            {"award_type": _("推荐已于 %(d)s 截止。") % {"d": award_round.nomination_deadline}}
        )


def can_nominate(actor: User, award_round: AwardRound) -> bool:
    return _allowed(check_nominate, actor, award_round)


def check_review_eligibility(actor: User, nomination: Nomination) -> None:
    award_round = _round_of(nomination)
    _require_admin(actor, award_round.county)
    if award_round.status != RoundStatus.REVIEWING:
        raise ValidationError({"status": _("当前不是资格审核阶段。")})


def _require_scoring(actor: User, nomination: Nomination) -> None:
    """A panel member facing an eligible nomination in the scoring stage, neither declared
    conflicted nor already scored."""
    award_round = _round_of(nomination)
    _require_panel(actor, award_round)
    if award_round.status != RoundStatus.SCORING:
        raise ValidationError({"score": _("当前不是评审打分阶段。")})
    if nomination.status != NominationStatus.ELIGIBLE:
        raise ValidationError({"score": _("只能为资格审核通过的对象打分。")})
    if ConflictDeclaration.objects.filter(nomination=nomination, reviewer=actor).exists():
        raise ValidationError({"score": _("您已申明回避，不能为该对象打分。")})
    if Score.objects.filter(nomination=nomination, reviewer=actor).exists():
        raise ValidationError({"score": _("每位评审专家对每个对象只能打分一次。")})


def check_score_nomination(actor: User, nomination: Nomination) -> None:
    _require_scoring(actor, nomination)
    if nomination.submitted_by_id == actor.pk or (
        actor.organisation_id is not None and actor.organisation_id == nomination.nominating_org_id
    ):
        raise ValidationError({"score": _("推荐单位的人员不能为本单位推荐的对象打分（利益冲突）。")})


def check_declare_conflict(actor: User, nomination: Nomination) -> None:
    """Declaring a conflict matters while this reviewer could still score the nomination."""
    try:
        _require_scoring(actor, nomination)
    except ValidationError as exc:
        raise ValidationError({"reason": exc.messages}) from exc


def check_answer_objection(actor: User, objection: Objection) -> None:
    _require_admin(actor, _round_of(objection.nomination).county)
    if objection.status != ObjectionStatus.OPEN:
        raise ValidationError({"answer": _("该异议已答复。")})


def _allowed(check: Callable[..., None], *args: object) -> bool:
    try:
        check(*args)
    except (PermissionDenied, ValidationError):
        return False
    return True


def can_review_eligibility(actor: User, nomination: Nomination) -> bool:
    return _allowed(check_review_eligibility, actor, nomination)


def can_score_nomination(actor: User, nomination: Nomination) -> bool:
    return _allowed(check_score_nomination, actor, nomination)


def can_declare_conflict(actor: User, nomination: Nomination) -> bool:
    return _allowed(check_declare_conflict, actor, nomination)


def can_answer_objection(actor: User, objection: Objection) -> bool:
    return _allowed(check_answer_objection, actor, objection)


@transaction.atomic
def review_eligibility(*, actor: User, nomination: Nomination, eligible: bool, note: str = "") -> Nomination:
    nomination = Nomination.objects.select_for_update().select_related("award_type").get(pk=nomination.pk)
    award_round = AwardRound.objects.select_related("county").get(pk=nomination.award_type.round_id)
    _require_admin(actor, award_round.county)
    check_review_eligibility(actor, nomination)
    if not eligible and not note.strip():
        raise ValidationError({"review_note": _("审核不通过时必须说明理由。")})
    nomination.status = NominationStatus.ELIGIBLE if eligible else NominationStatus.INELIGIBLE
    nomination.review_note = note.strip()[:200]
    nomination.save(update_fields=["status", "review_note"])
    _audit(actor, "awards.nomination.review", nomination, award_round.county, status=nomination.status)
    return nomination


def _require_panel(actor: User, award_round: AwardRound) -> None:
    if not PanelMember.objects.filter(round=award_round, user=actor).exists():
        raise PermissionDenied


@transaction.atomic
def declare_conflict(*, actor: User, nomination: Nomination, reason: str) -> ConflictDeclaration:
    nomination = Nomination.objects.select_for_update().select_related("award_type").get(pk=nomination.pk)
    award_round = AwardRound.objects.select_related("county").get(pk=nomination.award_type.round_id)
    _require_panel(actor, award_round)
    if Score.objects.filter(nomination=nomination, reviewer=actor).exists():
        raise ValidationError({"reason": _("您已为该对象打分，请联系管理员处理。")})
    check_declare_conflict(actor, nomination)
    if not reason.strip():
        raise ValidationError({"reason": _("请说明回避理由。")})
    declaration, _created = ConflictDeclaration.objects.get_or_create(
        nomination=nomination, reviewer=actor, defaults={"reason": reason.strip()[:200]}
    )
    _audit(actor, "awards.conflict.declare", nomination, award_round.county, reason=reason.strip()[:200])
    return declaration


@transaction.atomic
def score_nomination(*, actor: User, nomination: Nomination, score: Decimal, comment: str = "") -> Score:
    nomination = Nomination.objects.select_for_update().select_related("award_type").get(pk=nomination.pk)
    award_round = AwardRound.objects.select_related("county").get(pk=nomination.award_type.round_id)
    _require_panel(actor, award_round)
    check_score_nomination(actor, nomination)
    errors: dict[str, str] = {}
    if score is None or score < 0 or score > 100:
        errors["score"] = _("分数必须在0到100之间。")
    if errors:
        raise ValidationError(errors)
    row = Score.objects.create(
        nomination=nomination, reviewer=actor, score=score, comment=comment.strip()[:200]
    )
    _audit(actor, "awards.score", nomination, award_round.county, score=str(score))
    return row


@transaction.atomic
def submit_objection(*, nomination: Nomination, text: str, contact: str = "") -> Objection:
    """The public objection form (no login). Only against a candidate in publicity, in the period."""
    nomination = Nomination.objects.select_for_update().select_related("award_type").get(pk=nomination.pk)
    award_round = AwardRound.objects.select_related("county").get(pk=nomination.award_type.round_id)
    errors: dict[str, str] = {}
    ends = award_round.publicity_ends_on
    if (
        award_round.status != RoundStatus.PUBLICITY
        or nomination.status != NominationStatus.PUBLICISED
        or ends is None
        or today() > ends
    ):
        errors["nomination"] = _("该对象当前不在公示期内。")
    if len(text.strip()) < 10:
        errors["text"] = _("请具体说明异议（至少10个字）。")
    if len(text) > 2000:
        errors["text"] = _("异议内容不能超过2000字。")
    if errors:
        raise ValidationError(errors)
    objection = Objection.objects.create(
        nomination=nomination, text=text.strip(), contact=contact.strip()[:120]
    )
    # The audit row never holds the objector's contact.
    _audit(None, "awards.objection.submit", objection, award_round.county, nomination=nomination.pk)
    return objection


@transaction.atomic
def answer_objection(*, actor: User, objection: Objection, answer: str, upheld: bool) -> Objection:
    objection = (
        Objection.objects.select_for_update().select_related("nomination__award_type").get(pk=objection.pk)
    )
    award_round = AwardRound.objects.select_related("county").get(pk=objection.nomination.award_type.round_id)
    _require_admin(actor, award_round.county)
    check_answer_objection(actor, objection)
    if not answer.strip():
        raise ValidationError({"answer": _("答复不能为空。")})
    objection.answer = answer.strip()
    objection.upheld = upheld
    objection.status = ObjectionStatus.ANSWERED
    objection.answered_by = actor
    objection.answered_at = clock.now()
    objection.save(update_fields=["answer", "upheld", "status", "answered_by", "answered_at"])
    _audit(actor, "awards.objection.answer", objection, award_round.county, upheld=upheld)
    return objection


def is_public(award_round: AwardRound) -> bool:
    return award_round.status in PUBLIC_STATUSES
