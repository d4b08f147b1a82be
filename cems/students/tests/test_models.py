"""The student record checks its ID number against itself and the facts recorded beside it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cems.conftest import make_id_number
from cems.core.idcard import check_character
from cems.students.models import Student

BIRTH = dt.date(1996, 7, 15)


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English (the default language is Chinese)."""
    with translation.override("en"):
        yield


def new_student(world, **changes) -> Student:
    fields = {
        "student_number": "102025009001",
        "exam_number": "26102025009001",
        "name": "赵磊",
        "gender": "M",
        "id_number": make_id_number(BIRTH, "M", 9),
        "birth_date": BIRTH,
        "phone": "13912345678",
        "station": world.station_a,
        "program": world.program,
        "cohort_year": 2025,
    }
    fields.update(changes)
    return Student(**fields)


def id_number_errors(student: Student) -> list[ValidationError]:
    with pytest.raises(ValidationError) as caught:
        student.full_clean()
    errors = caught.value.error_dict
    assert set(errors) == {"id_number"}, errors
    return errors["id_number"]


def messages(errors: list[ValidationError]) -> str:
    return " ".join(message for error in errors for message in error.messages)


def test_consistent_record_is_valid(world):
    new_student(world).full_clean()


def test_fixture_students_are_valid(world):
    for student in (world.a1, world.a2, world.b1):
        student.full_clean()


def test_id_number_with_another_birth_date_is_refused(world):
    errors = id_number_errors(new_student(world, birth_date=dt.date(1996, 7, 16)))
    assert [e.code for e in errors] == ["birth_date_mismatch"]
    assert "1996-07-15" in messages(errors)
    assert "1996-07-16" in messages(errors)


def test_id_number_of_the_other_gender_is_refused(world):
    errors = id_number_errors(new_student(world, gender="F"))
    assert [e.code for e in errors] == ["gender_mismatch"]
    assert "gender" in messages(errors)


def test_both_mismatches_are_reported(world):
    errors = id_number_errors(
        new_student(world, id_number=make_id_number(dt.date(1990, 1, 1), "F", 4))
    )
    assert [e.code for e in errors] == ["birth_date_mismatch", "gender_mismatch"]


def test_wrong_check_character_is_refused_with_its_reason_only(world):
    number = make_id_number(BIRTH, "M", 9)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    errors = id_number_errors(new_student(world, id_number=wrong))
    # One reason: the number is invalid; no cross-check is made against an invalid number.
    assert [e.code for e in errors] == ["check_character"]
    assert f"should be {number[17]}" in messages(errors)


def test_impossible_birth_date_in_the_number_is_refused(world):
    first17 = "430302" + "19990230" + "091"
    errors = id_number_errors(new_student(world, id_number=first17 + check_character(first17)))
    assert [e.code for e in errors] == ["birth_date"]


def test_old_15_digit_number_is_refused_with_its_18_digit_form(world):
    errors = id_number_errors(new_student(world, id_number="430302960715091"))
    assert [e.code for e in errors] == ["legacy_15"]
    assert "43030219960715091" in messages(errors)


def test_wrong_length_is_refused(world):
    errors = id_number_errors(new_student(world, id_number="4303021996071509"))
    assert [e.code for e in errors] == ["length"]


def test_lower_case_x_is_stored_as_capital_x(world):
    # Find a sequence whose check character is X.
    number = next(
        n for n in (make_id_number(BIRTH, "M", serial) for serial in range(100)) if n[-1] == "X"
    )
    student = new_student(world, id_number=number[:17] + "x")
    student.full_clean()
    assert student.id_number == number
    student.save()
    assert Student.objects.get(id_number=number) == student
