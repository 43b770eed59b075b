"""`bangfu seal-audit [--lang en]`: link every pending audit record into its county's chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from bangfu.audit.services import seal_all_chains

from ._language import activate, add_language_argument


class Command(BaseCommand):
    help = (
        "Link audit records still pending (their after-commit seal was lost) into their county's "
        "hash chain. Idempotent; safe while the server runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_language_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        activate(options["lang"])
        sealed = {code: n for code, n in seal_all_chains().items() if n}
        for code, n in sealed.items():
            self.stdout.write(
                _("审计链 %(chain)s：%(n)s 条记录已入链。") % {"chain": code or _("（全局）"), "n": n}
            )
        if not sealed:
            self.stdout.write(_("没有待入链的审计记录。"))
