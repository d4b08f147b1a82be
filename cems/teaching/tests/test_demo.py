"""Demo teaching at a small scale: terms, teachers, offerings of every class from its first
term to the current one, rosters, most offerings taught, the same for the same seed."""

import random
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.db.models import F
from django.test import RequestFactory

from cems.accounts.demo import DEMO_PASSWORD, seed_users
from cems.accounts.models import Role, User
from cems.catalog.demo import seed_catalog, seed_plans
from cems.core import demo
from cems.organization.demo import seed_organization
from cems.students.demo import seed_student_records, seed_students
from cems.students.models import StudentClass, StudentStatus
from cems.teaching.demo import CURRENT, DEMO_TEACHERS, seed_teaching
from cems.teaching.generation import class_plan_term
from cems.teaching.models import AcademicYear, CourseOffering, OfferingStudent, Term

pytestmark = pytest.mark.django_db


def seed(seed: int = 5, students: int = 300) -> None:
    rng = random.Random(seed)
    seed_organization(rng, demo.person_name)
    seed_catalog(rng)
    seed_plans(rng)
    seed_students(rng, students)
    seed_student_records(rng)
    seed_users()
    seed_teaching(random.Random(seed + 1))


def snapshot() -> list[tuple[Any, ...]]:
    return list(
        OfferingStudent.objects.order_by(
            "offering__term__academic_year__start_year", "offering__term__number",
            "offering__student_class__code", "offering__plan_course__course__code",
            "student__student_number",
        ).values_list(
            "offering__term__number", "offering__student_class__code",
            "offering__plan_course__course__code", "student__student_number",
            "offering__teacher__username",
        )
    )  # fmt: skip


def test_terms_teachers_and_offerings():
    seed()
    assert Term.objects.count() == 10  # 2022–2023 to 2026–2027
    request = RequestFactory().post("/accounts/login/")
    for username in DEMO_TEACHERS:
        user = User.objects.get(username=username)
        assert user.role == Role.TEACHER
        assert user.full_name
    assert authenticate(request, username=DEMO_TEACHERS[0], password=DEMO_PASSWORD) is not None
    current = Term.objects.get(academic_year__start_year=CURRENT[0], number=CURRENT[1])
    assert not CourseOffering.objects.filter(term__start_date__gt=current.start_date).exists()
    # Every offering is a course of its class's plan term, in the class's cohort plan.
    for offering in CourseOffering.objects.select_related(
        "student_class", "term__academic_year", "plan_course__plan"
    ):
        klass = offering.student_class
        assert offering.plan_course.term == class_plan_term(klass, offering.term)
        assert offering.plan_course.plan.admission_year == klass.cohort_year
        assert offering.plan_course.plan.program_id == klass.program_id
    # Every class with registered students has the current term's courses.
    classes = StudentClass.objects.filter(students__status=StudentStatus.REGISTERED).distinct()
    with_offerings = classes.filter(offerings__term=current).distinct().count()
    assert with_offerings == classes.count()
    # Rosters: the current term's hold registered students of the offering's class only.
    current_roster = OfferingStudent.objects.filter(offering__term=current)
    assert current_roster.exists()
    assert not current_roster.exclude(student__status=StudentStatus.REGISTERED).exists()
    assert not OfferingStudent.objects.exclude(
        student__student_class=F("offering__student_class")
    ).exists()


def test_most_offerings_have_a_teacher_and_the_demo_teacher_teaches():
    seed()
    total = CourseOffering.objects.count()
    unassigned = CourseOffering.objects.filter(teacher=None).count()
    assert 0 < unassigned < total * 0.2
    assert CourseOffering.objects.filter(teacher__username="teacher").exists()
    assert (
        not CourseOffering.objects.exclude(teacher=None)
        .exclude(teacher__role=Role.TEACHER)
        .exists()
    )


def test_the_same_seed_gives_the_same_offerings():
    seed()
    first = snapshot()
    assert first
    OfferingStudent.objects.all().delete()
    CourseOffering.objects.all().delete()
    Term.objects.all().delete()
    AcademicYear.objects.all().delete()
    User.objects.filter(username__in=DEMO_TEACHERS).delete()
    seed_teaching(random.Random(6))
    assert snapshot() == first
