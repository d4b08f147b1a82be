"""GB 11643-1999 resident identity card numbers: cems.core.idcard."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cems.core import idcard


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English (the default language is Chinese)."""
    with translation.override("en"):
        yield


def build(area: str, birth: str, sequence: str) -> str:
    """An 18-digit number with the correct check character."""
    first17 = f"{area}{birth}{sequence}"
    assert len(first17) == 17
    return first17 + idcard.check_character(first17)


def reason(value: str, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        idcard.parse(value, **kwargs)
    return caught.value


def text(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


# --- the check character ---------------------------------------------------------------------


def test_check_character_of_the_standards_examples():
    # The two examples printed in GB 11643-1999 and its commentary.
    assert idcard.check_character("11010519491231002") == "X"
    assert idcard.check_character("44052418800101001") == "4"


def test_check_character_needs_exactly_17_digits():
    with pytest.raises(ValueError, match=r"argument \d is (longer|shorter)"):
        idcard.check_character("1101051949123100")


# --- valid numbers ---------------------------------------------------------------------------


def test_valid_number_ending_in_x():
    info = idcard.parse("11010519491231002X")
    assert info.number == "11010519491231002X"
    assert info.area_code == "110105"
    assert info.birth_date == dt.date(1949, 12, 31)
    assert info.gender == "F"  # sequence 002: even


def test_valid_number_ending_in_a_digit_for_a_man():
    number = build("430302", "19950301", "011")
    assert number[-1] != "X"
    info = idcard.parse(number)
    assert info.number == number
    assert info.area_code == "430302"
    assert info.birth_date == dt.date(1995, 3, 1)
    assert info.gender == "M"  # sequence 011: odd


def test_every_check_character_is_accepted_when_right():
    # Vary the sequence until each of the eleven possible check characters has been seen.
    seen = set()
    for serial in range(200):
        number = build("440524", "20000229", f"{serial:03d}")
        assert idcard.parse(number).number == number
        seen.add(number[-1])
    assert seen == set(idcard.CHECK_CHARACTERS)


def test_lower_case_x_and_spaces_are_normalized():
    info = idcard.parse(" 110105 19491231 002x ")
    assert info.number == "11010519491231002X"
    assert idcard.normalize("11010519491231002x") == "11010519491231002X"


def test_validator_accepts_a_valid_number():
    idcard.validate_id_number("11010519491231002X")  # raises nothing


# --- refused numbers -------------------------------------------------------------------------


def test_wrong_check_character_names_the_expected_one():
    error = reason("110105194912310021")
    assert error.code == "check_character"
    assert error.params == {"expected": "X", "given": "1"}
    assert "X" in text(error)
    assert "1" in text(error)


def test_wrong_check_digit_names_the_expected_digit():
    number = build("430302", "19950301", "011")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    error = reason(wrong)
    assert error.code == "check_character"
    assert error.params == {"expected": number[17], "given": wrong[17]}
    assert f"should be {number[17]}" in text(error)


def test_validator_raises_the_same_reason():
    with pytest.raises(ValidationError) as caught:
        idcard.validate_id_number("110105194912310021")
    assert caught.value.code == "check_character"


def test_impossible_date_is_refused():
    error = reason(build("430302", "19990230", "011"))
    assert error.code == "birth_date"
    assert "19990230" in text(error)


@pytest.mark.parametrize("birth", ["19991301", "19990000", "19990431", "19000229"])
def test_other_impossible_dates_are_refused(birth):
    assert reason(build("430302", birth, "011")).code == "birth_date"


def test_leap_day_in_a_leap_year_is_accepted():
    assert idcard.parse(build("430302", "20000229", "011")).birth_date == dt.date(2000, 2, 29)


def test_birth_before_1900_is_refused():
    assert reason(build("430302", "18991231", "011")).code == "birth_date"
    assert idcard.parse(build("430302", "19000101", "011")).birth_date == dt.date(1900, 1, 1)


def test_future_birth_date_is_refused():
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    error = reason(build("430302", f"{tomorrow:%Y%m%d}", "011"))
    assert error.code == "birth_date"


def test_birth_date_is_compared_with_the_given_today():
    number = build("430302", "20200615", "011")
    assert idcard.parse(number, today=dt.date(2020, 6, 15)).birth_date == dt.date(2020, 6, 15)
    assert reason(number, today=dt.date(2020, 6, 14)).code == "birth_date"


@pytest.mark.parametrize(
    ("value", "count"),
    [("", 0), ("1101051949123100", 16), ("11010519491231002", 17), ("11010519491231002X1", 19)],
)
def test_wrong_length_is_refused_with_the_count(value, count):
    error = reason(value)
    assert error.code == "length"
    assert error.params == {"count": count}
    assert str(count) in text(error)


@pytest.mark.parametrize(
    "value",
    [
        "110105A9491231002X",  # a letter in the middle
        "X10105194912310021",  # X at the start
        "1101051949123100X2",  # X before the end
        "11010519491231002Y",  # a letter other than X at the end
        "110105-949123-002X",  # punctuation
    ],
)
def test_letters_or_signs_in_the_number_are_refused(value):
    assert reason(value).code == "format"


def full_width(digits: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in digits)


@pytest.mark.parametrize(
    "value",
    [
        # Full-width digits outside the birth date once passed: they would be stored as such,
        # so that a search by the ASCII number would not find the record.
        full_width("110105") + "19491231" + full_width("002") + "X",
        full_width("11010519491231002") + "X",
        "".join(chr(0x0660 + int(c)) for c in "11010519491231002") + "X",  # Arabic-Indic
    ],
)
def test_non_ascii_digits_are_refused(value):
    assert len(value) == 18
    assert reason(value).code == "format"


def test_fifteen_full_width_digits_are_not_taken_for_an_old_number():
    assert reason(full_width("110105491231002")).code == "length"


# --- old 15-digit numbers --------------------------------------------------------------------


def test_fifteen_digit_number_is_refused_with_its_upgrade():
    error = reason("110105491231002")
    assert error.code == "legacy_15"
    assert error.params == {"upgraded": "11010519491231002X"}
    assert "11010519491231002X" in text(error)


def test_fifteen_digit_number_with_an_impossible_date_is_not_given_an_upgrade():
    error = reason("110105990230002")
    assert error.code == "legacy_15"
    assert error.params == {"upgraded": "?"}


def test_upgrade_15_to_18_gives_a_valid_number():
    upgraded = idcard.upgrade_15_to_18("430302750301011")
    assert upgraded[:17] == "43030219750301011"
    assert len(upgraded) == 18
    info = idcard.parse(upgraded)
    assert info.birth_date == dt.date(1975, 3, 1)
    assert info.gender == "M"


def test_upgrade_refuses_anything_but_15_digits():
    with pytest.raises(ValueError, match="15-digit"):
        idcard.upgrade_15_to_18("11010519491231002X")
    with pytest.raises(ValueError, match="15-digit"):
        idcard.upgrade_15_to_18("11010549123100X")


# --- cross-checks against the record ---------------------------------------------------------


def test_check_against_a_matching_record_finds_nothing():
    errors = idcard.check_against_record(
        "11010519491231002X", birth_date=dt.date(1949, 12, 31), gender="F"
    )
    assert errors == []


def test_check_against_record_finds_a_different_birth_date():
    errors = idcard.check_against_record(
        "11010519491231002X", birth_date=dt.date(1950, 1, 1), gender="F"
    )
    assert [e.code for e in errors] == ["birth_date_mismatch"]
    message = text(errors[0])
    assert "1949-12-31" in message
    assert "1950-01-01" in message


def test_check_against_record_finds_a_different_gender():
    errors = idcard.check_against_record(
        "11010519491231002X", birth_date=dt.date(1949, 12, 31), gender="M"
    )
    assert [e.code for e in errors] == ["gender_mismatch"]


def test_check_against_record_reports_both_mismatches():
    number = build("430302", "19950301", "011")  # a man born 1995-03-01
    errors = idcard.check_against_record(number, birth_date=dt.date(1995, 3, 2), gender="F")
    assert [e.code for e in errors] == ["birth_date_mismatch", "gender_mismatch"]


def test_check_against_record_skips_missing_facts():
    assert idcard.check_against_record("11010519491231002X", birth_date=None, gender=None) == []


def test_check_against_record_refuses_an_invalid_number():
    with pytest.raises(ValidationError) as caught:
        idcard.check_against_record("110105194912310021", birth_date=None, gender=None)
    assert caught.value.code == "check_character"
