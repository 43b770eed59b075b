"""The forms of the subsidies pages (the views stay thin: scope → form → one service call)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from bangfu.areas.models import Area
from bangfu.subsidies.models import (
    AssessmentGrade,
    AssessmentKind,
    SanzhiField,
    SanzhiPlan,
    SanzhiPost,
)


# --- Yulu terms ----------------------------------------------------------------------------------------
class TermForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("学期编号"), help_text=gettext_lazy("如 2020-spring、2020-autumn"), max_length=12
    )
    start_date = forms.DateField(
        label=gettext_lazy("开学日期"), required=False, help_text=gettext_lazy("留空：春季3月1日，秋季9月1日")
    )
    payment_deadline = forms.DateField(
        label=gettext_lazy("发放截止日期"),
        required=False,
        help_text=gettext_lazy("留空：春季6月30日，秋季12月31日"),
    )
    amount = forms.DecimalField(
        label=gettext_lazy("每生补助金额（元）"), required=False, max_digits=14, decimal_places=2
    )


# --- technician cohorts --------------------------------------------------------------------------------
class CohortForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    name = forms.CharField(label=gettext_lazy("名称"), max_length=80)
    amount_per_term = forms.DecimalField(
        label=gettext_lazy("每生每学期资助（元）"), max_digits=14, decimal_places=2
    )


# --- Sanzhi-Yifu ---------------------------------------------------------------------------------------
class SanzhiPlanForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    monthly_subsidy = forms.DecimalField(
        label=gettext_lazy("每月生活补贴（元）"), max_digits=14, decimal_places=2
    )
    settling_allowance = forms.DecimalField(
        label=gettext_lazy("一次性安家费（元）"), max_digits=14, decimal_places=2
    )
    service_months = forms.IntegerField(label=gettext_lazy("服务期（月）"), initial=24, min_value=1)


class ApplicationForm(forms.Form):
    member = forms.IntegerField(label=gettext_lazy("学生"), widget=forms.HiddenInput)
    school = forms.CharField(label=gettext_lazy("就读学校"), max_length=100)
    enrolment_proof = forms.CharField(label=gettext_lazy("学籍证明"), max_length=100)
    bank_name = forms.CharField(label=gettext_lazy("开户银行"), max_length=60)
    account_holder = forms.CharField(label=gettext_lazy("户名"), max_length=40)
    bank_account = forms.CharField(label=gettext_lazy("银行账号"), max_length=40)


# --- Sanzhi-Yifu: county admin actions on a plan ----------------------------------------------------------
class PostForm(forms.Form):
    township = forms.ModelChoiceField(label=gettext_lazy("乡（镇）"), queryset=Area.objects.none())
    field = forms.ChoiceField(label=gettext_lazy("类别"), choices=SanzhiField.choices)
    posts = forms.IntegerField(label=gettext_lazy("岗位数"), min_value=1, max_value=999)

    def __init__(self, *args: Any, county: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = Area.objects.filter(  # type: ignore[attr-defined]
            level="township", code__startswith=county.prefix
        )


class ApplicantForm(forms.Form):
    post = forms.ModelChoiceField(label=gettext_lazy("报考岗位"), queryset=SanzhiPost.objects.none())
    number = forms.CharField(label=gettext_lazy("报名号"), max_length=20)
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=40)
    school = forms.CharField(label=gettext_lazy("毕业院校"), max_length=80)
    major = forms.CharField(label=gettext_lazy("专业"), max_length=60, required=False)
    graduation_year = forms.IntegerField(label=gettext_lazy("毕业年份"), min_value=1990, max_value=2100)

    def __init__(self, *args: Any, plan: SanzhiPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = plan.posts.select_related("township")  # type: ignore[attr-defined]


class MonthForm(forms.Form):
    month = forms.DateField(label=gettext_lazy("所属月份"), help_text=gettext_lazy("该月任一日期"))


class AssessForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("类别"), choices=AssessmentKind.choices)
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    grade = forms.ChoiceField(label=gettext_lazy("等次"), choices=AssessmentGrade.choices)


class TechnicianEnrolForm(forms.Form):
    id_number = forms.CharField(label=gettext_lazy("学生证件号码"), max_length=24)
    school = forms.CharField(label=gettext_lazy("培训学校"), max_length=100)
    trade = forms.CharField(label=gettext_lazy("专业工种"), max_length=60)
    start_date = forms.DateField(label=gettext_lazy("入学日期"))


class FundTermForm(forms.Form):
    term_code = forms.CharField(
        label=gettext_lazy("学期编号"), max_length=12, help_text=gettext_lazy("如 2020-autumn")
    )


class TermSettingsForm(forms.Form):
    start_date = forms.DateField(label=gettext_lazy("开学日期"))
    payment_deadline = forms.DateField(label=gettext_lazy("发放截止日期"))
    amount = forms.DecimalField(label=gettext_lazy("每生补助金额（元）"), max_digits=14, decimal_places=2)
