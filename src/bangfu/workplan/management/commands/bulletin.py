from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.workplan.bulletin import build_bulletin
from bangfu.workplan.management.commands._common import add_county_argument, resolve_county, resolve_plan


class Command(BaseCommand):
    help = "Write the monthly bulletin (通报) as a Word document; every figure comes from the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("-o", "--output", type=Path, required=True)
        add_county_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            y, m = options["month"].split("-")
            month = date(int(y), int(m), 1)
        except ValueError:
            raise CommandError("--month must be YYYY-MM") from None
        plan = resolve_plan(resolve_county(options["county"]), month.year)
        options["output"].write_bytes(build_bulletin(plan, month))
        self.stdout.write(f"wrote {options['output']}")
