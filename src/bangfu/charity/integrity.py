"""Charity's money agrees with the ledger (for `bangfu check-integrity`): an approved (or later
reversed) spending's debit is its amount, on its campaign's pool."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from bangfu.charity.models import Spending, SpendingStatus
from bangfu.core.integrity import Breach
from bangfu.ledger.models import Entry


def check_spendings() -> Iterator[Breach]:
    spendings = list(
        Spending.objects.filter(status__in=[SpendingStatus.APPROVED, SpendingStatus.REVERSED])
        .order_by("id")
        .values_list("id", "campaign__code", "amount", "ledger_ref")
    )
    refs = [int(ref) for *_rest, ref in spendings if ref.isdigit()]
    entries = {
        pk: (amount, source_type, source_id)
        for pk, amount, source_type, source_id in Entry.objects.filter(pk__in=refs).values_list(
            "id", "amount", "source_type", "source_id"
        )
    }
    found = 0
    for pk, code, amount, ref in spendings:
        entry = entries.get(int(ref)) if ref.isdigit() else None
        if entry == (-amount, "charity.spending", str(pk)):
            continue
        found += 1
        if found <= 20:
            yield Breach(
                "ledger",
                _("募捐活动 %(code)s：已批准的资金使用 #%(id)s（%(amount)s 元）与其支出分录 %(ref)s 不符")
                % {"code": code, "id": pk, "amount": f"{amount:,.2f}", "ref": ref or "-"},
            )


CHECKS = [check_spendings]
