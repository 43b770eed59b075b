"""`bangfu monitoring-import-list FILE --county CODE --department medical|emergency|civil_affairs
--as-of DATE`: a department list, reported row by row like `bangfu import-registry`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from bangfu.areas.models import Area, Level
from bangfu.core.management.commands._language import LanguageCommand
from bangfu.monitoring.models import Department
from bangfu.monitoring.screening import import_department_list, report_lines


class Command(LanguageCommand):
    help = "导入部门名单（医保、应急、民政），按证件号码匹配并生成监测线索"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--county", required=True)
        parser.add_argument("--department", required=True, choices=Department.values)
        parser.add_argument("--as-of", type=date.fromisoformat, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        county = Area.objects.filter(code=options["county"], level=Level.COUNTY).first()
        if county is None:
            raise CommandError(_("找不到县：%(county)s") % {"county": options["county"]})
        path: Path = options["file"]
        try:
            data = path.read_bytes()
            summary = import_department_list(
                actor=None,
                county=county,
                department=options["department"],
                file_name=path.name,
                data=data,
                as_of=options["as_of"],
            )
        except OSError as exc:
            raise CommandError(_("无法读取文件：%(reason)s") % {"reason": exc.strerror}) from None
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        for line in report_lines(summary):
            self.stderr.write(line)
        self.stdout.write(str(summary.as_dict()))
