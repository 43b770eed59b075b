from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bangfu.network.services import expire_claims


class Command(BaseCommand):
    help = "Expire claims on household needs that were not delivered in time (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = expire_claims(actor=None)
        self.stdout.write(f"expired claims: {count}")
