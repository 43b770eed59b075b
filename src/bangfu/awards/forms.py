from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.models import User
from bangfu.awards.models import AwardType, Category


class NominationForm(forms.Form):
    award_type = forms.ModelChoiceField(label=_("奖项"), queryset=AwardType.objects.none())
    nominee_name = forms.CharField(label=_("推荐对象"), max_length=120, help_text=_("集体名称或个人姓名"))
    nominee_unit = forms.CharField(label=_("工作单位"), max_length=120, required=False)
    achievements = forms.CharField(label=_("主要事迹"), widget=forms.Textarea(attrs={"rows": 6}))
    attachment = forms.FileField(label=_("附件"), required=False)

    def __init__(self, *args, award_types, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["award_type"].queryset = award_types  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    eligible = forms.TypedChoiceField(
        label=_("资格审核"), choices=[("1", _("通过")), ("0", _("不通过"))], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("审核意见"), max_length=200, required=False)


class ScoreForm(forms.Form):
    score = forms.DecimalField(label=_("分数"), min_value=0, max_value=100, decimal_places=2, max_digits=5)
    comment = forms.CharField(label=_("评语"), max_length=200, required=False)


class ConflictForm(forms.Form):
    reason = forms.CharField(label=_("回避理由"), max_length=200)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 3}))
    upheld = forms.BooleanField(label=_("异议成立（取消该对象）"), required=False)


class ObjectionForm(forms.Form):
    text = forms.CharField(label=_("异议内容"), widget=forms.Textarea(attrs={"rows": 6}), max_length=2000)
    contact = forms.CharField(label=_("联系方式（选填，不公开）"), max_length=120, required=False)


class RoundForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2014, max_value=2100)
    title = forms.CharField(label=_("名称"), max_length=120)
    nomination_deadline = forms.DateField(
        label=_("推荐截止日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    publicity_days = forms.IntegerField(label=_("公示天数"), min_value=1, max_value=60, initial=7)


class AwardTypeForm(forms.Form):
    name = forms.CharField(label=_("奖项名称"), max_length=80)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    quota = forms.IntegerField(label=_("名额"), min_value=1, max_value=1000)


class PanelForm(forms.Form):
    user = forms.ModelChoiceField(label=_("评审专家"), queryset=User.objects.none())

    def __init__(self, *args, users, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users  # type: ignore[attr-defined]
