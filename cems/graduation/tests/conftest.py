"""A graduating school for the graduation tests: the world's program (专升本, 2.5 years) with a
teaching plan for cohort 2025 of three required courses (10 credits) and an elective, the
classes of stations A and B, and helpers that give grades through submitted offerings and
charge fees.

The world's cohort 2025 has served its standard length on 2028-03-01: audits run "today"
TODAY unless a test says otherwise."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.utils import timezone

from cems.accounts.models import Role, User
from cems.catalog.models import Course, PlanCourse, TeachingPlan
from cems.conftest import World
from cems.finance.models import EntryKind, FeeEntry, FeeKind
from cems.students.models import Student, StudentClass
from cems.teaching.grade_services import derive
from cems.teaching.models import (
    AcademicYear,
    CourseOffering,
    EnrollmentKind,
    Grade,
    OfferingStudent,
    Term,
    default_term_dates,
    grade_writes,
)

TODAY = dt.date(2028, 7, 1)
SERVED_ON = dt.date(2028, 3, 1)
# code, name, credits, required, degree course
COURSES = [
    ("GB001", "大学英语", Decimal(4), True, False),
    ("JC001", "高等数学", Decimal(3), True, False),
    ("ZY001", "数据结构", Decimal("3.0"), True, True),
    ("XX001", "书法欣赏", Decimal("2.5"), False, False),
]
REQUIRED_CODES = ["GB001", "JC001", "ZY001"]


def term_of(start_year: int, number: int) -> Term:
    year, _ = AcademicYear.objects.get_or_create(start_year=start_year)
    term = Term.objects.filter(academic_year=year, number=number).first()
    if term is None:
        start, end = default_term_dates(start_year, number)
        term = Term.objects.create(
            academic_year=year, number=number, start_date=start, end_date=end
        )
    return term


@dataclass
class School:
    world: World
    actor: User
    plan: TeachingPlan
    courses: dict[str, PlanCourse]
    classes: dict[int, StudentClass]  # station pk -> class of cohort 2025
    _terms: list[Term] = field(default_factory=list)

    def grade(
        self,
        student: Student,
        code: str,
        score: str | None,
        *,
        submitted: bool = True,
        retake: bool = False,
        mark: str = "",
    ) -> Grade:
        """A grade of the student in a new offering of the course (each in a term of its
        own, so that retakes and several offerings of a course can coexist)."""
        entry = self.courses[code]
        term = term_of(2025 + len(self._terms) // 2, len(self._terms) % 2 + 1)
        self._terms.append(term)
        offering = CourseOffering.objects.create(
            student_class=self.classes[student.station_id],
            term=term,
            plan_course=entry,
            grades_submitted_at=timezone.now() if submitted else None,
            grades_submitted_by=self.actor if submitted else None,
        )
        roster = OfferingStudent.objects.create(
            offering=offering,
            student=student,
            kind=EnrollmentKind.RETAKE if retake else EnrollmentKind.REGULAR,
        )
        grade = Grade(entry=roster, score=None if score is None else Decimal(score), mark=mark)
        derive(grade, "percent", 0, with_makeup=False)
        with grade_writes():
            grade.save()
        return grade

    def grade_class(self, students: list[Student], code: str, score: str) -> CourseOffering:
        """One submitted offering of the course for students of one station, all given the
        same score."""
        term = term_of(2025 + len(self._terms) // 2, len(self._terms) % 2 + 1)
        self._terms.append(term)
        offering = CourseOffering.objects.create(
            student_class=self.classes[students[0].station_id],
            term=term,
            plan_course=self.courses[code],
            grades_submitted_at=timezone.now(),
            grades_submitted_by=self.actor,
        )
        grades = []
        for student in students:
            roster = OfferingStudent.objects.create(offering=offering, student=student)
            grade = Grade(entry=roster, score=Decimal(score))
            derive(grade, "percent", 0, with_makeup=False)
            grades.append(grade)
        with grade_writes():
            Grade.objects.bulk_create(grades)
        return offering

    def pass_all(self, student: Student, score: str = "80", *, elective: bool = True) -> None:
        for code in REQUIRED_CODES + (["XX001"] if elective else []):
            self.grade(student, code, score)

    def charge(self, student: Student, amount: str, *, kind: str = EntryKind.CHARGE) -> None:
        FeeEntry.objects.create(
            student=student,
            academic_year=2025,
            kind=kind,
            fee_kind=FeeKind.TUITION,
            amount=Decimal(amount),
            booked_on=dt.date(2025, 9, 1),
            created_by=self.actor,
        )


def make_school(world: World) -> School:
    actor, _ = User.objects.get_or_create(
        username="graduation-builder", defaults={"role": Role.ACADEMIC}
    )
    program = world.program
    program.credits_to_graduate = 10
    program.save(update_fields=["credits_to_graduate"])
    plan = TeachingPlan.objects.create(program=program, admission_year=2025)
    courses = {}
    for term, (code, name, credits, required, degree) in enumerate(COURSES, start=1):
        course = Course.objects.create(code=code, name=name, credits=credits, hours=48)
        courses[code] = PlanCourse.objects.create(
            plan=plan, course=course, term=term, credits=credits, hours=48,
            assessment="exam", is_required=required, is_degree_course=degree,
        )  # fmt: skip
    classes = {}
    for station in (world.station_a, world.station_b):
        klass = StudentClass.objects.create(
            code=f"{station.code}-2025", name=f"{station.name}2025级", station=station,
            program=program, cohort_year=2025,
        )  # fmt: skip
        classes[station.pk] = klass
        Student.objects.filter(station=station, cohort_year=2025).update(student_class=klass)
    return School(world, actor, plan, courses, classes)


@pytest.fixture
def school(world: World) -> School:
    return make_school(world)
