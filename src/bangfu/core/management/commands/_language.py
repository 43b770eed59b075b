"""`--lang` for the operations commands: Chinese by default, English on request."""

from __future__ import annotations

import os

from django.core.management.base import CommandParser
from django.utils import translation

LANGUAGES = ("zh-hans", "en")


def add_language_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=os.environ.get("BANGFU_LANG") or "zh-hans",
        help="language of the messages (default zh-hans, or $BANGFU_LANG)",
    )


def activate(language: str) -> None:
    translation.activate(language)
