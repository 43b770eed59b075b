"""Chinese resident ID numbers (公民身份号码, GB 11643-1999): normalise, validate, derive, mask.

Validation is done here, in a tight loop, not with python-stdnum per row: `stdnum.cn.ric.validate`
looks up the birth place every time and costs ~20x more (docs/benchmarks.md). python-stdnum is
asked only about the 6-digit address code, once per distinct code (`address_code_known`), and an
unknown code is a warning, never a rejection: abolished codes still appear in valid IDs.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

# W_i = 2^(17-i) mod 11 for the 17 leading digits; the check character maps Y = S mod 11.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_DIGITS = frozenset("0123456789")
# Disability certificates (残疾人证) carry an 18-character ID plus a 2- or 4-character suffix.
DISABILITY_LENGTHS = (20, 22)


class IdNumberError(ValueError):
    """A malformed or invalid ID number. `code` is stable for tests; str() is a Chinese message."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        # The facts behind the message (number, length, date, expected), for translated messages.
        self.params = params


@dataclass(frozen=True)
class IdInfo:
    number: str  # normalised, 18 characters (or 20/22 for a disability certificate)
    birth_date: date
    sex: str  # "M" or "F"
    address_code: str  # the first 6 digits
    upgraded: bool = False  # True when a 15-digit number was upgraded to 18


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2. Reading the digits in base 13 gives Σ a_i·2^(17-i) mod 11 in one C call
    (13 ≡ 2 mod 11), the same trick python-stdnum uses; `first17` must be 17 ASCII digits."""
    checksum = (1 - 2 * int(first17, 13)) % 11
    return "X" if checksum == 10 else chr(48 + checksum)


def normalise(raw: object) -> str:
    """Trim, full-width → half-width (NFKC), drop inner spaces, lowercase x → X, and upgrade a
    15-digit first-generation number to 18 digits (insert "19", add the check character).
    Numbers read from Excel as floats (1.23e17 or 51332519900101.0) are not guessed at: a float
    has lost digits, so it stays as text and fails validation with a clear message."""
    text = _clean(raw)
    if len(text) == 15 and text.isdigit():
        first17 = text[:6] + "19" + text[6:]
        text = first17 + check_character(first17)
    return text


def _clean(raw: object) -> str:
    if raw is None:
        return ""
    text = raw if isinstance(raw, str) else str(raw)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return "".join(text.split()).upper()


def _birth_date(digits8: str) -> date | None:
    try:
        return date(int(digits8[:4]), int(digits8[4:6]), int(digits8[6:8]))
    except ValueError:
        return None


def validate(raw: object, *, today: date, disability: bool = False) -> IdInfo:
    """Return the facts of a valid number or raise IdNumberError with a Chinese message.

    `disability`: the 证件类型 is 残疾人证, so 20/22-character numbers are accepted when their first
    18 characters are a valid ID."""
    number = normalise(raw)
    upgraded = len(number) == 18 and len(_clean(raw)) == 15
    if not number:
        raise IdNumberError("missing", "证件号码为空")
    core = number
    if disability and len(number) in DISABILITY_LENGTHS:
        core = number[:18]
    if len(core) != 18:
        allowed = "18位（残疾人证可为20或22位）" if disability else "18位（或15位老号码）"
        raise IdNumberError(
            "length",
            f"证件号码“{number}”长度为{len(number)}位，应为{allowed}",
            number=number,
            length=len(number),
        )
    first17 = core[:17]
    if not _DIGITS.issuperset(first17) or not (core[17] in _DIGITS or core[17] == "X"):
        raise IdNumberError(
            "format", f"证件号码“{number}”含有非法字符（前17位应为数字，末位为数字或X）", number=number
        )
    born = _birth_date(core[6:14])
    if born is None:
        raise IdNumberError(
            "birth_date",
            f"证件号码“{number}”中的出生日期{core[6:14]}不是真实日期",
            number=number,
            date=core[6:14],
        )
    if born > today:
        raise IdNumberError(
            "future",
            f"证件号码“{number}”中的出生日期{born.isoformat()}晚于今天",
            number=number,
            date=born.isoformat(),
        )
    if born.year < 1880:
        raise IdNumberError(
            "birth_date",
            f"证件号码“{number}”中的出生日期{born.isoformat()}不合理",
            number=number,
            date=born.isoformat(),
        )
    expected = check_character(first17)
    if core[17] != expected:
        raise IdNumberError(
            "checksum", f"证件号码“{number}”校验位错误（应为{expected}）", number=number, expected=expected
        )
    sex = "M" if (ord(core[16]) - 48) % 2 == 1 else "F"
    return IdInfo(number=number, birth_date=born, sex=sex, address_code=core[:6], upgraded=upgraded)


@lru_cache(maxsize=8192)
def address_code_known(address_code: str, birth_year: int | None = None) -> bool:
    """Whether python-stdnum's GB/T 2260 table knows this 6-digit code (historical codes
    included). Cached: call it once per distinct code, never per row."""
    from stdnum.cn import ric

    year = birth_year or 1990
    sample17 = f"{address_code}{year:04d}0101001"
    sample = sample17 + check_character(sample17)
    try:
        ric.get_birth_place(sample)
    except Exception:  # stdnum raises InvalidComponent for an unknown code
        return False
    return True


def mask(number: str) -> str:
    """513325199001011234 → 513325********1234 (first 6, last 4). Short values are starred out."""
    if not number:
        return ""
    if len(number) < 11:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678."""
    phone = phone.strip()
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str) -> str:
    """扎西多吉 → 扎***: a person's name shown to someone outside the person's scope keeps only its
    first character (a one-character value is starred out)."""
    name = name.strip()
    if len(name) < 2:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)
