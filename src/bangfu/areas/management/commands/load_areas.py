from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from bangfu.areas.services import AreaLoadError, load_areas_csv
from bangfu.core.management.commands._language import LanguageCommand


class Command(LanguageCommand):
    help = "Load areas from CSV (code,name,level,parent_code,registered_poor). Idempotent by code."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(_("文件不存在：%(file)s") % {"file": path})
        try:
            result = load_areas_csv(actor=None, data=path.read_bytes())
        except AreaLoadError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(_("%(n)s 处错误，未保存任何数据。") % {"n": len(exc.messages)}) from exc
        self.stdout.write(
            _("新增%(created)s个，更新%(updated)s个，未变%(unchanged)s个")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        )
