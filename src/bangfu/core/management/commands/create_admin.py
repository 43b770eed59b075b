"""`bangfu create-admin USERNAME --county CODE [--lang en]`: the first county administrator of a
new installation (after `bangfu load-areas`); from then on administrators add users in the web
pages. The password is asked twice, or read from BANGFU_ADMIN_PASSWORD (scripts)."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role
from bangfu.accounts.services import create_user
from bangfu.areas.models import Area

from ._language import activate, add_language_argument


class Command(BaseCommand):
    help = "Create a county administrator: bangfu create-admin USERNAME --county 12-DIGIT-CODE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--county", required=True, help="the county's 12-digit area code")
        add_language_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        activate(options["lang"])
        county = Area.objects.filter(code=options["county"]).first()
        if county is None:
            raise CommandError(
                _("没有代码为 %(code)s 的区域：先用 bangfu load-areas 载入区划。")
                % {"code": options["county"]}
            )
        password = os.environ.get("BANGFU_ADMIN_PASSWORD") or self._ask_password()
        try:
            user = create_user(
                actor=None,
                username=options["username"],
                password=password,
                role=Role.COUNTY_ADMIN,
                area=county,
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(
            _("已创建县级管理员 %(user)s（%(county)s），可以登录了。")
            % {"user": user.username, "county": county.name}
        )

    def _ask_password(self) -> str:
        password = getpass.getpass(_("密码："))
        if password != getpass.getpass(_("再输入一次：")):
            raise CommandError(_("两次输入的密码不一致，未创建用户。"))
        return password
