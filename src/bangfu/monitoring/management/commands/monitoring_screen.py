"""`bangfu monitoring-screen --county CODE`: turn the registry and department lists into leads."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from bangfu.areas.models import Area, Level
from bangfu.core.management.commands._language import LanguageCommand
from bangfu.monitoring.models import LeadSource
from bangfu.monitoring.screening import run_screening


class Command(LanguageCommand):
    help = "防返贫监测筛查：从建档立卡数据和部门名单生成待核实线索（可重复运行，只新增）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--county", required=True, help="县的12位区划代码")

    def handle(self, *args: Any, **options: Any) -> None:
        county = Area.objects.filter(code=options["county"], level=Level.COUNTY).first()
        if county is None:
            raise CommandError(_("找不到县：%(county)s") % {"county": options["county"]})
        started = time.perf_counter()
        result = run_screening(actor=None, county=county)
        parts = "，".join(f"{LeadSource(k).label} {v}" for k, v in result.created.items())
        self.stdout.write(
            _("新增线索%(n)s条（%(parts)s），用时%(seconds).2f秒")
            % {"n": result.total, "parts": parts, "seconds": time.perf_counter() - started}
        )
