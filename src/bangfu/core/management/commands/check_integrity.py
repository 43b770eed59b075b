"""`bangfu check-integrity [--lang en]`: exit 0 when clean, 1 on any breach (each one listed)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from bangfu.audit.models import AuditChainHead
from bangfu.core.filemodes import private_problems
from bangfu.core.integrity import kind_label, run_checks
from bangfu.registry.services import recover_stalled_import_jobs

from ._language import activate, add_language_argument


class Command(BaseCommand):
    help = (
        "Check ledger sums, unique payments, amounts and audit continuity (exit code 1 on any breach); "
        "end stalled imports and warn about files others can read."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_language_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        activate(options["lang"])
        # Warnings (exit code unchanged): jobs ended here, files others could read.
        warning = _("警告")
        for job in recover_stalled_import_jobs():
            message = _("导入任务 #%(id)s 已中断，已标记为失败并删除其上传文件。") % {"id": job.pk}
            self.stdout.write(f"[{warning}] {message}")
        for wide in private_problems():
            message = _("%(path)s 的权限过宽，其他用户可读：应为 0600（目录 0700）。") % {"path": wide}
            self.stdout.write(f"[{warning}] {message}")
        breaches = run_checks()
        for breach in breaches:
            self.stdout.write(f"[{kind_label(breach.kind)}] {breach.message}")
        if breaches:
            self.stdout.write(_("完整性检查未通过：发现 %(n)s 处问题。") % {"n": len(breaches)})
            sys.exit(1)
        for head in AuditChainHead.objects.order_by("county_code"):
            self.stdout.write(
                _("审计链 %(chain)s：%(n)s 条，末条哈希 %(hash)s")
                % {"chain": head.county_code or _("（全局）"), "n": head.length, "hash": head.last_hash}
            )
        self.stdout.write(_("完整性检查通过：资金账目、唯一发放与审计链均无问题。"))
