"""`--lang` for the operations commands: Chinese by default, English on request.

`LanguageCommand` is the base of every operations command: it adds `--lang` (default zh-hans, or
$BANGFU_LANG) and activates that language before `handle`, so its output and its errors
(CommandError messages are gettext strings) come in one language."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

LANGUAGES = ("zh-hans", "en")


def default_language() -> str:
    return os.environ.get("BANGFU_LANG") or "zh-hans"


def add_language_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=default_language(),
        help="language of the messages (default zh-hans, or $BANGFU_LANG)",
    )


def activate(language: str) -> None:
    translation.activate(language)


class LanguageCommand(BaseCommand):
    """An operations command that speaks Chinese by default and English with `--lang en`."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        add_language_argument(parser)
        return parser

    def execute(self, *args: Any, **options: Any) -> Any:
        # Override, not activate: a command run inside a process (call_command) leaves its
        # caller's language as it was.
        with translation.override(options.get("lang") or default_language()):
            return super().execute(*args, **options)
