from __future__ import annotations

from datetime import date

import pytest

from bangfu.lib import idnumbers
from bangfu.lib.idnumbers import IdNumberError, validate

TODAY = date(2020, 7, 15)


@pytest.mark.parametrize(
    "number",
    ["11010519491231002X", "440524188001010014", "360426199101010071", "120103198806018241"],
)
def test_it_accepts_valid_numbers(number):
    assert validate(number, today=TODAY).number == number


def test_it_normalises_spaces_full_width_and_lowercase_x():
    assert validate(" １１０１０５１９４９１２３１００２ｘ ", today=TODAY).number == "11010519491231002X"
    assert validate("110105 19491231 002x", today=TODAY).number == "11010519491231002X"


def test_it_upgrades_15_digit_numbers():
    info = validate("110105491231002", today=TODAY)
    assert info.number == "11010519491231002X"
    assert info.upgraded
    assert info.birth_date == date(1949, 12, 31)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("360426199101010072", "checksum"),
        ("360426199102300071", "birth_date"),
        ("36042619910101007", "length"),
        ("3604261991010100A1", "format"),
        ("", "missing"),
        (None, "missing"),
    ],
)
def test_it_rejects_bad_numbers_with_a_reason(number, code):
    with pytest.raises(IdNumberError) as caught:
        validate(number, today=TODAY)
    assert caught.value.code == code
    assert "证件号码" in str(caught.value)


def test_it_rejects_a_birth_date_in_the_future():
    first17 = "51332520210101001"
    number = first17 + idnumbers.check_character(first17)
    with pytest.raises(IdNumberError) as caught:
        validate(number, today=TODAY)
    assert caught.value.code == "future"


def test_it_accepts_disability_certificate_suffixes_only_for_that_id_type():
    number = "11010519491231002X" + "42"
    assert validate(number, today=TODAY, disability=True).number == number
    assert validate(number + "01", today=TODAY, disability=True).number == number + "01"
    with pytest.raises(IdNumberError):
        validate(number, today=TODAY)
    with pytest.raises(IdNumberError):
        validate("11010519491231002Y42", today=TODAY, disability=True)


def test_it_derives_sex_and_birth_date():
    info = validate("11010519491231002X", today=TODAY)
    assert (info.sex, info.birth_date) == ("F", date(1949, 12, 31))
    assert validate("360426199101010071", today=TODAY).sex == "M"


def test_it_knows_address_codes_per_birth_year():
    assert idnumbers.address_code_known("513325", 1990)
    assert idnumbers.address_code_known("110228", 1990)  # 密云县, abolished 2015
    assert not idnumbers.address_code_known("110228", 1970)
    assert not idnumbers.address_code_known("999999", 1990)


def test_it_masks():
    assert idnumbers.mask("51332519900101123X") == "513325********123X"
    assert idnumbers.mask_phone("13812345678") == "138****5678"
