from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bangfu.core"
    label = "core"
    verbose_name = "bangfu"

    def ready(self) -> None:
        # Dropdowns say 请选择 ("Please choose") instead of Django's "---------": the blank
        # choice of model fields and the empty label of model choice fields, site-wide.
        from django import forms
        from django.db.models import fields
        from django.utils.translation import gettext_lazy

        please = gettext_lazy("请选择")
        fields.BLANK_CHOICE_DASH[:] = [("", please)]  # type: ignore[list-item]
        defaults = forms.ModelChoiceField.__init__.__kwdefaults__
        if defaults is not None and defaults.get("empty_label") == "---------":
            defaults["empty_label"] = please
