"""Projects' money agrees with the ledger (for `bangfu check-integrity`): a paid disbursement's
debit is its amount, an allocation's credit is its amount."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import F, Q
from django.utils.translation import gettext as _

from bangfu.core.integrity import Breach
from bangfu.projects.models import Allocation, Disbursement, DisbursementStatus

KIND = "ledger"


def check_disbursements() -> Iterator[Breach]:
    bad = (
        Disbursement.objects.filter(status=DisbursementStatus.PAID)
        .filter(
            ~Q(entry__amount=-F("amount"))
            | ~Q(entry__source_type="projects.disbursement")
            | ~Q(entry__account_id=F("project__account_id"))
        )
        .order_by("id")
        .values_list("id", "project__code", "amount", "entry_id")
    )
    for pk, code, amount, entry_id in bad[:20]:
        yield Breach(
            KIND,
            _("项目 %(code)s：已支付的拨付申请 #%(id)s（%(amount)s 元）与其支付分录 #%(entry)s 不符")
            % {"code": code, "id": pk, "amount": f"{amount:,.2f}", "entry": entry_id},
        )


def check_allocations() -> Iterator[Breach]:
    bad = (
        Allocation.objects.filter(
            ~Q(entry__amount=F("amount")) | ~Q(entry__account_id=F("project__account_id"))
        )
        .order_by("id")
        .values_list("id", "project__code", "amount", "entry_id")
    )
    for pk, code, amount, entry_id in bad[:20]:
        yield Breach(
            KIND,
            _("项目 %(code)s：资金到位 #%(id)s（%(amount)s 元）与其拨入分录 #%(entry)s 不符")
            % {"code": code, "id": pk, "amount": f"{amount:,.2f}", "entry": entry_id},
        )


CHECKS = [check_disbursements, check_allocations]
