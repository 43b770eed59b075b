from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from bangfu.accounts.models import User
from bangfu.accounts.services import create_api_token
from bangfu.core.management.commands._language import LanguageCommand


class Command(LanguageCommand):
    help = "Create an API token for USERNAME and print it (shown once; only its hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("用户不存在：%(user)s") % {"user": options["username"]})
        if not user.is_active:
            raise CommandError(_("用户已停用：%(user)s") % {"user": user.username})
        _token, raw = create_api_token(actor=None, user=user, name=options["name"])
        self.stdout.write(raw)
