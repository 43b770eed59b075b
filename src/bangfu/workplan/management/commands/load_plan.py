from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from bangfu.core.management.commands._language import LanguageCommand
from bangfu.workplan.management.commands._common import add_county_argument, resolve_county
from bangfu.workplan.planfile import PlanFileError
from bangfu.workplan.services import load_plan


class Command(LanguageCommand):
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
            raise CommandError(_("%(file)s：文件不存在") % {"file": path})
        county = resolve_county(options["county"], need_plan=False)
        try:
            result = load_plan(actor=None, county=county, data=path.read_bytes())
        except PlanFileError as exc:
            # Exit status 2: the file is wrong (each line: file:line: yaml.path: reason).
            raise CommandError("\n".join(exc.located(str(path))), returncode=2) from None
        self.stdout.write(
            _("%(plan)s：新建任务%(created)s项，更新%(updated)s项，新开台账%(slots)s份")
            % {
                "plan": result.plan,
                "created": result.tasks_created,
                "updated": result.tasks_updated,
                "slots": result.slots_created,
            }
        )
