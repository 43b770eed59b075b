"""`bangfu backup [-o FILE] [--keep-days N --keep-months M]`: a consistent online snapshot of the
whole database. Without -o it writes `bangfu-<date>-<time>.bangfu` into BANGFU_BACKUP_DIR; the
--keep options then prune older scheduled backups there (the nightly timer's set-up)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.core.backup import BackupError, backup, prune_backups, scheduled_backup_path

from ._language import activate, add_language_argument


class Command(BaseCommand):
    help = (
        "Back up the database while the server runs (SQLite backup API / pg_dump): bangfu backup -o FILE, "
        "or into BANGFU_BACKUP_DIR with retention: bangfu backup --keep-days 14 --keep-months 12."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-o",
            "--output",
            type=Path,
            help="the backup file to write (default: a dated file in BANGFU_BACKUP_DIR)",
        )
        parser.add_argument(
            "--keep-days", type=int, help="afterwards keep the newest backup of N recent days"
        )
        parser.add_argument("--keep-months", type=int, default=0, help="… and of M recent months")
        add_language_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        activate(options["lang"])
        keep_days = options["keep_days"]
        if options["output"] is not None and keep_days is not None:
            self.stderr.write(_("--keep-days 只用于默认备份目录（不与 -o 同用）。"))
            sys.exit(2)
        # File names follow the real wall clock in the office's zone, never BANGFU_TODAY.
        output: Path = options["output"] or scheduled_backup_path(
            Path(settings.BACKUP_DIR), timezone.localtime()
        )
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
        if keep_days is not None:
            deleted = prune_backups(
                directory=output.parent, keep_days=max(keep_days, 1), keep_months=options["keep_months"]
            )
            for path in deleted:
                self.stdout.write(_("已删除过期的备份 %(path)s") % {"path": path})
