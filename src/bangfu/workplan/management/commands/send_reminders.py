from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from bangfu.areas.models import Area
from bangfu.core.management.commands._language import LanguageCommand
from bangfu.workplan.models import Plan
from bangfu.workplan.services import send_reminders


class Command(LanguageCommand):
    help = "Send in-app reminders for last month's missing ledger reports (once per user and report)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--county", help="12-digit county code (default: every county with a plan)")

    def handle(self, *args: Any, **options: Any) -> None:
        counties = Area.objects.filter(pk__in=Plan.objects.values("county_id"))
        if options["county"]:
            counties = counties.filter(code=options["county"])
        for county in counties:
            sent = send_reminders(actor=None, county=county)
            self.stdout.write(
                _("%(code)s %(name)s：已发送提醒%(n)s条")
                % {"code": county.code, "name": county.name, "n": sent}
            )
