from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bangfu.network.services import expire_claims, prune_signup_attempts


class Command(BaseCommand):
    help = (
        "Daily: expire claims on household needs not delivered in time; prune old sign-up throttle counters."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = expire_claims(actor=None)
        pruned = prune_signup_attempts(actor=None)
        self.stdout.write(f"expired claims: {count}; pruned sign-up counters: {pruned}")
