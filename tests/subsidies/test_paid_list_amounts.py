"""Paid-list amounts: one parser, range-checked before rounding; a stored row never breaks the
reconciliation (issue #18)."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from bangfu.lib import idnumbers
from bangfu.registry.models import Schooling
from bangfu.subsidies.models import YuluPayment
from bangfu.subsidies.services import import_paid_list

from .conftest import make_household, make_member


def _id(seq: int) -> str:
    first17 = f"51332520030101{seq:03d}"
    return first17 + idnumbers.check_character(first17)


@pytest.fixture
def student(spring):
    return make_member(make_household("H1"), 1, schooling=Schooling.SECONDARY_VOCATIONAL_1)


def _paid_list(amount: str) -> bytes:
    return f"证件号码,金额,发放日期\n{_id(1)},{amount},2020-05-20\n".encode()


@pytest.mark.parametrize("amount", ["99999999999999999999", "1e20", "1e30", "NaN", "-1500", "1500.001"])
def test_it_refuses_amounts_out_of_range_before_rounding(spring, student, tmp_path, capsys, amount):
    path = tmp_path / "list.csv"
    path.write_bytes(_paid_list(amount))
    with pytest.raises(CommandError):
        call_command("yulu_record_payments", "--term", spring.code, str(path))
    assert "第2行：金额" in capsys.readouterr().err
    assert YuluPayment.objects.count() == 0


def test_it_refuses_a_payment_above_the_terms_standard(spring, student):
    with pytest.raises(Exception) as refused:
        import_paid_list(actor=None, term=spring, data=_paid_list("1500.01"), filename="list.csv")
    assert "上限 1,500.00 元" in str(refused.value)
    assert YuluPayment.objects.count() == 0


def test_the_largest_amount_accepted_is_stored_and_reconciled(
    spring, student, county_admin, client_for, capsys
):
    assert (
        import_paid_list(actor=None, term=spring, data=_paid_list(str(spring.amount)), filename="l.csv") == 1
    )
    assert YuluPayment.objects.get().amount == spring.amount
    response = client_for(county_admin).get(reverse("subsidies:reconciliation_file", args=[spring.code]))
    assert response.status_code == 200
    call_command("yulu_reconcile", "--term", spring.code)
    assert '"paid": 1' in capsys.readouterr().out


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="only SQLite can hold an out-of-range amount")
def test_a_stored_out_of_range_row_does_not_break_reconciliation(
    spring, student, county_admin, client_for, capsys
):
    """A row written before the range check (SQLite stores any number): the workbook and the CLI
    still work, and `bangfu check-integrity` names the row."""
    import_paid_list(actor=None, term=spring, data=_paid_list("1500"), filename="l.csv")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE subsidies_yulupayment SET amount = 99999999999999999999")
    response = client_for(county_admin).get(reverse("subsidies:reconciliation_file", args=[spring.code]))
    assert response.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames
    call_command("yulu_reconcile", "--term", spring.code)
    assert '"paid": 1' in capsys.readouterr().out
    with pytest.raises(SystemExit):
        call_command("check_integrity")
    assert "subsidies.yulupayment" in capsys.readouterr().out
    assert YuluPayment.objects.get().amount > Decimal("1e19")
