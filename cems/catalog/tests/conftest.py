"""Catalog fixtures on top of the shared `world`: a few courses and a teaching plan of the
world's program (专升本, correspondence: 2.5 years, five terms, 80 credits)."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from cems.catalog.models import (
    Assessment,
    Course,
    Level,
    Major,
    PlanCourse,
    Program,
    StudyMode,
    TeachingPlan,
)
from cems.conftest import World


def make_course(code: str, name: str, credits: str = "3", hours: int = 48, **fields) -> Course:
    return Course.objects.create(
        code=code, name=name, credits=Decimal(credits), hours=hours, **fields
    )


def add_entry(plan: TeachingPlan, course: Course, term: int, **fields) -> PlanCourse:
    values = {
        "credits": course.credits,
        "hours": course.hours,
        "assessment": course.assessment,
    }
    values.update(fields)
    return PlanCourse.objects.create(plan=plan, course=course, term=term, **values)


@dataclass
class Catalog:
    english: Course  # 4 credits, exam
    maths: Course  # 4 credits, exam
    networks: Course  # 3.5 credits, coursework
    thesis: Course  # 6 credits, coursework
    plan: TeachingPlan  # the world's program, 2025: english (1), maths (1), networks (3)


@pytest.fixture
def catalog(world: World) -> Catalog:
    english = make_course("GB011", "大学英语(一)", "4", 64, name_en="College English I")
    maths = make_course("GB021", "高等数学(一)", "4", 64)
    networks = make_course("08090105", "计算机网络", "3.5", 56, assessment=Assessment.COURSEWORK)
    thesis = make_course("GB092", "毕业论文", "6", 96, assessment=Assessment.COURSEWORK)
    plan = TeachingPlan.objects.create(program=world.program, admission_year=2025, note="试行")
    add_entry(plan, english, 1)
    add_entry(plan, maths, 1, is_degree_course=True)
    add_entry(plan, networks, 3, is_required=False)
    return Catalog(english, maths, networks, thesis, plan)


@pytest.fixture
def accounting(world: World) -> Program:
    """A junior-college program (高起专, spare-time) of another major."""
    major = Major.objects.create(
        code="120203K", short_code="002", name="会计学", name_en="Accounting",
        discipline="management",
    )  # fmt: skip
    return Program.objects.create(
        major=major, level=Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE, mode=StudyMode.SPARE_TIME,
        standard_length_years=Decimal("2.5"), credits_to_graduate=70,
        tuition_per_year=Decimal("2800"),
    )  # fmt: skip
