"""`bangfu backup -o FILE`: a consistent online snapshot of the whole database."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from bangfu.core.backup import BackupError, backup

from ._language import activate, add_language_argument


class Command(BaseCommand):
    help = "Back up the database while the server runs (SQLite backup API / pg_dump): bangfu backup -o FILE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", type=Path, required=True, help="the backup file to write")
        add_language_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        activate(options["lang"])
        output: Path = options["output"]
        try:
            manifest = backup(output=output)
        except BackupError as exc:
            self.stderr.write(_("备份失败：%(err)s") % {"err": exc})
            sys.exit(2)
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            _("已备份到 %(path)s：%(backend)s，%(tables)s 张表，%(rows)s 行，%(size)s 字节。")
            % {
                "path": output,
                "backend": manifest["backend"],
                "tables": len(manifest["tables"]),
                "rows": rows,
                "size": output.stat().st_size,
            }
        )
