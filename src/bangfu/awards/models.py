"""Selection of outstanding collectives and individuals (先进集体 / 先进个人) around 扶贫日.

Stages (DOMAIN §5.6): nominations by units → eligibility review → panel scoring (conflicts of
interest declared and excluded) → publicity period (公示, N days) with public objections → final
list published.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RoundStatus(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    NOMINATING = "nominating", _("推荐中")
    REVIEWING = "reviewing", _("资格审核")
    SCORING = "scoring", _("评审打分")
    PUBLICITY = "publicity", _("公示中")
    FINAL = "final", _("已公布")


ROUND_TRANSITIONS: dict[str, tuple[str, ...]] = {
    RoundStatus.PLANNED: (RoundStatus.NOMINATING,),
    RoundStatus.NOMINATING: (RoundStatus.REVIEWING,),
    RoundStatus.REVIEWING: (RoundStatus.SCORING,),
    RoundStatus.SCORING: (RoundStatus.PUBLICITY,),
    RoundStatus.PUBLICITY: (RoundStatus.FINAL,),
    RoundStatus.FINAL: (),
}
PUBLIC_STATUSES = (RoundStatus.PUBLICITY, RoundStatus.FINAL)


class AwardRound(models.Model):
    """One year's selection in one county."""

    county = models.ForeignKey(
        "areas.Area", verbose_name=_("所属县"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.SlugField(_("编号"), max_length=40, unique=True)  # public URL, e.g. "513325-2020"
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=120)
    nomination_deadline = models.DateField(_("推荐截止日期"))
    publicity_days = models.PositiveSmallIntegerField(_("公示天数"), default=7)
    publicity_starts_on = models.DateField(_("公示开始日期"), null=True, blank=True)
    published_on = models.DateField(_("公布日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.PLANNED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "code"]
        verbose_name = _("评选")
        verbose_name_plural = _("评选")
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="awards_round_one_per_year"),
            models.CheckConstraint(
                condition=models.Q(publicity_days__gte=1), name="awards_round_publicity_days"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def publicity_ends_on(self) -> date | None:
        """The last day of the publicity period (inclusive)."""
        if self.publicity_starts_on is None:
            return None
        return self.publicity_starts_on + timedelta(days=self.publicity_days - 1)


class Category(models.TextChoices):
    COLLECTIVE = "collective", _("先进集体")
    INDIVIDUAL = "individual", _("先进个人")


class AwardType(models.Model):
    round = models.ForeignKey(AwardRound, on_delete=models.PROTECT, related_name="award_types")
    name = models.CharField(_("奖项名称"), max_length=80)
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    quota = models.PositiveSmallIntegerField(_("名额"))

    class Meta:
        ordering = ["round", "category", "name"]
        verbose_name = _("奖项")
        verbose_name_plural = _("奖项")
        constraints = [
            models.UniqueConstraint(fields=["round", "name"], name="awards_type_unique_name"),
            models.CheckConstraint(condition=models.Q(quota__gte=1), name="awards_type_quota_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class NominationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已推荐")
    ELIGIBLE = "eligible", _("资格审核通过")
    INELIGIBLE = "ineligible", _("资格审核未通过")
    PUBLICISED = "publicised", _("公示中")
    NOT_SELECTED = "not_selected", _("未入选")
    AWARDED = "awarded", _("获奖")
    REVOKED = "revoked", _("公示后取消")


class Nomination(models.Model):
    award_type = models.ForeignKey(
        AwardType, verbose_name=_("奖项"), on_delete=models.PROTECT, related_name="nominations"
    )
    county = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    nominating_org = models.ForeignKey(
        "partners.Organisation", verbose_name=_("推荐单位"), on_delete=models.PROTECT, related_name="+"
    )
    nominee_name = models.CharField(_("推荐对象"), max_length=120)
    nominee_unit = models.CharField(_("工作单位"), max_length=120, blank=True)
    achievements = models.TextField(_("主要事迹"))
    attachment = models.FileField(_("附件"), upload_to="awards/%Y/", blank=True)
    status = models.CharField(
        _("状态"), max_length=14, choices=NominationStatus.choices, default=NominationStatus.SUBMITTED
    )
    review_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    average_score = models.DecimalField(_("平均分"), max_digits=5, decimal_places=2, null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["award_type", "-average_score", "nominee_name"]
        verbose_name = _("推荐")
        verbose_name_plural = _("推荐")
        constraints = [
            models.UniqueConstraint(
                fields=["award_type", "nominee_name"], name="awards_nomination_once_per_type"
            ),
        ]
        indexes = [
            # The round's review and scoring lists filter by type and status.
            models.Index(fields=["award_type", "status"], name="awards_nomination_status_idx"),
        ]

    def __str__(self) -> str:
        return self.nominee_name


class PanelMember(models.Model):
    round = models.ForeignKey(AwardRound, on_delete=models.PROTECT, related_name="panel")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="awards_panel_once")]

    def __str__(self) -> str:
        return str(self.user)


class ConflictDeclaration(models.Model):
    """A reviewer's declared conflict of interest: that reviewer does not score that nomination."""

    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="conflicts")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("回避理由"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["nomination", "reviewer"], name="awards_conflict_once")
        ]

    def __str__(self) -> str:
        return self.reason


class Score(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="scores")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("分数"), max_digits=5, decimal_places=2)
    comment = models.CharField(_("评语"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["nomination", "reviewer"], name="awards_score_once_per_reviewer"),
            models.CheckConstraint(
                condition=models.Q(score__gte=0) & models.Q(score__lte=100), name="awards_score_range"
            ),
        ]

    def __str__(self) -> str:
        return str(self.score)


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")


class Objection(models.Model):
    """A public objection during the publicity period. The contact is never shown publicly."""

    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="objections")
    text = models.TextField(_("异议内容"))
    contact = models.CharField(_("联系方式"), max_length=120, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    answer = models.TextField(_("答复"), blank=True)
    upheld = models.BooleanField(_("异议成立"), default=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        indexes = [
            # "Are all objections of this round answered?" before the final list.
            models.Index(fields=["nomination", "status"], name="awards_objection_status_idx"),
        ]

    def __str__(self) -> str:
        return self.text[:40]
