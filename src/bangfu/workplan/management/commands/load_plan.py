from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.workplan.management.commands._common import add_county_argument, resolve_county
from bangfu.workplan.planfile import PlanFileError
from bangfu.workplan.services import load_plan


class Command(BaseCommand):
    help = (
        "Load (or update) a work plan from a YAML file; idempotent by task code. A bad file "
        "(unknown key, value cut at an ASCII comma, unknown unit, …) exits 2 naming file:line: key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        add_county_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        county = resolve_county(options["county"], need_plan=False)
        try:
            result = load_plan(actor=None, county=county, data=path.read_bytes())
        except PlanFileError as exc:
            # Exit status 2: the file is wrong (each line: file:line: yaml.path: reason).
            raise CommandError("\n".join(exc.located(str(path))), returncode=2) from None
        self.stdout.write(
            f"{result.plan}: {result.tasks_created} tasks created, {result.tasks_updated} updated, "
            f"{result.slots_created} ledger slots opened"
        )
