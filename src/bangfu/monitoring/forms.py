from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.lib.sheets import SpreadsheetField
from bangfu.monitoring.models import Department, FoundBy, Kind, MeasureType, RiskType, Step

DATE = forms.DateInput(attrs={"type": "date"})


class CreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("监测对象类别"), choices=Kind.choices)
    found_by = forms.ChoiceField(label=_("发现方式"), choices=FoundBy.choices)
    found_on = forms.DateField(label=_("发现日期"), widget=DATE)
    risk_types = forms.MultipleChoiceField(
        label=_("风险类型"), choices=RiskType.choices, widget=forms.CheckboxSelectMultiple
    )
    household_number = forms.CharField(label=_("建档立卡户编号"), required=False, max_length=40)
    village = forms.CharField(label=_("行政村代码（边缘户）"), required=False, max_length=12)
    members = forms.CharField(
        label=_("家庭成员（边缘户，每行：姓名，与户主关系，证件号码，健康状况，劳动技能）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    per_capita_income = forms.CharField(label=_("人均纯收入（元）"), required=False, max_length=20)
    rigid_expenses = forms.CharField(label=_("刚性支出（元）"), required=False, max_length=20)


class StepForm(forms.Form):
    step = forms.ChoiceField(label=_("步骤"), choices=Step.choices)
    on = forms.DateField(label=_("日期"), widget=DATE)
    passed = forms.TypedChoiceField(
        label=_("结果"),
        choices=[("1", _("通过")), ("0", _("不通过"))],
        coerce=lambda v: v == "1",
        initial="1",
    )
    days = forms.IntegerField(label=_("公示天数"), required=False, min_value=1, max_value=30)
    objections = forms.CharField(label=_("公示异议"), required=False, max_length=1000)
    note = forms.CharField(label=_("说明"), required=False, max_length=1000)


class MeasureForm(forms.Form):
    measure_type = forms.ChoiceField(label=_("帮扶措施类型"), choices=MeasureType.choices)
    detail = forms.CharField(label=_("措施内容"), max_length=200)
    start = forms.DateField(label=_("开始日期"), widget=DATE)
    end = forms.DateField(label=_("结束日期"), required=False, widget=DATE)
    amount = forms.CharField(label=_("金额（元）"), required=False, max_length=20)
    source = forms.CharField(label=_("来源"), required=False, max_length=100)


class VisitForm(forms.Form):
    on = forms.DateField(label=_("走访日期"), widget=DATE)
    form = forms.ChoiceField(
        label=_("走访形式"), choices=[("in_person", _("入户走访")), ("phone", _("电话联系"))]
    )
    notes = forms.CharField(label=_("走访记录"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LeadDecisionForm(forms.Form):
    verified = forms.TypedChoiceField(
        label=_("核实结果"), choices=[("1", _("属实")), ("0", _("排除"))], coerce=lambda v: v == "1"
    )
    reason = forms.CharField(label=_("核实说明"), max_length=200)


class DepartmentListForm(forms.Form):
    department = forms.ChoiceField(label=_("部门"), choices=Department.choices)
    as_of = forms.DateField(label=_("数据日期"), widget=DATE)
    file = SpreadsheetField(label=_("名单文件"), use="upload")


class ReconcileForm(forms.Form):
    file = SpreadsheetField(label=_("国家监测系统导出文件"), use="upload")
