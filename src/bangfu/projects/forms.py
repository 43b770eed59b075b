from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bangfu.areas.models import Area, Level
from bangfu.core.once import OnceForm
from bangfu.partners.models import Organisation
from bangfu.projects.models import Category, FundSource, InvestmentPlan, ProjectKind, ProjectStatus

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0")}


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the named field when the form has it."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        indent = "　" if obj.level == Level.VILLAGE else ""
        return f"{indent}{obj.name}（{obj.code}）"


class ProjectForm(forms.Form):
    code = forms.CharField(label=_("项目编号"), max_length=32)
    title = forms.CharField(label=_("项目名称"), max_length=200)
    kind = forms.ChoiceField(label=_("帮扶类别"), choices=ProjectKind.choices)
    category = forms.ChoiceField(label=_("项目类型"), choices=Category.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    area = AreaChoiceField(label=_("实施地点"), queryset=Area.objects.none())
    funders = forms.ModelMultipleChoiceField(label=_("资助单位"), queryset=Organisation.objects.none())
    investment_plan = forms.ModelChoiceField(
        label=_("年度投资计划"), queryset=InvestmentPlan.objects.none(), required=False
    )
    description = forms.CharField(
        label=_("建设内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    beneficiary_households = forms.IntegerField(label=_("受益户数"), min_value=0, initial=0)
    beneficiary_people = forms.IntegerField(label=_("受益人数"), min_value=0, initial=0)
    beneficiary_poor_households = forms.IntegerField(label=_("受益贫困户数"), min_value=0, initial=0)
    planned_start = forms.DateField(
        label=_("计划开工"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    planned_end = forms.DateField(
        label=_("计划完工"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    budget_partner = forms.DecimalField(label=_("帮扶方资金预算"), initial=Decimal("0"), **MONEY)  # type: ignore[arg-type]
    budget_province = forms.DecimalField(label=_("省级资金预算"), initial=Decimal("0"), **MONEY)  # type: ignore[arg-type]
    budget_county = forms.DecimalField(label=_("县级配套预算"), initial=Decimal("0"), **MONEY)  # type: ignore[arg-type]
    budget_enterprise = forms.DecimalField(label=_("企业资金预算"), initial=Decimal("0"), **MONEY)  # type: ignore[arg-type]
    budget_social = forms.DecimalField(label=_("社会资金预算"), initial=Decimal("0"), **MONEY)  # type: ignore[arg-type]

    def __init__(
        self,
        *args: Any,
        areas: QuerySet[Area],
        organisations: QuerySet[Organisation],
        plans: QuerySet[InvestmentPlan],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas.filter(level__in=[Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE])  # type: ignore[attr-defined]
        self.fields["funders"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["investment_plan"].queryset = plans  # type: ignore[attr-defined]


class ProjectEditForm(ProjectForm):
    """The registration details that may still be corrected (see services.EDITABLE_FIELDS)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for fixed in ("code", "kind", "year", "area", "funders"):
            del self.fields[fixed]


class StatusForm(forms.Form):
    to = forms.ChoiceField(choices=ProjectStatus.choices)
    reason = forms.CharField(label=_("原因"), max_length=500, required=False)


class AllocationForm(OnceForm):
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=14, decimal_places=2)
    source = forms.ChoiceField(label=_("资金来源"), choices=FundSource.choices)
    funder = forms.ModelChoiceField(label=_("拨付单位"), queryset=Organisation.objects.none(), required=False)
    received_on = forms.DateField(
        label=_("到账日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    memo = forms.CharField(label=_("摘要"), max_length=500, required=False)

    def __init__(self, *args: Any, funders: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = funders  # type: ignore[attr-defined]


class DisbursementForm(OnceForm):
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=14, decimal_places=2)
    payee = forms.CharField(label=_("收款单位/人"), max_length=200)
    purpose = forms.CharField(label=_("用途"), max_length=500)
    attachments = forms.CharField(
        label=_("附件说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("合同、发票、验收单等的编号或说明。"),
    )
    file = forms.FileField(
        label=_("附件文件"), required=False, help_text=_("PDF、OFD、图片、Word 或 Excel，不超过 10 MB。")
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件文件"), help_text=_("PDF、OFD、图片、Word 或 Excel，不超过 10 MB。"))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("驳回原因"), max_length=500)


class EvaluationForm(forms.Form):
    score = forms.DecimalField(label=_("得分"), max_digits=5, decimal_places=2, min_value=0, max_value=100)
    findings = forms.CharField(label=_("评估发现"), widget=forms.Textarea(attrs={"rows": 4}))
    rectifications = forms.CharField(
        label=_("整改事项"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一条；可在末尾加“|整改期限”，如：补齐验收资料|2020-07-31"),
    )

    def clean_rectifications(self) -> list[tuple[str, date | None]]:
        items: list[tuple[str, date | None]] = []
        for number, line in enumerate(self.cleaned_data["rectifications"].splitlines(), start=1):
            if not line.strip():
                continue
            text, _sep, deadline = line.partition("|")
            parsed = None
            if deadline.strip():
                try:
                    parsed = date.fromisoformat(deadline.strip())
                except ValueError:
                    raise ValidationError(
                        _("第 %(n)s 行的整改期限不是日期（YYYY-MM-DD）：%(value)s"),
                        params={"n": number, "value": deadline.strip()},
                    ) from None
            items.append((text.strip(), parsed))
        return items


class CloseRectificationForm(forms.Form):
    note = forms.CharField(label=_("整改结果"), max_length=500)


class InvestmentPlanForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("帮扶方"), queryset=Organisation.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("计划名称"), max_length=200)
    planned_amount = forms.DecimalField(label=_("计划投资（元）"), **MONEY)  # type: ignore[arg-type]
    planned_projects = forms.IntegerField(label=_("计划项目数"), min_value=0, initial=0)
    issued_on = forms.DateField(
        label=_("下达日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("方案要求一季度下达。"),
    )
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, partners: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners  # type: ignore[attr-defined]
