from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.models import Role, User
from bangfu.accounts.scopes import areas_for_user, organisations_for_user
from bangfu.areas.models import Area
from bangfu.partners.models import Organisation


class _AssignmentForm(forms.Form):
    full_name = forms.CharField(label=_("姓名"), max_length=60, required=False)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    area: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label=_("管辖区域"), queryset=Area.objects.none(), required=False
    )
    organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("所属单位"), queryset=Organisation.objects.none(), required=False
    )
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas_for_user(actor)  # type: ignore[attr-defined]
        self.fields["area"].label_from_instance = lambda a: f"{a.code} {a.name}（{a.get_level_display()}）"  # type: ignore[attr-defined]
        self.fields["organisation"].queryset = organisations_for_user(actor).filter(is_active=True)  # type: ignore[attr-defined]


class UserCreateForm(_AssignmentForm):
    username = forms.RegexField(
        label=_("用户名"),
        regex=r"^[A-Za-z0-9_.@+-]{3,150}$",
        error_messages={"invalid": _("用户名只能包含字母、数字和 _ . @ + -，3 到 150 个字符。")},
    )
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, min_length=10)

    field_order = ["username", "full_name", "role", "area", "organisation", "phone", "email", "password"]


class UserEditForm(_AssignmentForm):
    pass


class UserPasswordForm(forms.Form):
    password = forms.CharField(label=_("新密码"), widget=forms.PasswordInput, min_length=10)


class DeactivateForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=500, required=False)
