from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.areas.models import Area, Level
from bangfu.charity.models import Channel, DonationKind, DonorKind, EarmarkKind, RecipientKind
from bangfu.core.once import OnceForm
from bangfu.lib.sheets import SpreadsheetField
from bangfu.partners.models import Organisation


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        # A native date input accepts only ISO dates (2020-07-15), never the localised 2020/07/15.
        super().__init__(attrs, format or "%Y-%m-%d")


class CampaignForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2014, max_value=2100)
    name = forms.CharField(label=_("活动名称"), max_length=120)
    organiser = forms.ModelChoiceField(label=_("主办单位"), queryset=Organisation.objects.none())
    starts_on = forms.DateField(label=_("募集开始日期"), widget=DateInput)
    ends_on = forms.DateField(label=_("募集结束日期"), widget=DateInput)
    target = forms.DecimalField(label=_("募集目标（元）"), max_digits=14, decimal_places=2, min_value=0)
    disclosure_deadline = forms.DateField(
        label=_("公示截止日期"),
        required=False,
        widget=DateInput,
        help_text=_("留空则为募集结束后30个工作日"),
    )
    description = forms.CharField(
        label=_("活动说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, county: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = Organisation.objects.filter(county=county)  # type: ignore[attr-defined]


class DonationForm(OnceForm):
    receipt_number = forms.CharField(label=_("收据编号"), max_length=40)
    donor_kind = forms.ChoiceField(label=_("捐赠人类型"), choices=DonorKind.choices)
    donor_name = forms.CharField(label=_("捐赠人"), max_length=120)
    donor_uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    publish_name = forms.BooleanField(label=_("同意公开姓名"), required=False)
    kind = forms.ChoiceField(label=_("捐赠形式"), choices=DonationKind.choices)
    amount = forms.CharField(label=_("金额（元）"), help_text=_("物资捐赠填写折价金额"))
    goods_description = forms.CharField(label=_("物资说明"), max_length=200, required=False)
    earmark_kind = forms.ChoiceField(label=_("定向"), choices=EarmarkKind.choices)
    earmark_village = forms.ModelChoiceField(
        label=_("定向村"), queryset=Area.objects.none(), required=False, to_field_name="code"
    )
    earmark_household = forms.CharField(label=_("定向户编号"), max_length=40, required=False)
    earmark_project = forms.CharField(label=_("定向项目"), max_length=120, required=False)
    channel = forms.ChoiceField(label=_("渠道"), choices=Channel.choices)
    donated_on = forms.DateField(label=_("捐赠日期"), widget=DateInput)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, county: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["earmark_village"].queryset = Area.objects.filter(  # type: ignore[attr-defined]
            level=Level.VILLAGE, code__startswith=county.prefix
        )


class ImportForm(forms.Form):
    file = SpreadsheetField(label=_("银行或平台流水（xlsx/csv）"))


class SpendingForm(OnceForm):
    earmark = forms.ChoiceField(label=_("资金来源"))
    recipient_kind = forms.ChoiceField(label=_("使用对象"), choices=RecipientKind.choices)
    village = forms.ModelChoiceField(
        label=_("受益村"), queryset=Area.objects.none(), required=False, to_field_name="code"
    )
    household = forms.CharField(label=_("受益户编号"), max_length=40, required=False)
    project = forms.CharField(label=_("项目"), max_length=120, required=False)
    purpose = forms.CharField(label=_("用途"), max_length=200)
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=14, decimal_places=2, min_value=0)

    def __init__(self, *args: Any, county: Area, pools: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["earmark"].choices = pools  # type: ignore[attr-defined]
        self.fields["village"].queryset = Area.objects.filter(  # type: ignore[attr-defined]
            level=Level.VILLAGE, code__startswith=county.prefix
        )


class DecisionForm(forms.Form):
    comment = forms.CharField(label=_("意见"), max_length=200, required=False)


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)
