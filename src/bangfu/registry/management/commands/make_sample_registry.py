"""`bangfu make-sample-registry --households N -o FILE.xlsx [--seed S]`: synthetic exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.areas.models import Area, Level, county_code_of
from bangfu.core.demo import COUNTY_CODE
from bangfu.registry.sample import VillageSpec, generate_rows, write_csv, write_xlsx


class Command(BaseCommand):
    help = "生成逼真的建档立卡人员样例表（有效证件号码、合理年龄、含中职和高职高专在校生）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--households", type=int, required=True)
        parser.add_argument("-o", "--output", type=Path, required=True, help=".xlsx 或 .csv")
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument("--county", default=COUNTY_CODE, help="县的12位区划代码（默认演示县）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["households"] < 1:
            raise CommandError("--households 至少为1")
        villages = [
            VillageSpec(v.parent.parent.name, v.parent.name, v.name, v.code)
            for v in Area.objects.filter(
                level=Level.VILLAGE, code__startswith=county_code_of(options["county"])
            )
            .select_related("parent__parent")
            .order_by("code")
            if v.parent and v.parent.parent
        ]
        if not villages:
            raise CommandError("该县没有行政村；请先导入区划（bangfu load-areas 或 bangfu seed-demo）")
        rows = generate_rows(villages, households=options["households"], seed=options["seed"])
        out: Path = options["output"]
        if out.suffix.lower() == ".csv":
            out.write_bytes(write_csv(rows))
        else:
            write_xlsx(rows, out)
        self.stdout.write(f"已生成 {options['households']} 户 {len(rows)} 人 → {out}")
