"""`bangfu restore FILE [--force]`: restore a backup into an empty database (all or nothing)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from bangfu.core.backup import BackupError, restore

from ._language import activate, add_language_argument


class Command(BaseCommand):
    help = (
        "Restore a `bangfu backup` file into an empty database (stop the server first). "
        "--force replaces a database that holds data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the target even if it holds data (its current contents are lost)",
        )
        add_language_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        activate(options["lang"])
        path: Path = options["file"]
        if not path.exists():
            self.stderr.write(_("文件不存在：%(path)s") % {"path": path})
            sys.exit(2)
        try:
            result = restore(path=path, force=options["force"], progress=self.stdout.write)
        except BackupError as exc:
            self.stderr.write(_("恢复失败：%(err)s") % {"err": exc})
            sys.exit(1)
        manifest = result.manifest
        self.stdout.write(
            _("已恢复 %(path)s（%(created)s 的备份）：%(tables)s 张表，%(rows)s 行，与备份清单一致。")
            % {
                "path": path,
                "created": manifest["created_at"],
                "tables": len(manifest["tables"]),
                "rows": sum(manifest["tables"].values()),
            }
        )
        if result.migrated:
            self.stdout.write(
                _("已把数据库结构升级到本程序的版本（%(n)s 个迁移）。") % {"n": len(result.migrated)}
            )
        self.stdout.write(_("建议接着运行 bangfu check-integrity。"))
