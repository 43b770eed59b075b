"""The office that issues documents (版头, 发文字号, 版记, the contact a notice names) and the
register of the numbers bangfu gave out. Documents themselves are not stored: they are rendered
from the records each time (bangfu.lib.officialdoc)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Numbering(models.TextChoices):
    DOCUMENT = "document", _("发文字号（如 格脱贫办〔2020〕12号）")
    ISSUE = "issue", _("期号（情况通报，如 第6期）")


class OfficeProfile(models.Model):
    """Per county; pages read `selectors.profile_for(county)`, which gives defaults until saved."""

    county = models.OneToOneField(
        "areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+"
    )
    office_name = models.CharField(_("发文机关"), max_length=60)
    mark = models.CharField(_("发文机关标志"), max_length=40, help_text=_("版头上的红色机关名称"))
    prefix = models.CharField(_("机关代字"), max_length=20, help_text=_("发文字号的代字，如“格脱贫办”"))
    numbering = models.CharField(
        _("编号方式"), max_length=10, choices=Numbering.choices, default=Numbering.DOCUMENT
    )
    series_title = models.CharField(
        _("情况通报名称"), max_length=40, blank=True, help_text=_("按期号编号时版头的名称")
    )
    recipients = models.CharField(_("主送机关"), max_length=200)
    copy_to = models.CharField(_("抄送"), max_length=300, blank=True)
    printer = models.CharField(_("印发机关"), max_length=60, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True, help_text=_("公示中受理异议的电话"))
    address = models.CharField(_("通讯地址"), max_length=200, blank=True, help_text=_("公示中受理异议的地址"))
    publicity_days = models.PositiveSmallIntegerField(_("公示天数"), default=7)
    font_title = models.CharField(_("标题字体"), max_length=120, blank=True)
    font_body = models.CharField(_("正文字体"), max_length=120, blank=True)
    font_heading1 = models.CharField(_("一级标题字体"), max_length=120, blank=True)
    font_heading2 = models.CharField(_("二级标题字体"), max_length=120, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("发文机关设置")
        verbose_name_plural = _("发文机关设置")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(publicity_days__gte=1) & models.Q(publicity_days__lte=60),
                name="documents_profile_publicity_days",
            ),
        ]

    def __str__(self) -> str:
        return self.office_name


class DocumentNumber(models.Model):
    """One number given out: per county, 代字 (or series) and year, 1, 2, 3 … without gaps.
    A subject (e.g. "workplan.bulletin:2020-06") keeps its number however often it is printed."""

    county = models.ForeignKey("areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    prefix = models.CharField(_("代字或名称"), max_length=40)
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveIntegerField(_("序号"))
    numbering = models.CharField(_("编号方式"), max_length=10, choices=Numbering.choices)
    subject = models.CharField(_("文件"), max_length=80)
    title = models.CharField(_("标题"), max_length=200)
    issued_on = models.DateField(_("成文日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["county", "-year", "-number"]
        verbose_name = _("发文编号")
        verbose_name_plural = _("发文编号")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "prefix", "year", "number"], name="documents_number_unique"
            ),
            models.UniqueConstraint(fields=["county", "subject"], name="documents_subject_numbered_once"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="documents_number_positive"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.numbering == Numbering.ISSUE:
            return f"{self.year}年第{self.number}期"
        return f"{self.prefix}〔{self.year}〕{self.number}号"
