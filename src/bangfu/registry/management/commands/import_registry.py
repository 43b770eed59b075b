"""`bangfu import-registry FILE [--as-of DATE] [--dry-run] [--errors OUT.xlsx] [--full] [--strict-areas]`."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from bangfu.core.management.commands._language import LanguageCommand
from bangfu.registry.importer import FileProblem
from bangfu.registry.services import import_registry, write_error_file

MAX_MESSAGES = 20


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("--as-of 应为日期 YYYY-MM-DD，实为“%(text)s”") % {"text": text}) from None


def _phase_labels() -> dict[str, str]:
    """The import's phases (the writer's progress callbacks) in words, in their order."""
    return {
        "read": _("读取校验"),
        "areas": _("核对区划"),
        "households": _("写入户"),
        "members": _("写入成员"),
        "history": _("写入历史"),
    }


class ProgressLine:
    """The import's phases as one progress line: `[2/5] 核对区划：1,234 行`. On a terminal the
    line is rewritten in place; otherwise (a log, a pipe) each finished phase is one line."""

    def __init__(self, stream: TextIO, *, interactive: bool) -> None:
        self.stream = stream
        self.interactive = interactive
        self.labels = _phase_labels()
        self.open = False

    def __call__(self, done: int, total: int, phase: str) -> None:
        steps = list(self.labels)
        step = steps.index(phase) + 1 if phase in self.labels else len(steps)
        label = self.labels.get(phase, _("写入中"))
        text = _("[%(step)s/%(steps)s] %(phase)s：%(rows)s 行") % {
            "step": step,
            "steps": len(steps),
            "phase": label,
            "rows": f"{done:,}",
        }
        if self.interactive:
            self.stream.write(f"\r{text}…")
            self.open = True
        elif phase != "read" or done == total:  # reading reports every window; log it once, at its end
            self.stream.write(f"{text}\n")
        self.stream.flush()

    def end(self) -> None:
        if self.open:
            self.stream.write("\n")
            self.open = False


class Command(LanguageCommand):
    help = "导入全国扶贫开发信息系统导出的建档立卡人员表（.xlsx/.xls/.csv）。最后一行输出 JSON 统计。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as-of", type=_date, default=None, help="数据日期（默认今天）：导出数据所反映的日期"
        )
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument("--errors", type=Path, default=None, help="把被拒绝的行写入该 .xlsx 文件")
        parser.add_argument(
            "--full", action="store_true", help="文件是所涉村的完整名单：未出现的成员标记为减员"
        )
        parser.add_argument("--strict-areas", action="store_true", help="未知乡镇/村时拒绝该行，而不是新建")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            self.stderr.write(_("文件不存在：%(file)s") % {"file": path})
            raise SystemExit(2)
        interactive = sys.stderr.isatty()

        progress = ProgressLine(sys.stderr, interactive=interactive)

        try:
            summary = import_registry(
                actor=None,
                path=path,
                as_of=options["as_of"],
                dry_run=options["dry_run"],
                full=options["full"],
                strict_areas=options["strict_areas"],
                progress=progress,
            )
        except FileProblem as exc:
            progress.end()
            self.stderr.write(_("导入失败，未写入任何数据：%(reason)s") % {"reason": exc})
            raise SystemExit(2) from exc
        progress.end()
        for error in summary.errors[:MAX_MESSAGES]:
            self.stderr.write(_("第%(row)s行被拒绝：%(reason)s") % {"row": error.row, "reason": error.reason})
        if len(summary.errors) > MAX_MESSAGES:
            self.stderr.write(_("……另有%(n)s行被拒绝") % {"n": len(summary.errors) - MAX_MESSAGES})
        for message in summary.warning_messages[:MAX_MESSAGES]:
            self.stderr.write(_("提示：%(message)s") % {"message": message})
        if len(summary.warning_messages) > MAX_MESSAGES:
            self.stderr.write(_("……另有%(n)s条提示") % {"n": len(summary.warning_messages) - MAX_MESSAGES})
        if options["errors"] is not None:
            write_error_file(source=path, summary=summary, out=options["errors"])
        self.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False))
