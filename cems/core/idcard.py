"""Chinese resident identity card numbers (GB 11643-1999).

18 characters: a 6-digit area code, the birth date YYYYMMDD, a 3-digit sequence whose
last digit is odd for men and even for women, and a check character computed from the
first 17 digits. Old 15-digit numbers (2-digit year, no check character) still turn up;
they are refused with their own reason and can be converted with `upgrade_15_to_18`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
# ASCII only: `\d` alone would also match full-width and other Unicode digits.
_EIGHTEEN = re.compile(r"^\d{17}[\dX]$", re.ASCII)
_FIFTEEN = re.compile(r"^\d{15}$", re.ASCII)
EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class IdNumber:
    number: str
    area_code: str
    birth_date: dt.date
    gender: str  # "M" or "F", the same codes as the gender fields of the models


def normalize(value: str) -> str:
    """Strip spaces and use the capital X that the standard prescribes."""
    return re.sub(r"\s+", "", value or "").upper()


def check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def _birth_date(text: str, today: dt.date | None) -> dt.date:
    try:
        born = dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        born = None
    today = today or dt.date.today()
    if born is None or born < EARLIEST_BIRTH_DATE or born > today:
        raise ValidationError(
            _("The birth date %(date)s in the ID number is not a real date."),
            code="birth_date",
            params={"date": text},
        )
    return born


def parse(value: str, *, today: dt.date | None = None) -> IdNumber:
    """Return the facts an 18-digit number carries, or raise ValidationError naming the reason.

    The error codes are `length`, `legacy_15`, `format`, `birth_date` and `check_character`.
    """
    number = normalize(value)
    if _FIFTEEN.match(number):
        raise ValidationError(
            _(
                "This is an old 15-digit ID number; enter the 18-digit number "
                "(it would be %(upgraded)s)."
            ),
            code="legacy_15",
            params={"upgraded": _safe_upgrade(number)},
        )
    if len(number) != 18:
        raise ValidationError(
            _("An ID number has 18 characters; this one has %(count)d."),
            code="length",
            params={"count": len(number)},
        )
    if not _EIGHTEEN.match(number):
        raise ValidationError(
            _("An ID number is 17 digits followed by a digit or X."), code="format"
        )
    born = _birth_date(number[6:14], today)
    expected = check_character(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _("The check character is wrong: it should be %(expected)s, not %(given)s."),
            code="check_character",
            params={"expected": expected, "given": number[17]},
        )
    return IdNumber(
        number=number,
        area_code=number[:6],
        birth_date=born,
        gender="M" if int(number[16]) % 2 else "F",
    )


def upgrade_15_to_18(value: str) -> str:
    """Convert an old 15-digit number (born 19YY) into its 18-digit form."""
    number = normalize(value)
    if not _FIFTEEN.match(number):
        raise ValueError("not a 15-digit ID number")
    first17 = number[:6] + "19" + number[6:]
    return first17 + check_character(first17)


def _safe_upgrade(number: str) -> str:
    upgraded = upgrade_15_to_18(number)
    try:
        parse(upgraded)
    except ValidationError:
        return "?"
    return upgraded


def validate_id_number(value: str) -> None:
    """A Django field validator: every form and model field holding an ID number uses it."""
    parse(value)


def check_against_record(
    value: str, *, birth_date: dt.date | None, gender: str | None
) -> list[ValidationError]:
    """Cross-check a valid number against the birth date and gender recorded beside it."""
    info = parse(value)
    errors = []
    if birth_date and info.birth_date != birth_date:
        errors.append(
            ValidationError(
                _("The ID number gives the birth date %(id_date)s, the record %(record_date)s."),
                code="birth_date_mismatch",
                params={"id_date": info.birth_date.isoformat(), "record_date": birth_date},
            )
        )
    if gender and info.gender != gender:
        errors.append(
            ValidationError(
                _("The ID number belongs to a person of the other gender."),
                code="gender_mismatch",
            )
        )
    return errors
