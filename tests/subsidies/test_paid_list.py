from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from bangfu.lib import idnumbers
from bangfu.registry.models import Schooling
from bangfu.subsidies.models import PaymentSource, YuluPayment
from bangfu.subsidies.selectors import reconcile_yulu
from bangfu.subsidies.services import import_paid_list

from .conftest import make_household, make_member


def _id(seq: int) -> str:
    first17 = f"51332520030101{seq:03d}"
    return first17 + idnumbers.check_character(first17)


@pytest.fixture
def students(spring):
    hh = make_household("H1")
    return [make_member(hh, i, schooling=Schooling.SECONDARY_VOCATIONAL_1) for i in (1, 2, 3)]


def test_it_records_a_gb18030_csv_paid_list(spring, students, tmp_path, capsys):
    text = f"证件号码,金额,发放日期\n{_id(1)},1500,2020-05-20\n{_id(2).lower()},1500.00,2020/07/02\n"
    path = tmp_path / "报账清单.csv"
    path.write_bytes(text.encode("gb18030"))
    call_command("yulu_record_payments", "--term", "2020-spring", str(path))
    assert capsys.readouterr().out.strip().splitlines()[-1] == '{"recorded": 2}'
    assert sorted(YuluPayment.objects.values_list("member_id", "amount", "paid_on", "source")) == [
        (students[0].pk, Decimal("1500.00"), date(2020, 5, 20), PaymentSource.RECORDED),
        (students[1].pk, Decimal("1500.00"), date(2020, 7, 2), PaymentSource.RECORDED),
    ]
    assert reconcile_yulu(spring).summary()["late"] == 1


def test_a_bad_row_names_its_row_and_field_and_nothing_is_recorded(spring, students):
    text = (
        "证件号码,金额,发放日期\n"
        f"{_id(1)},1500,2020-05-20\n"
        f"{_id(9)},1500,2020-05-20\n"
        f"{_id(1)},1500,2020-05-21\n"
        f"{_id(2)},abc,2020-13-01\n"
    )
    with pytest.raises(ValidationError) as exc:
        import_paid_list(actor=None, term=spring, data=text.encode(), filename="list.csv")
    messages = exc.value.messages
    assert len(messages) == 3
    assert messages[0].startswith("第3行") and "不存在" in messages[0]
    assert messages[1].startswith("第4行") and "第2行" in messages[1]
    assert messages[2].startswith("第5行") and "金额" in messages[2] and "发放日期" in messages[2]
    assert not YuluPayment.objects.exists()


def test_a_missing_column_is_reported(spring, students):
    with pytest.raises(ValidationError) as exc:
        import_paid_list(actor=None, term=spring, data="证件号码,金额\n".encode(), filename="x.csv")
    assert "发放日期" in exc.value.messages[0]


def test_the_admin_uploads_a_paid_list_and_a_clerk_cannot(
    spring, students, county_admin, township_clerk, client_for
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    def upload():
        return SimpleUploadedFile("list.csv", f"证件号码,金额,发放日期\n{_id(3)},1500,2020-05-20\n".encode())

    assert (
        client_for(township_clerk)
        .post("/subsidies/yulu/2020-spring/paid-list/", {"file": upload()})
        .status_code
        == 403
    )
    assert not YuluPayment.objects.exists()
    response = client_for(county_admin).post("/subsidies/yulu/2020-spring/paid-list/", {"file": upload()})
    assert response.status_code == 302
    assert YuluPayment.objects.get().member == students[2]
