"""`bangfu monitoring-policy --county CODE --year 2020 [--standard 4000] [--factor 1.5] ...`:
show or set a county's monitoring settings for a year."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from bangfu.areas.models import Area, Level
from bangfu.core.management.commands._language import LanguageCommand
from bangfu.monitoring.selectors import policy_for
from bangfu.monitoring.services import set_policy

FIELDS = ("stable_months", "publicity_days", "visit_days", "lead_days")


class Command(LanguageCommand):
    help = "查看或设置某县某年度的防返贫监测设置（监测线、稳定月数、公示天数等）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--county", required=True)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--standard", type=Decimal, help="国家扶贫标准（元/人·年）")
        parser.add_argument("--factor", type=Decimal, help="监测线倍数")
        parser.add_argument("--medical-threshold", type=Decimal)
        for name in FIELDS:
            parser.add_argument(f"--{name.replace('_', '-')}", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        county = Area.objects.filter(code=options["county"], level=Level.COUNTY).first()
        if county is None:
            raise CommandError(_("找不到县：%(county)s") % {"county": options["county"]})
        current = policy_for(county, options["year"])
        changes = {name: options[name] for name in FIELDS if options[name] is not None}
        if options["standard"] or options["factor"] or options["medical_threshold"] or changes:
            values = {name: getattr(current, name) for name in FIELDS}
            values.update(changes)
            try:
                current = set_policy(
                    actor=None,
                    county=county,
                    year=options["year"],
                    national_standard=options["standard"] or current.national_standard,
                    line_factor=options["factor"] or current.line_factor,
                    medical_threshold=options["medical_threshold"] or current.medical_threshold,
                    **values,
                )
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(
            _(
                "%(year)s年：国家标准%(standard)s元 × %(factor)s = 监测线%(line)s元；收入稳定%(stable)s个月；"
                "公示%(publicity)s天；走访间隔%(visit)s天；线索核实%(lead)s天；医疗费用预警线%(medical)s元"
            )
            % {
                "year": current.year,
                "standard": current.national_standard,
                "factor": current.line_factor,
                "line": current.line,
                "stable": current.stable_months,
                "publicity": current.publicity_days,
                "visit": current.visit_days,
                "lead": current.lead_days,
                "medical": current.medical_threshold,
            }
        )
