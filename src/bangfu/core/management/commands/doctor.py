"""`bangfu doctor [--lang en]`: check this deployment; exit 0 when healthy, 1 naming every problem."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from bangfu.core.doctor import Status, check_labels, run_doctor, status_label

from ._language import activate, add_language_argument


class Command(BaseCommand):
    help = (
        "Check this deployment (settings, keys, database, worker, file permissions, disk, time, "
        "backups), each with its fix; exit code 1 on any problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_language_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        activate(options["lang"])
        findings = run_doctor()
        labels = check_labels()
        for finding in findings:
            self.stdout.write(
                _("[%(status)s] %(check)s：%(message)s")
                % {
                    "status": status_label(finding.status),
                    "check": labels[finding.check],
                    "message": finding.message,
                }
            )
            if finding.fix:
                self.stdout.write("    " + _("处理：%(fix)s") % {"fix": finding.fix})
        problems = sum(1 for finding in findings if finding.status == Status.PROBLEM)
        if problems:
            self.stdout.write(_("检查完毕：发现 %(n)s 个问题，见上面的“问题”各条。") % {"n": problems})
            sys.exit(1)
        self.stdout.write(_("检查完毕：没有发现问题。"))
