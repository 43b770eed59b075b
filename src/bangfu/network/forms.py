from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.scopes import area_prefix
from bangfu.areas.models import Area, Level, county_code_of
from bangfu.network.models import NeedCategory, OrderStatus, PaymentMethod, ProducerKind, SupporterKind
from bangfu.partners.models import Organisation
from bangfu.registry.models import Household
from bangfu.registry.selectors import households_for_user


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the named field when the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class SignupForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("注册类型"),
        choices=SupporterKind.choices,
        widget=forms.RadioSelect,
        initial=SupporterKind.PERSON,
    )
    county: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label=_("所在县"), queryset=Area.objects.none(), empty_label=None
    )
    name = forms.CharField(label=_("姓名或单位名称"), max_length=120)
    mobile = forms.CharField(label=_("手机号"), max_length=11)
    uscc = forms.CharField(
        label=_("统一社会信用代码"), max_length=18, required=False, help_text=_("单位/企业注册时必填。")
    )
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput, help_text=_("至少10位。"))
    password2 = forms.CharField(label=_("确认密码"), widget=forms.PasswordInput)
    invitation_code = forms.CharField(label=_("邀请码"), max_length=16, required=False)

    def __init__(self, *args: Any, counties: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("验证码"), max_length=6)


class SettingsForm(forms.Form):
    baseline_registrations = forms.IntegerField(
        label=_("2019年爱心人士注册量（基数）"), min_value=0, max_value=100_000_000
    )
    claim_days = forms.IntegerField(label=_("认领有效天数"), min_value=1, max_value=365)


class ProductForm(forms.Form):
    name = forms.CharField(label=_("产品名称"), max_length=100)
    description = forms.CharField(
        label=_("产品介绍"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    village: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label=_("所在村"), queryset=Area.objects.none()
    )
    producer_kind = forms.ChoiceField(label=_("生产主体类型"), choices=ProducerKind.choices)
    producer_name = forms.CharField(
        label=_("生产主体"), max_length=120, help_text=_("建档立卡户的姓名不会在公开页面显示。")
    )
    producer_organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("生产单位"), queryset=Organisation.objects.none(), required=False
    )
    producer_household = forms.CharField(
        label=_("生产户户编号"), max_length=40, required=False, help_text=_("生产主体为建档立卡户时可填写。")
    )
    certified = forms.BooleanField(label=_("扶贫产品认定"), required=False)
    certificate_number = forms.CharField(label=_("认定证书编号"), max_length=40, required=False)
    price = forms.DecimalField(
        label=_("单价（元）"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    unit = forms.CharField(label=_("计量单位"), max_length=10)
    is_listed = forms.BooleanField(label=_("上架"), required=False, initial=True)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        prefix = area_prefix(actor) or "-"
        self.fields["village"].queryset = Area.objects.filter(  # type: ignore[attr-defined]
            level=Level.VILLAGE, code__startswith=prefix
        )
        self.fields["producer_organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            county__code__startswith=county_code_of(prefix), is_active=True
        )
        self.actor = actor

    def clean_producer_household(self) -> Household | None:
        number = self.cleaned_data.get("producer_household", "").strip()
        if not number:
            return None
        found = households_for_user(self.actor).filter(number=number).first()
        if found is None:
            raise forms.ValidationError(
                _("找不到户编号为“%(n)s”的贫困户（或超出您的权限范围）。") % {"n": number}
            )
        return found


class NewProductForm(ProductForm):
    stock = forms.IntegerField(label=_("初始库存"), min_value=0, max_value=10_000_000, initial=0)


class StockForm(forms.Form):
    delta = forms.IntegerField(
        label=_("调整数量"),
        min_value=-10_000_000,
        max_value=10_000_000,
        help_text=_("正数为入库，负数为出库/损耗。"),
    )
    reason = forms.CharField(label=_("原因"), max_length=200)


class PhotoForm(forms.Form):
    image = forms.FileField(label=_("照片"))
    caption = forms.CharField(label=_("说明"), max_length=100, required=False)


class OrderForm(forms.Form):
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=100_000, initial=1)
    delivery_address = forms.CharField(label=_("收货地址"), max_length=200)
    payment_method = forms.ChoiceField(label=_("支付方式"), choices=PaymentMethod.choices)
    payment_reference = forms.CharField(label=_("支付凭证号"), max_length=60, required=False)


class OrderTransitionForm(forms.Form):
    to = forms.ChoiceField(choices=OrderStatus.choices, widget=forms.HiddenInput)
    payment_reference = forms.CharField(label=_("支付凭证号"), max_length=60, required=False)
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)


class NeedForm(forms.Form):
    household: forms.ModelChoiceField[Household] = forms.ModelChoiceField(
        label=_("贫困户（户编号）"), queryset=Household.objects.none()
    )
    category = forms.ChoiceField(label=_("需求类别"), choices=NeedCategory.choices)
    title = forms.CharField(
        label=_("需求"), max_length=60, help_text=_("公开显示，不要写姓名、证件号或电话。")
    )
    description = forms.CharField(
        label=_("需求说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    quantity = forms.CharField(label=_("数量"), max_length=40, required=False)
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=14, decimal_places=2, required=False)
    deadline = forms.DateField(
        label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["household"]
        field.queryset = households_for_user(actor).filter(active=True)  # type: ignore[attr-defined]
        field.label_from_instance = lambda h: f"{h.number}（{h.village.name}）"  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    approve = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1")
    note = forms.CharField(label=_("审核意见"), max_length=200, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=200)


class ConfirmForm(forms.Form):
    note = forms.CharField(label=_("确认说明"), max_length=200)
    photo = forms.FileField(label=_("照片"), required=False)
