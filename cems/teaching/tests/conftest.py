"""A teaching plan for the world's program and cohort 2025, a class at each station holding
the world's students, and terms of 2025–2026 and 2026–2027."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from cems.accounts.models import Role, User
from cems.catalog.models import Course, GradingScale, PlanCourse, TeachingPlan
from cems.conftest import World
from cems.students.models import StudentClass
from cems.teaching.models import (
    AcademicYear,
    CourseOffering,
    OfferingStudent,
    Term,
    default_term_dates,
)


@dataclass
class Teaching:
    plan: TeachingPlan
    courses: dict[int, list[PlanCourse]]  # plan term -> its plan courses
    class_a: StudentClass  # station A: a1, a2
    class_b: StudentClass  # station B: b1
    autumn_2025: Term  # plan term 1 of cohort 2025
    spring_2026: Term  # plan term 2
    autumn_2026: Term  # plan term 3


def make_term(start_year: int, number: int) -> Term:
    year, _ = AcademicYear.objects.get_or_create(start_year=start_year)
    start, end = default_term_dates(start_year, number)
    return Term.objects.create(academic_year=year, number=number, start_date=start, end_date=end)


def make_class(world: World, code: str, station, cohort_year: int = 2025) -> StudentClass:
    return StudentClass.objects.create(
        code=code, name=f"班级{code}", station=station, program=world.program,
        cohort_year=cohort_year,
    )  # fmt: skip


def add_plan_course(plan: TeachingPlan, code: str, name: str, term: int) -> PlanCourse:
    course, _ = Course.objects.get_or_create(
        code=code, defaults={"name": name, "credits": Decimal(3), "hours": 48}
    )
    return PlanCourse.objects.create(
        plan=plan, course=course, term=term, credits=Decimal(3), hours=48, assessment="exam"
    )


def make_teacher(username: str, full_name: str = "", **fields) -> User:
    return User.objects.create_user(
        username=username, role=Role.TEACHER, full_name=full_name or username, **fields
    )


def make_offering(
    teaching: "Teaching",
    klass: StudentClass,
    *,
    term: Term | None = None,
    entry: PlanCourse | None = None,
    teacher: User | None = None,
) -> CourseOffering:
    return CourseOffering.objects.create(
        student_class=klass,
        term=term or teaching.autumn_2025,
        plan_course=entry or teaching.courses[1][0],
        teacher=teacher,
    )


@pytest.fixture
def teaching(world: World) -> Teaching:
    plan = TeachingPlan.objects.create(program=world.program, admission_year=2025)
    courses = {
        1: [add_plan_course(plan, "GB001", "大学英语(一)", 1),
            add_plan_course(plan, "JC001", "高等数学", 1)],
        2: [add_plan_course(plan, "GB002", "大学英语(二)", 2)],
        3: [add_plan_course(plan, "ZY001", "数据结构", 3),
            add_plan_course(plan, "ZY002", "操作系统", 3),
            add_plan_course(plan, "ZY003", "计算机网络", 3)],
    }  # fmt: skip
    class_a = make_class(world, "A2025", world.station_a)
    class_b = make_class(world, "B2025", world.station_b)
    for student, klass in ((world.a1, class_a), (world.a2, class_a), (world.b1, class_b)):
        student.student_class = klass
        student.save(update_fields=["student_class"])
    return Teaching(
        plan, courses, class_a, class_b,
        make_term(2025, 1), make_term(2025, 2), make_term(2026, 1),
    )  # fmt: skip


@dataclass
class Gradebook:
    """An offering of class A (a1, a2 on its roster) taught by the teacher user, graded on
    `scale` with `weight`% coursework; `entries` maps a student to their roster entry."""

    offering: CourseOffering
    entries: dict[str, OfferingStudent]  # "a1", "a2"


def make_gradebook(
    teaching: Teaching,
    world: World,
    teacher: User | None,
    *,
    scale: str = GradingScale.PERCENT,
    weight: int = 0,
    term: Term | None = None,
    entry: PlanCourse | None = None,
) -> Gradebook:
    plan_course = entry or teaching.courses[1][0]
    Course.objects.filter(pk=plan_course.course_id).update(
        grading_scale=scale, coursework_weight=weight
    )
    offering = make_offering(
        teaching, teaching.class_a, term=term, entry=plan_course, teacher=teacher
    )
    entries = {
        name: OfferingStudent.objects.create(offering=offering, student=getattr(world, name))
        for name in ("a1", "a2")
    }
    return Gradebook(offering, entries)


@pytest.fixture
def gradebook(teaching: Teaching, world: World, users: dict[str, User]) -> Gradebook:
    """A 百分制 offering with one score per student, taught by the teacher user."""
    return make_gradebook(teaching, world, users[Role.TEACHER])
