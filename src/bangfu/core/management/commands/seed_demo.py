from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bangfu.core.demo import DEMO_USERS, demo_password, seed_demo


class Command(BaseCommand):
    help = "Load the demo county (areas, organisations, one user per role). Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = seed_demo()
        self.stdout.write(
            f"demo county ready: {counts['areas']} areas, {counts['organisations']} organisations, "
            f"{counts['users']} demo users"
        )
        print_logins(self.stdout.write)


def print_logins(write: Any) -> None:
    write(f"demo logins (password: {demo_password()}):")
    for user in DEMO_USERS:
        write(f"  {user.username:<10} {user.role}")
