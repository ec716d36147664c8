"""Resident identity number rules (GB 11643-1999). Pure functions; no database.

An 18-character number: 6-digit address code, 8-digit birth date, 3-digit sequence (odd for
men, even for women), and a check character from the ISO 7064 MOD 11-2 weighted sum.
A 15-digit legacy number (pre-1999) has a 6-digit date with the century missing and no check
character; it converts by inserting "19" and computing the check.
"""

import datetime
import unicodedata
from dataclasses import dataclass

from jumin.core.text import is_ascii_digits

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"  # index = weighted sum mod 11

MALE = "male"
FEMALE = "female"


class IdNumberError(ValueError):
    """Why an ID number is refused; ``message`` is for staff (Chinese), ``code`` for machines."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: datetime.date
    sex: str  # MALE or FEMALE
    address_code: str


def check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def convert_15_to_18(number15: str) -> str:
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + check_character(first17)


def parse_id_number(raw: str, *, today: datetime.date) -> IdNumber:
    """Validate and normalise an ID number; raise IdNumberError with a Chinese reason.

    ``today`` is explicit so that "birth date not in the future" is testable and a batch
    checks every row against the same day.
    """
    if raw is None:
        raise IdNumberError("id_missing", "身份证号不能为空")
    # NFKC turns full-width digits and Ｘ (typed with a Chinese input method) into ASCII.
    number = unicodedata.normalize("NFKC", str(raw)).strip().replace(" ", "").upper()
    if not number.isascii():
        raise IdNumberError("id_format", "身份证号只能由数字和X组成")
    if not number:
        raise IdNumberError("id_missing", "身份证号不能为空")
    if len(number) == 15:
        if not is_ascii_digits(number):
            raise IdNumberError("id_format", "15位身份证号只能是数字")
        number = convert_15_to_18(number)
    elif len(number) != 18:
        raise IdNumberError("id_length", f"身份证号应为18位（现为{len(number)}位）")
    if not is_ascii_digits(number[:17]) or not (is_ascii_digits(number[17]) or number[17] == "X"):
        raise IdNumberError("id_format", "身份证号前17位必须是数字，最后一位是数字或X")
    try:
        birth_date = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as error:
        raise IdNumberError(
            "id_birth_date", f"身份证号中的出生日期 {number[6:14]} 不是真实日期"
        ) from error
    if birth_date > today:
        raise IdNumberError("id_birth_future", f"身份证号中的出生日期 {number[6:14]} 晚于今天")
    if birth_date.year < 1880:
        raise IdNumberError("id_birth_date", f"身份证号中的出生日期 {number[6:14]} 过早")
    expected = check_character(number[:17])
    if number[17] != expected:
        raise IdNumberError("id_check", f"身份证号校验位错误（最后一位应为 {expected}）")
    sex = MALE if int(number[16]) % 2 == 1 else FEMALE
    return IdNumber(number=number, birth_date=birth_date, sex=sex, address_code=number[:6])


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Whole years of age on ``day`` (someone born 29 Feb turns a year older on 1 March)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
