"""`bangfu import-registry FILE [--as-of DATE] [--dry-run] [--errors OUT.xlsx] [--full] [--strict-areas]`."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.registry.importer import FileProblem
from bangfu.registry.services import import_registry, write_error_file

MAX_MESSAGES = 20


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of 应为日期 YYYY-MM-DD，实为“{text}”") from None


class Command(BaseCommand):
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
            self.stderr.write(f"文件不存在：{path}")
            raise SystemExit(2)
        interactive = sys.stderr.isatty()

        def progress(done: int, total: int, phase: str) -> None:
            if interactive:
                label = {
                    "read": "读取校验",
                    "areas": "区划",
                    "households": "写入户",
                    "members": "写入成员",
                }.get(phase, "写入历史")
                sys.stderr.write(f"\r{label}：{done} 行…")
                sys.stderr.flush()
            elif phase != "read":
                sys.stderr.write(f"{phase}\n")
                sys.stderr.flush()

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
            if interactive:
                sys.stderr.write("\n")
            self.stderr.write(f"导入失败，未写入任何数据：{exc}")
            raise SystemExit(2) from exc
        if interactive:
            sys.stderr.write("\n")
        for error in summary.errors[:MAX_MESSAGES]:
            self.stderr.write(f"第{error.row}行被拒绝：{error.reason}")
        if len(summary.errors) > MAX_MESSAGES:
            self.stderr.write(f"……另有{len(summary.errors) - MAX_MESSAGES}行被拒绝")
        for message in summary.warning_messages[:MAX_MESSAGES]:
            self.stderr.write(f"提示：{message}")
        if len(summary.warning_messages) > MAX_MESSAGES:
            self.stderr.write(f"……另有{len(summary.warning_messages) - MAX_MESSAGES}条提示")
        if options["errors"] is not None:
            write_error_file(source=path, summary=summary, out=options["errors"])
        self.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False))
