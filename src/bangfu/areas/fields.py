"""A village picked by name: a text box suggesting the user's villages as "村名（乡镇）" (the
browser's own search-as-you-type list), accepting a name, that label or the 12-digit code.
Only villages in the queryset given (the user's scope) can be chosen."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from bangfu.areas.models import Area, Level


def village_label(village: Area) -> str:
    township = village.parent.name if village.parent_id and village.parent else ""
    return f"{village.name}（{township}）" if township else village.name


class VillageInput(forms.TextInput):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", **(attrs or {})})
        self.labels: list[str] = []

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        list_id = f"{(attrs or {}).get('id') or name}-choices"
        box = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        options = format_html_join("", '<option value="{}"></option>', ((label,) for label in self.labels))
        return format_html('{}<datalist id="{}">{}</datalist>', box, list_id, options)


class VillageField(forms.CharField):
    widget = VillageInput
    default_error_messages = {
        "unknown": _("找不到行政村“%(value)s”：请从列表中选择您管辖范围内的村。"),
        "ambiguous": _("有多个行政村叫“%(value)s”：请选择带乡镇名的一项。"),
    }

    def __init__(self, *, villages: QuerySet[Area] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 80)
        kwargs.setdefault("help_text", _("输入村名后从列表中选择，也可输入12位行政区划代码。"))
        super().__init__(**kwargs)
        self.villages = villages if villages is not None else Area.objects.none()

    @property
    def villages(self) -> QuerySet[Area]:
        return self._villages

    @villages.setter
    def villages(self, queryset: QuerySet[Area]) -> None:
        self._villages = queryset.filter(level=Level.VILLAGE).select_related("parent").order_by("code")
        self.widget.labels = [village_label(v) for v in self._villages]  # type: ignore[attr-defined]

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if text in self.empty_values:
            return None
        text = str(text).strip()
        if text.isdigit():
            found = list(self._villages.filter(code=text))
        else:
            name, _sep, township = text.partition("（")
            found = list(self._villages.filter(name=name.strip()))
            if township:
                found = [v for v in found if village_label(v) == text]
        if not found:
            raise forms.ValidationError(
                self.error_messages["unknown"], code="unknown", params={"value": text}
            )
        if len(found) > 1:
            raise forms.ValidationError(
                self.error_messages["ambiguous"], code="ambiguous", params={"value": text}
            )
        return found[0]

    def prepare_value(self, value: Any) -> Any:
        return village_label(value) if isinstance(value, Area) else value
