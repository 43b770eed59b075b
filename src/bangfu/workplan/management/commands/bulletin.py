from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from bangfu.core.management.commands._language import LanguageCommand
from bangfu.workplan.bulletin import build_bulletin, issue_bulletin
from bangfu.workplan.management.commands._common import add_county_argument, resolve_county, resolve_plan


class Command(LanguageCommand):
    help = (
        "Write the monthly bulletin (通报) as an official document, Word or PDF by the file's suffix. "
        "It takes the year's next 发文字号 (or 期号) unless it has one or --draft is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("-o", "--output", type=Path, required=True, help="FILE.docx or FILE.pdf")
        parser.add_argument("--number", type=int, help="the number from the office's own register")
        parser.add_argument("--draft", action="store_true", help="leave the number blank; register nothing")
        add_county_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            y, m = options["month"].split("-")
            month = date(int(y), int(m), 1)
        except ValueError:
            raise CommandError(_("--month 应为年月 YYYY-MM。")) from None
        plan = resolve_plan(resolve_county(options["county"]), month.year)
        output: Path = options["output"]
        fmt = "pdf" if output.suffix.lower() == ".pdf" else "docx"
        number = None
        if not options["draft"]:
            try:
                number = issue_bulletin(actor=None, plan=plan, month=month, number=options["number"])
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from None
        output.write_bytes(build_bulletin(plan, month, fmt=fmt, number=number))
        if number:
            self.stdout.write(_("已写入 %(file)s（%(number)s）") % {"file": output, "number": number.label})
        else:
            self.stdout.write(_("已写入 %(file)s（草稿，未编号）") % {"file": output})
