from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.models import ApiToken, User
from bangfu.accounts.services import revoke_api_token
from bangfu.core.management.commands._language import LanguageCommand


class Command(LanguageCommand):
    help = "List a user's API tokens or revoke one: `bangfu tokens list USERNAME`, `tokens revoke ID`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="id, name, last four, created, expires, state")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="revoke one token by its id")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(_("用户不存在：%(user)s") % {"user": options["username"]})
            now = timezone.now()
            for token in ApiToken.objects.filter(user=user).order_by("-created_at"):
                if token.revoked_at is not None:
                    state = _("已撤销")
                elif token.expires_at is not None and token.expires_at <= now:
                    state = _("已过期")
                else:
                    state = _("有效")
                expires = token.expires_at.date().isoformat() if token.expires_at else "-"
                self.stdout.write(
                    f"{token.pk}\t{token.name or '-'}\t…{token.hint}\t"
                    f"{token.created_at.date().isoformat()}\t{expires}\t{state}"
                )
            return
        found = ApiToken.objects.select_related("user").filter(pk=options["token_id"]).first()
        if found is None:
            raise CommandError(_("令牌不存在：%(id)s") % {"id": options["token_id"]})
        revoke_api_token(actor=None, token=found)
        self.stdout.write(
            _("已撤销令牌 %(id)s（%(user)s …%(hint)s）")
            % {"id": found.pk, "user": found.user.username, "hint": found.hint}
        )
