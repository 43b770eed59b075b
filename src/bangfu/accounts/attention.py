"""Account changes that give someone a signing right and that no second admin has confirmed yet:
shown to every county admin and inspector of the county (docs/security.md, "Separation of duties").
Loaded by AccountsConfig.ready (accounts is not a domain app)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.models import AccountChange, Role
from bangfu.areas.models import Area
from bangfu.lib import clock
from bangfu.lib.attention import AttentionItem, Severity, attention_source

# Roles that can sign a disbursement or a spending (projects.scopes.sides_of, charity).
SIGNING_ROLES = (Role.COUNTY_ADMIN, Role.UNIT_REPORTER, Role.TOWNSHIP_CLERK, Role.VILLAGE_OFFICER)


def unconfirmed_changes(prefix: str) -> Iterable[AccountChange]:
    """Changes made by a person, in the SoD window, to a signing account under `prefix`."""
    since = clock.now() - timedelta(days=settings.SOD_WINDOW_DAYS)
    return (
        AccountChange.objects.filter(
            area_code__startswith=prefix,
            role__in=SIGNING_ROLES,
            made_by__isnull=False,
            confirmed_by__isnull=True,
            made_at__gte=since,
        )
        .select_related("user", "made_by")
        .order_by("made_at")
    )


@attention_source("accounts.unconfirmed_change", live=True)  # a window from clock.now()
def unconfirmed_account_changes(county: Area, today: date) -> list[AttentionItem]:
    url = reverse("accounts:changes")
    return [
        AttentionItem(
            kind="accounts.unconfirmed_change",
            severity=Severity.WARNING,
            title=_("%(admin)s %(kind)s：账号 %(user)s（%(role)s）待另一位管理员确认")
            % {
                "admin": change.made_by,
                "kind": change.get_kind_display(),
                "user": change.user.username,
                "role": change.get_role_display(),
            },
            url=url,
            since=timezone.localtime(change.made_at).date(),
            roles=(Role.COUNTY_ADMIN, Role.INSPECTOR),
            area_code=change.area_code,
        )
        for change in unconfirmed_changes(county.county_code)
    ]
