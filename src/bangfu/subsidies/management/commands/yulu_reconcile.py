"""`bangfu yulu-reconcile --term 2020-spring -o FILE.xlsx`: missing, wrong, duplicate, late."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from bangfu.core.management.commands._language import LanguageCommand
from bangfu.subsidies.exports import reconciliation_xlsx
from bangfu.subsidies.management.commands._term import add_term_arguments, find_term
from bangfu.subsidies.selectors import reconcile_yulu


class Command(LanguageCommand):
    help = "Reconcile a Yulu term's payments with the students eligible on its start date."

    def add_arguments(self, parser: CommandParser) -> None:
        add_term_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        term = find_term(options["term"], options["county"])
        rec = reconcile_yulu(term)
        if options["output"]:
            Path(options["output"]).write_bytes(reconciliation_xlsx(rec))
            self.stdout.write(_("已写入 %(file)s") % {"file": options["output"]})
        self.stdout.write(json.dumps(rec.summary()))
