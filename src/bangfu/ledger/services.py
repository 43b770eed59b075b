"""Every write to the ledger. Callers (projects, charity) post through these functions only.

Concurrency: `post_entry` and `reverse_entry` lock the account row (SELECT … FOR UPDATE on
PostgreSQL) before reading the balance, so two payments racing for the same money are serialised
and the second sees the first. On SQLite the settings open every transaction with BEGIN IMMEDIATE,
which serialises writers the same way.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from bangfu.areas.models import Area, Level
from bangfu.audit.services import record_audit
from bangfu.ledger.models import Account, AccountKind, Entry, EntryKind
from bangfu.ledger.selectors import account_balance
from bangfu.lib.clock import today
from bangfu.lib.money import clean_amount

if TYPE_CHECKING:
    from bangfu.accounts.models import User


class InsufficientBalance(ValidationError):
    """The entry would make the account's balance negative."""

    def __init__(self, *, account: Account, balance: Decimal, amount: Decimal) -> None:
        super().__init__(
            _("余额不足：%(account)s 当前余额 %(balance)s 元，本次需 %(amount)s 元。")
            % {"account": account.name, "balance": f"{balance:,.2f}", "amount": f"{amount:,.2f}"},
            code="insufficient_balance",
        )
        self.account = account
        self.balance = balance
        self.amount = amount


def _clean_amount(amount: Decimal) -> Decimal:
    if not isinstance(amount, Decimal):
        raise ValidationError({"amount": _("金额必须是十进制数。")})
    return clean_amount(amount)


def _lock(account: Account) -> Account:
    """Re-read the account under a row lock: concurrent posts to it wait here."""
    return Account.objects.select_for_update().get(pk=account.pk)


def _require_poster(actor: User | None) -> None:
    """The ledger is written only by other services (projects, charity, subsidies) after their own
    scope checks; it checks that the actor holds a role that can move money at all."""
    from bangfu.accounts.models import Role
    from bangfu.accounts.scopes import require_actor_in

    require_actor_in(
        actor, None, Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK, Role.VILLAGE_OFFICER, Role.UNIT_REPORTER
    )


@transaction.atomic
def open_account(
    *,
    actor: User | None,
    county: Area,
    kind: str,
    reference: str,
    name: str,
    earmark_area: Area | None = None,
    earmark_purpose: str = "",
) -> Account:
    """Open the fund account for a business object. Opening it twice is refused."""
    _require_poster(actor)
    if county.level != Level.COUNTY:
        raise ValidationError({"county": _("所属县必须是县级区划。")})
    if kind not in AccountKind.values:
        raise ValidationError({"kind": _("账户类型无效。")})
    if earmark_area is not None and not earmark_area.code.startswith(county.prefix):
        raise ValidationError({"earmark_area": _("定向区划不在该县内。")})
    if Account.objects.filter(county=county, reference=reference).exists():
        raise ValidationError({"reference": _("该对象的资金账户已存在：%(ref)s。") % {"ref": reference}})
    account = Account(
        county=county,
        kind=kind,
        reference=reference,
        name=name,
        earmark_area=earmark_area,
        earmark_purpose=earmark_purpose,
    )
    account.full_clean()
    account.save()
    record_audit(
        actor=actor,
        action="ledger.open_account",
        target=account,
        after={"reference": reference, "kind": kind, "name": name},
        county=county,
    )
    return account


def get_or_open_account(*, actor: User | None, county: Area, kind: str, reference: str, name: str) -> Account:
    _require_poster(actor)
    existing = Account.objects.filter(county=county, reference=reference).first()
    if existing is not None:
        return existing
    return open_account(actor=actor, county=county, kind=kind, reference=reference, name=name)


@transaction.atomic
def post_entry(
    *,
    actor: User | None,
    account: Account,
    kind: str,
    amount: Decimal,
    memo: str = "",
    source: models.Model | None = None,
    source_type: str = "",
    source_id: str = "",
    occurred_on: date | None = None,
) -> Entry:
    """Post a credit or a debit. `amount` is the positive magnitude; the sign follows `kind`.

    A debit that would make the balance negative raises `InsufficientBalance` and writes nothing.
    """
    _require_poster(actor)
    if kind not in (EntryKind.CREDIT, EntryKind.DEBIT):
        raise ValidationError({"kind": _("只能记拨入或支出；冲正请用 reverse_entry。")})
    magnitude = _clean_amount(amount)
    signed = magnitude if kind == EntryKind.CREDIT else -magnitude
    locked = _lock(account)
    balance = account_balance(locked)
    if balance + signed < 0:
        raise InsufficientBalance(account=locked, balance=balance, amount=magnitude)
    if source is not None:
        source_type = source_type or source._meta.label_lower
        source_id = source_id or str(source.pk)
    entry = Entry.objects.create(
        account=locked,
        county_id=locked.county_id,
        kind=kind,
        amount=signed,
        memo=memo,
        source_type=source_type,
        source_id=source_id,
        actor=actor if actor is not None and actor.pk else None,
        occurred_on=occurred_on or today(),
    )
    record_audit(
        actor=actor,
        action=f"ledger.{kind}",
        target=entry,
        after={
            "account": locked.reference,
            "amount": str(signed),
            "balance": str(balance + signed),
            "source": f"{source_type}:{source_id}" if source_type else "",
        },
        county=locked.county,
    )
    return entry


@transaction.atomic
def reverse_entry(*, actor: User | None, entry: Entry, reason: str) -> Entry:
    """Cancel an entry by posting its opposite. A reversal cannot itself be reversed, an entry is
    reversed at most once, and reversing a credit must not make the balance negative."""
    _require_poster(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("冲正必须填写原因。")})
    locked = _lock(entry.account)
    original = Entry.objects.get(pk=entry.pk)
    if original.kind == EntryKind.REVERSAL:
        raise ValidationError(_("冲正分录不能再次冲正。"))
    if Entry.objects.filter(reverses=original).exists():
        raise ValidationError(_("该分录已被冲正。"))
    balance = account_balance(locked)
    signed = -original.amount
    if balance + signed < 0:
        raise InsufficientBalance(account=locked, balance=balance, amount=original.amount)
    reversal = Entry.objects.create(
        account=locked,
        county_id=locked.county_id,
        kind=EntryKind.REVERSAL,
        amount=signed,
        reverses=original,
        memo=reason[:500],
        source_type=original.source_type,
        source_id=original.source_id,
        actor=actor if actor is not None and actor.pk else None,
        occurred_on=today(),
    )
    record_audit(
        actor=actor,
        action="ledger.reversal",
        target=reversal,
        after={"account": locked.reference, "reverses": original.pk, "amount": str(signed)},
        reason=reason[:500],
        county=locked.county,
    )
    return reversal
