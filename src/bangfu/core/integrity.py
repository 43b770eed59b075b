"""`bangfu check-integrity`: invariants the database constraints cannot express on their own.

Each check returns `Breach` rows. The audit chain is checked here; every domain app may add its
own checks in an `integrity.py` module with `CHECKS = [callable, …]` (see `bangfu.modules`).
All checks read one consistent snapshot (REPEATABLE READ on PostgreSQL; on SQLite the check
holds the write lock while it runs, so writers wait for it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils.translation import gettext as _

from bangfu.modules import provided

# How many breaches of one check are listed before "… and N more".
MAX_LISTED = 20


@dataclass(frozen=True)
class Breach:
    # Stable machine-readable kind: audit_chain, audit_pending, ledger, duplicate_payment, …
    kind: str
    message: str


Check = Callable[[], Iterable[Breach]]


def kind_label(kind: str) -> str:
    labels = {
        "audit_chain": _("审计链断裂"),
        "audit_pending": _("审计记录未入链"),
        "ledger": _("资金账目不一致"),
        "duplicate_payment": _("重复发放"),
    }
    return labels.get(kind, kind)


def all_checks() -> list[tuple[str, Check]]:
    from bangfu.audit.integrity import CHECKS as AUDIT_CHECKS

    checks: list[tuple[str, Check]] = [("audit", check) for check in AUDIT_CHECKS]
    for label, module in provided("integrity"):
        checks.extend((label, check) for check in module.CHECKS)
    return checks


def run_checks() -> list[Breach]:
    breaches: list[Breach] = []
    # Inside a caller's transaction (tests) the snapshot is the caller's.
    own_snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if own_snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for _label, check in all_checks():
            breaches.extend(check())
    return breaches
