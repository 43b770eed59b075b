from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from bangfu.core.demo import seed_demo
from bangfu.core.management.commands.seed_demo import print_logins


class Command(BaseCommand):
    help = "Migrate, load the demo county and serve it (default 127.0.0.1:8000)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000", help="HOST:PORT to serve on")
        parser.add_argument("--no-serve", action="store_true", help="prepare the database and stop")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        counts = seed_demo()
        self.stdout.write(
            f"demo county ready: {counts['areas']} areas, {counts['organisations']} organisations"
        )
        print_logins(self.stdout.write)
        if options["no_serve"]:
            return
        self.stdout.write(f"serving http://{options['addr']}/  (Ctrl-C to stop)")
        call_command("runserver", options["addr"], use_reloader=False)
