from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve bangfu with gunicorn (production): bangfu serve [--addr HOST:PORT] [--workers N]."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default=os.environ.get("BANGFU_ADDR", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("BANGFU_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("BANGFU_THREADS", "4")))

    def handle(self, *args: Any, **options: Any) -> None:
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "bangfu.wsgi:application",
            "--bind",
            options["addr"],
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-",
            # Redacts personal data (query strings, ID and mobile numbers) from access and error lines.
            "--logger-class",
            "bangfu.core.logs.GunicornLogger",
            "--timeout",
            "120",
        ]
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn
