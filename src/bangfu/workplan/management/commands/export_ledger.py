from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from bangfu.core.management.commands._language import LanguageCommand
from bangfu.workplan.exports import export_ledger
from bangfu.workplan.management.commands._common import add_county_argument, resolve_county, resolve_plan


class Command(LanguageCommand):
    help = "Write the ledger workbook: one sheet per task, rows unit × month, Chinese headings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--month", help="YYYY-MM: only this month")
        parser.add_argument("-o", "--output", type=Path, required=True)
        add_county_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        plan = resolve_plan(resolve_county(options["county"]), options["year"])
        month = None
        if options["month"]:
            try:
                y, m = options["month"].split("-")
                month = date(int(y), int(m), 1)
            except ValueError:
                raise CommandError(_("--month 应为年月 YYYY-MM。")) from None
            if month.year != plan.year:
                raise CommandError(_("--month 应在 --year 这一年内。"))
        options["output"].write_bytes(export_ledger(plan, month=month))
        self.stdout.write(_("已写入 %(file)s") % {"file": options["output"]})
