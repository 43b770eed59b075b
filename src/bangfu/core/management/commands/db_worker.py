"""`bangfu db_worker`: django-tasks-db's worker, plus the heartbeat `bangfu doctor` checks."""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from bangfu.core.heartbeat import beating


class Command(DatabaseWorkerCommand):
    help = "Run the background task worker (django-tasks-db), writing a heartbeat for `bangfu doctor`."

    def handle(self, *args: Any, **options: Any) -> None:
        with beating():
            super().handle(*args, **options)
