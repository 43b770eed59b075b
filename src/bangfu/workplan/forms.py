from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.partners.models import Organisation
from bangfu.workplan.models import Indicator, WorkplanSettings


class ReportForm(forms.Form):
    progress = forms.CharField(label=_("工作进展"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    milestone_status = forms.CharField(
        label=_("节点完成情况"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    problems = forms.CharField(label=_("存在问题"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    next_steps = forms.CharField(
        label=_("下步打算"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(
        self, *args: Any, manual_indicators: list[Indicator], initial_values: dict[int, Any], **kw: Any
    ):
        super().__init__(*args, **kw)
        self.manual_indicators = manual_indicators
        for ind in manual_indicators:
            self.fields[f"ind_{ind.pk}"] = forms.DecimalField(
                label=f"{ind.label}({ind.unit})" if ind.unit else ind.label,
                required=False,
                min_value=0,
                max_digits=14,
                decimal_places=2,
                initial=initial_values.get(ind.pk),
            )

    def indicator_values(self) -> dict[int, Any]:
        return {
            ind.pk: self.cleaned_data.get(f"ind_{ind.pk}")
            for ind in self.manual_indicators
            if self.cleaned_data.get(f"ind_{ind.pk}") is not None
        }


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("退回意见"), widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(forms.Form):
    text = forms.CharField(label=_("督导意见"), widget=forms.Textarea(attrs={"rows": 2}))


class TaskForm(forms.Form):
    title = forms.CharField(label=_("任务"), max_length=200)
    description = forms.CharField(
        label=_("工作内容"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    schedule_text = forms.CharField(
        label=_("进度安排"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    lead_units = forms.ModelMultipleChoiceField(
        label=_("牵头单位"),
        queryset=Organisation.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    responsible_units = forms.ModelMultipleChoiceField(
        label=_("责任单位"),
        queryset=Organisation.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )

    def __init__(self, *args: Any, organisations: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["lead_units"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["responsible_units"].queryset = organisations  # type: ignore[attr-defined]


class SettingsForm(forms.ModelForm):
    class Meta:
        model = WorkplanSettings
        fields = ["due_day", "weight_timeliness", "weight_milestones", "weight_indicators", "email_reminders"]


class AdjustmentForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("单位"), queryset=Organisation.objects.none())
    points = forms.DecimalField(label=_("加减分"), max_digits=6, decimal_places=2)
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, organisations: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class SelfInspectionForm(forms.Form):
    note = forms.CharField(label=_("自查情况"), widget=forms.Textarea(attrs={"rows": 4}))


class PlanUploadForm(forms.Form):
    file = forms.FileField(label=_("方案文件(YAML)"))
