"""`bangfu yulu-record-payments --term 2020-spring FILE`: record the finance bureau's paid list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from bangfu.core.management.commands._language import LanguageCommand
from bangfu.subsidies.management.commands._term import find_term
from bangfu.subsidies.services import import_paid_list


class Command(LanguageCommand):
    help = "Record payments of a Yulu term made outside the batches (xlsx or CSV: 证件号码, 金额, 发放日期)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--term", required=True, help="term code, e.g. 2020-spring")
        parser.add_argument("--county", default="", help="12-digit county code")
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        term = find_term(options["term"], options["county"])
        path = Path(options["file"])
        try:
            count = import_paid_list(actor=None, term=term, data=path.read_bytes(), filename=path.name)
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(_("%(n)s 处问题，未记录任何发放。") % {"n": len(exc.messages)}) from None
        self.stdout.write(json.dumps({"recorded": count}))
