"""`bangfu export-registry -o FILE.xlsx [--county CODE]`: the registry in the import layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from bangfu.areas.models import Area, Level
from bangfu.audit.services import record_audit
from bangfu.core.filemodes import PRIVATE_FILE
from bangfu.core.management.commands._language import LanguageCommand
from bangfu.registry.exporter import export_rows
from bangfu.registry.models import Member
from bangfu.registry.sample import write_xlsx


class Command(LanguageCommand):
    help = "导出建档立卡人员表（与导入格式相同，可再次导入）。文件含完整证件号码，请妥善保管。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", type=Path, required=True)
        parser.add_argument("--county", default=None, help="县的12位区划代码（默认全部）")

    def handle(self, *args: Any, **options: Any) -> None:
        members = Member.objects.all()
        county: Area | None = None
        if options["county"]:
            county = Area.objects.filter(code=options["county"], level=Level.COUNTY).first()
            if county is None:
                raise CommandError(_("县代码“%(code)s”不存在") % {"code": options["county"]})
            members = members.filter(county=county)
        rows = list(export_rows(members))
        write_xlsx(rows, options["output"])
        options["output"].chmod(PRIVATE_FILE)  # full ID numbers: bangfu's user's alone
        record_audit(
            actor=None,
            action="registry.export",
            target_type="registry.member",
            after={"file": options["output"].name, "members": len(rows)},
            county=county,
        )
        self.stdout.write(_("已导出 %(n)s 人 → %(file)s") % {"n": len(rows), "file": options["output"]})
