"""Forms of the partners pages. They only parse input; the services decide and refuse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bangfu.areas.fields import VillageField
from bangfu.areas.models import Area
from bangfu.lib.sheets import SpreadsheetField
from bangfu.partners.models import (
    Cadre,
    EastWestLevel,
    HelpMode,
    JobGrade,
    Organisation,
    PairingKind,
    VisitForm,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        # A native date input accepts only ISO dates (2020-07-15), never the localised 2020/07/15.
        super().__init__(attrs, format or "%Y-%m-%d")


class PairingForm(forms.Form):
    kind = forms.ChoiceField(label=_("帮扶类型"), choices=PairingKind.choices)
    helper_organisation = forms.ModelChoiceField(
        label=_("帮扶单位"), queryset=Organisation.objects.none(), required=False
    )
    helper_cadre = forms.ModelChoiceField(
        label=_("帮扶干部（结对认亲）"), queryset=Cadre.objects.none(), required=False
    )
    target_area = forms.CharField(label=_("受帮扶区划代码（县/乡镇/村）"), max_length=12, required=False)
    target_organisation = forms.ModelChoiceField(
        label=_("受帮扶单位（校校、院院结对）"), queryset=Organisation.objects.none(), required=False
    )
    target_household = forms.CharField(label=_("户编号（结对认亲）"), max_length=40, required=False)
    east_west_level = forms.ChoiceField(
        label=_("协作层级（东西部协作）"), choices=[("", "—"), *EastWestLevel.choices], required=False
    )
    help_modes = forms.MultipleChoiceField(
        label=_("帮扶方式（万企帮万村）"),
        choices=HelpMode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    yearly_plan = forms.CharField(
        label=_("年度帮扶计划（对口帮扶）"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    start_date = forms.DateField(label=_("开始日期"), widget=DateInput)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(
        self, *args: Any, organisations: QuerySet[Organisation], cadres: QuerySet[Cadre], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["helper_organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["target_organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["helper_cadre"].queryset = cadres  # type: ignore[attr-defined]


class EndPairingForm(forms.Form):
    end_date = forms.DateField(label=_("结束日期（最后一天）"), widget=DateInput)
    reason = forms.CharField(label=_("结束原因"), max_length=200)


class ChangeHelperForm(forms.Form):
    on_date = forms.DateField(label=_("新帮扶人开始日期"), widget=DateInput)
    helper_organisation = forms.ModelChoiceField(
        label=_("新帮扶单位"), queryset=Organisation.objects.none(), required=False
    )
    helper_cadre = forms.ModelChoiceField(
        label=_("新帮扶干部"), queryset=Cadre.objects.none(), required=False
    )
    reason = forms.CharField(label=_("更换原因"), max_length=200)

    def __init__(
        self, *args: Any, organisations: QuerySet[Organisation], cadres: QuerySet[Cadre], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["helper_organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["helper_cadre"].queryset = cadres  # type: ignore[attr-defined]


class CadreForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("单位"), queryset=Organisation.objects.none())
    name = forms.CharField(label=_("姓名"), max_length=60)
    post = forms.CharField(label=_("职务"), max_length=60, required=False)
    job_grade = forms.ChoiceField(label=_("职务级别"), choices=JobGrade.choices)
    phone = forms.CharField(label=_("手机号"), max_length=11)
    resident_team = forms.BooleanField(label=_("驻村工作队队员"), required=False)

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class VisitRecordForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("帮扶单位"), queryset=Organisation.objects.none())
    village = VillageField(label=_("行政村"))
    date = forms.DateField(label=_("走访日期"), widget=DateInput)
    cadres = forms.ModelMultipleChoiceField(
        label=_("工作组干部"),
        queryset=Cadre.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    guests = forms.CharField(
        label=_("其他成员（每行一人）"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    purpose = forms.CharField(label=_("走访目的"), max_length=200)
    activities = forms.CharField(
        label=_("开展工作"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    households_visited = forms.IntegerField(label=_("走访户数"), min_value=0, initial=0)
    follow_ups = forms.CharField(
        label=_("后续事项"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    off_pairing_reason = forms.CharField(label=_("非结对村原因"), max_length=200, required=False)
    attachment = forms.FileField(label=_("附件"), required=False)

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation],
        cadres: QuerySet[Cadre],
        villages: QuerySet[Area] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["cadres"].queryset = cadres  # type: ignore[attr-defined]
        self.fields["village"].villages = villages if villages is not None else Area.objects.none()  # type: ignore[attr-defined]


class KinshipVisitForm(forms.Form):
    date = forms.DateField(label=_("走访日期"), widget=DateInput)
    form = forms.ChoiceField(label=_("走访形式"), choices=VisitForm.choices)
    notes = forms.CharField(label=_("走访记录"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


def _money(label: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=14, decimal_places=2, min_value=0, initial=0)


def _count(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, initial=0)


class FiguresForm(forms.Form):
    """One month of a pairing's inputs (帮扶投入); money in yuan (Decimal), counts whole."""

    month = forms.DateField(label=_("月份（任一天）"), widget=DateInput)
    funds_direct = _money(_("直接投入资金（元）"))
    funds_in_kind = _money(_("捐物折价（元）"))
    funds_introduced = _money(_("引进资金（元）"))
    training_sessions = _count(_("培训期数"))
    people_trained = _count(_("培训人次"))
    labour_transferred = _count(_("劳务转移人数"))
    consumption = _money(_("消费扶贫金额（元）"))
    enterprises_introduced = _count(_("引进企业数"))
    investment = _money(_("实际投资（元）"))
    cadres_seconded = _count(_("选派挂职干部（人）"))
    specialists_seconded = _count(_("选派专技人才（人）"))


class UploadForm(forms.Form):
    file = SpreadsheetField(label=_("Excel文件(.xlsx/.xls)"))


class ContactForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=60)
    post = forms.CharField(label=_("职务"), max_length=60, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    is_liaison = forms.BooleanField(label=_("联络员"), required=False, initial=True)


class VisitRuleForm(forms.Form):
    team_min = forms.IntegerField(label=_("工作组最少人数"), min_value=1)
    team_max = forms.IntegerField(label=_("工作组最多人数"), min_value=1)
    per_quarter = forms.IntegerField(label=_("每季度至少走访次数"), min_value=0)
    per_year = forms.IntegerField(label=_("全年至少走访次数"), min_value=0)
    kinship_per_quarter = forms.IntegerField(label=_("结对户每季度至少走访次数"), min_value=0)


class KinshipCapForm(forms.Form):
    job_grade = forms.ChoiceField(label=_("职务级别"), choices=JobGrade.choices)
    max_households = forms.IntegerField(label=_("最多结对户数"), min_value=0, max_value=50)


class CadreEditForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=60)
    post = forms.CharField(label=_("职务"), max_length=60, required=False)
    job_grade = forms.ChoiceField(label=_("职务级别"), choices=JobGrade.choices)
    phone = forms.CharField(label=_("手机号"), max_length=11)
    resident_team = forms.BooleanField(label=_("驻村工作队队员"), required=False)
    is_active = forms.BooleanField(label=_("在岗"), required=False)


class ParentForm(forms.Form):
    parent = forms.ModelChoiceField(label=_("上级单位"), queryset=Organisation.objects.none(), required=False)

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = organisations  # type: ignore[attr-defined]
