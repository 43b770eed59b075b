from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from bangfu.core.management.commands._language import LanguageCommand
from bangfu.network.services import expire_claims, prune_signup_attempts


class Command(LanguageCommand):
    help = (
        "Daily: expire claims on household needs not delivered in time; prune old sign-up throttle counters."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = expire_claims(actor=None)
        pruned = prune_signup_attempts(actor=None)
        self.stdout.write(
            _("过期的认领：%(count)s 条；清理的注册计数：%(pruned)s 条") % {"count": count, "pruned": pruned}
        )
