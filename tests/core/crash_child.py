"""Child process for tests/core/test_crash_safety.py (test code, not part of the product).

    python crash_child.py import FILE [--hang]
    python crash_child.py approve DISBURSEMENT_ID USERNAME [--hang]
    python crash_child.py flag-poor VILLAGE_CODE USERNAME --hang-after-commit

With --hang the service's own audit write (inside its transaction, after every other write) is
wrapped so that it prints INSIDE-TRANSACTION and sleeps: the parent then kills this process with
SIGKILL while the transaction is open. Without --hang the same work simply runs and commits.

With --hang-after-commit the service runs inside an outer transaction whose first after-commit
callback prints COMMITTED and sleeps: callbacks run in the order they were registered, so the
parent kills this process after the commit and before the audit record's seal.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")


def _hang_after(module: Any) -> None:
    real = module.record_audit

    def record_then_hang(**kwargs: Any) -> Any:
        record = real(**kwargs)
        print("INSIDE-TRANSACTION", flush=True)
        time.sleep(600)
        return record

    module.record_audit = record_then_hang


def _hang_after_commit() -> None:
    print("COMMITTED", flush=True)
    time.sleep(600)


def main(argv: list[str]) -> None:
    import django

    django.setup()
    hang = "--hang" in argv
    args = [a for a in argv if a not in {"--hang", "--hang-after-commit"}]
    if "--hang-after-commit" in argv:
        from django.db import transaction

        with transaction.atomic():
            transaction.on_commit(_hang_after_commit)
            run(args, hang=False)
    else:
        run(args, hang=hang)


def run(args: list[str], *, hang: bool) -> None:
    if args[0] == "import":
        from bangfu.registry import services

        if hang:
            _hang_after(services)
        summary = services.import_registry(actor=None, path=args[1], as_of=date(2020, 3, 1))
        print(f"ACCEPTED {summary.accepted}", flush=True)
    elif args[0] == "approve":
        from bangfu.accounts.models import User
        from bangfu.projects import services
        from bangfu.projects.models import Disbursement

        if hang:
            _hang_after(services)
        disbursement = Disbursement.objects.get(pk=int(args[1]))
        done = services.approve_disbursement(
            actor=User.objects.get(username=args[2]), disbursement=disbursement
        )
        print(f"STATUS {done.status}", flush=True)
    elif args[0] == "flag-poor":
        from bangfu.accounts.models import User
        from bangfu.areas.models import Area
        from bangfu.areas.services import set_registered_poor

        area = set_registered_poor(
            actor=User.objects.get(username=args[2]),
            area=Area.objects.get(code=args[1]),
            registered_poor=True,
        )
        print(f"POOR {area.registered_poor}", flush=True)
    else:
        raise SystemExit(f"unknown mode {args[0]}")


if __name__ == "__main__":
    main(sys.argv[1:])
