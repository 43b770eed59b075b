from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.areas.services import AreaLoadError, load_areas_csv


class Command(BaseCommand):
    help = "Load areas from CSV (code,name,level,parent_code,registered_poor). Idempotent by code."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"文件不存在 / file not found: {path}")
        try:
            result = load_areas_csv(actor=None, data=path.read_bytes())
        except AreaLoadError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(f"{len(exc.messages)} 处错误，未保存任何数据 / nothing saved") from exc
        self.stdout.write(f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}")
