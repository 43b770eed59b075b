"""`bangfu make-sample-registry --households N -o FILE.xlsx [--seed S]`: synthetic exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from bangfu.areas.models import Area, Level, county_code_of
from bangfu.core.demo import COUNTY_CODE
from bangfu.core.management.commands._language import LanguageCommand
from bangfu.lib.crypto import blind_index
from bangfu.lib.idnumbers import check_character
from bangfu.registry.models import Household, Member
from bangfu.registry.sample import VillageSpec, generate_rows, write_csv, write_xlsx
from bangfu.registry.services import ID_INDEX_PURPOSE


class _RegisteredIds(set[str]):
    """The IDs the generator must not hand out: those it made already (the set itself) and those
    of people already registered in the county (looked up through the blind index), so a sample
    imported into the demo county never clashes with the demo's own people."""

    def __init__(self, county_prefix: str) -> None:
        super().__init__()
        self.registered = set(
            Member.objects.filter(county__code__startswith=county_prefix).values_list(
                "id_number_index", flat=True
            )
        )

    def __contains__(self, first17: object) -> bool:
        if super().__contains__(first17):
            return True
        if not self.registered or not isinstance(first17, str):
            return False
        number = first17 + check_character(first17)
        return blind_index(number, purpose=ID_INDEX_PURPOSE) in self.registered


def _next_household_number(county_prefix: str) -> int:
    """After the county's highest household sequence (the last 5 digits of 户编号), so the sample's
    households are new ones rather than updates of registered households."""
    households = Household.objects.filter(county__code__startswith=county_prefix)
    numbers = households.values_list("number", flat=True)
    tails = [int(n[-5:]) for n in numbers if n[-5:].isdigit()]
    return max(tails, default=0) + 1


class Command(LanguageCommand):
    help = "生成逼真的建档立卡人员样例表（有效证件号码、合理年龄、含中职和高职高专在校生）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--households", type=int, required=True)
        parser.add_argument("-o", "--output", type=Path, required=True, help=".xlsx 或 .csv")
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument("--county", default=COUNTY_CODE, help="县的12位区划代码（默认演示县）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["households"] < 1:
            raise CommandError(_("--households 至少为1"))
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
            raise CommandError(_("该县没有行政村；请先导入区划（bangfu load-areas 或 bangfu seed-demo）"))
        county_code = county_code_of(options["county"])
        rows = generate_rows(
            villages,
            households=options["households"],
            seed=options["seed"],
            start_number=_next_household_number(county_code),
            used_ids=_RegisteredIds(county_code),
        )
        out: Path = options["output"]
        if out.suffix.lower() == ".csv":
            out.write_bytes(write_csv(rows))
        else:
            write_xlsx(rows, out)
        self.stdout.write(
            _("已生成 %(households)s 户 %(people)s 人 → %(file)s")
            % {"households": options["households"], "people": len(rows), "file": out}
        )
