"""`bangfu yulu-eligible --term 2020-spring [-o FILE.xlsx]`: the students eligible for a term."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from bangfu.core.management.commands._language import LanguageCommand
from bangfu.subsidies.exports import eligible_xlsx
from bangfu.subsidies.management.commands._term import add_term_arguments, find_term
from bangfu.subsidies.selectors import eligible_member_ids


class Command(LanguageCommand):
    help = "Count (and optionally list as xlsx) the students eligible for a Yulu term on its start date."

    def add_arguments(self, parser: CommandParser) -> None:
        add_term_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        term = find_term(options["term"], options["county"])
        count = len(eligible_member_ids(term))
        if options["output"]:
            Path(options["output"]).write_bytes(eligible_xlsx(term))
            self.stdout.write(_("已写入 %(file)s") % {"file": options["output"]})
        self.stdout.write(json.dumps({"eligible": count}))
