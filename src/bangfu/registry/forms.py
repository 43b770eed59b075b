from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.lib import clock
from bangfu.lib.sheets import SpreadsheetField


class ImportForm(forms.Form):
    file = SpreadsheetField(
        label=_("导出文件"),
        help_text=_("全国扶贫开发信息系统导出的人员表：.xlsx、.xls 或 .csv"),
        use="registry",
        # The upload passes through the web process's memory; larger files go through the CLI.
        max_bytes=100 * 1024 * 1024,
    )
    as_of = forms.DateField(
        label=_("数据日期"),
        help_text=_("导出数据所反映的日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    full = forms.BooleanField(label=_("完整名单（未出现的成员标记为减员）"), required=False)
    strict_areas = forms.BooleanField(label=_("未知乡镇或村时拒绝该行"), required=False)
    dry_run = forms.BooleanField(label=_("只校验，不写入"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["as_of"].initial = clock.today()
