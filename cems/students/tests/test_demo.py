"""Demo student records: a class for everyone, a few number changes, the same for the same
seed."""

import random

import pytest
from django.db import connection, transaction
from django.db.models import F

from cems.catalog.demo import seed_catalog
from cems.core import demo
from cems.organization.demo import seed_organization
from cems.students.demo import seed_student_records, seed_students
from cems.students.models import Student, StudentClass, StudentNumberChange

pytestmark = pytest.mark.django_db


def seed(seed: int = 3, students: int = 300) -> None:
    rng = random.Random(seed)
    seed_organization(rng, demo.person_name)
    seed_catalog(rng)
    seed_students(rng, students)
    seed_student_records(rng)


def test_every_student_is_in_the_class_of_their_station_program_and_cohort():
    seed()
    assert not Student.objects.filter(student_class=None).exists()
    mismatched = Student.objects.exclude(
        student_class__station=F("station"),
        student_class__program=F("program"),
        student_class__cohort_year=F("cohort_year"),
    )
    assert not mismatched.exists()
    keys = Student.objects.values("station", "program", "cohort_year").distinct().count()
    assert StudentClass.objects.filter(students__isnull=False).distinct().count() == keys


def test_a_few_students_changed_major_and_kept_their_old_number():
    seed()
    changes = list(StudentNumberChange.objects.select_related("student__program"))
    assert 3 <= len(changes) <= 6
    current = set(Student.objects.values_list("student_number", flat=True))
    for change in changes:
        assert change.new_number == change.student.student_number
        assert change.old_number not in current
        assert change.old_number[:6] == change.new_number[:6]  # college and cohort


def test_the_same_seed_gives_the_same_records():
    def records() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        with transaction.atomic():
            seed(seed=5)
            changes = sorted(StudentNumberChange.objects.values_list("old_number", "new_number"))
            classes = sorted(StudentClass.objects.values_list("code", "name"))
            transaction.set_rollback(True)
        return changes, classes

    first = records()
    assert first[0]
    assert records() == first


def test_the_list_indexes_are_there_after_the_load():
    seed(students=50)
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Student._meta.db_table)
    for index in Student._meta.indexes:
        assert index.name in constraints
        columns = {field.name: field.column for field in Student._meta.concrete_fields}
        assert constraints[index.name]["columns"] == [columns[name] for name in index.fields]
