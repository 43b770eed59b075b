"""`bangfu check-integrity`: invariants the database constraints cannot express on their own.

Each check returns `Breach` rows. The audit chain is checked here; every domain app may add its
own checks in an `integrity.py` module with `CHECKS = [callable, …]` (see `bangfu.modules`).
All checks read one consistent snapshot (REPEATABLE READ on PostgreSQL; on SQLite the check
holds the write lock while it runs, so writers wait for it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

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
        "money_range": _("金额超出范围"),
    }
    return labels.get(kind, kind)


def check_money_in_range() -> Iterator[Breach]:
    """Amounts beyond what the money columns hold (only SQLite can store them: rows written
    before amounts were range-checked, or by hand). They are read as they are
    (`bangfu.core.sqlite3`), so pages and reports still work; they must be corrected."""
    from django.apps import apps
    from django.db import models

    from bangfu.lib.money import MAX_AMOUNT

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.DecimalField) or field.decimal_places != 2:
                continue
            limit = Decimal(10) ** (field.max_digits - 2) if field.max_digits else MAX_AMOUNT
            wide = model._default_manager.filter(
                **{f"{field.name}__gte": limit}
            ) | model._default_manager.filter(**{f"{field.name}__lte": -limit})
            for pk in wide.order_by("pk").values_list("pk", flat=True)[:MAX_LISTED]:
                yield Breach(
                    "money_range",
                    _("%(table)s #%(pk)s 的 %(field)s 超出可记录的范围（须小于 %(limit)s）")
                    % {"table": model._meta.label_lower, "pk": pk, "field": field.name, "limit": limit},
                )


def all_checks() -> list[tuple[str, Check]]:
    from bangfu.audit.integrity import CHECKS as AUDIT_CHECKS

    checks: list[tuple[str, Check]] = [("audit", check) for check in AUDIT_CHECKS]
    checks.append(("core", check_money_in_range))
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
