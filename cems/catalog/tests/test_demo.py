"""seed_plans on the demo catalogue: every program gets a plan for every year whose credits
add up, the same seed gives the same plans, and it stays fast."""

import random
import time
from typing import Any

import pytest
from django.db.models import Count, Q, Sum

from cems.catalog.demo import MAJOR_COURSES, PLAN_YEARS, seed_catalog, seed_plans
from cems.catalog.models import Course, Level, Major, PlanCourse, Program, TeachingPlan
from cems.catalog.services import _check_plan_course

pytestmark = pytest.mark.django_db


def seed(seed: int = 5) -> float:
    """Seed the catalogue and the plans; the seconds seed_plans took."""
    rng = random.Random(seed)
    seed_catalog(rng)
    started = time.monotonic()
    seed_plans(rng)
    return time.monotonic() - started


def clear() -> None:
    for model in (TeachingPlan, Course, Program, Major):
        model.objects.all().delete()


def snapshot() -> list[tuple[Any, ...]]:
    return list(
        PlanCourse.objects.order_by("plan__program__major__code", "plan__program__level",
                                    "plan__program__mode", "plan__admission_year", "term",
                                    "course__code")
        .values_list("plan__program__major__code", "plan__admission_year", "course__code",
                     "term", "credits", "is_required", "is_degree_course")
    )  # fmt: skip


def test_every_program_has_a_plan_per_year_whose_credits_add_up():
    seed()
    programs = Program.objects.annotate(plan_count=Count("plans"))
    assert programs.count() > 100
    assert {p.plan_count for p in programs} == {len(PLAN_YEARS)}
    assert set(TeachingPlan.objects.values_list("admission_year", flat=True)) == set(PLAN_YEARS)
    plans = TeachingPlan.objects.select_related("program").annotate(
        credits=Sum("courses__credits"),
        electives=Count("courses", filter=Q(courses__is_required=False)),
        degree=Count("courses", filter=Q(courses__is_degree_course=True)),
    )
    for plan in plans:
        program = plan.program
        assert plan.credits == program.credits_to_graduate, plan
        assert plan.electives >= 2, plan
        if program.level in Level.bachelor_levels():
            assert 3 <= plan.degree <= 5, plan
        else:
            assert plan.degree == 0, plan


def test_plans_use_every_term_of_the_program_and_no_other():
    seed()
    for plan in TeachingPlan.objects.select_related("program").filter(admission_year=2024):
        terms = set(plan.courses.values_list("term", flat=True))
        assert terms == set(range(1, plan.program.terms + 1)), plan
    long = PlanCourse.objects.filter(plan__program__level=Level.HIGH_SCHOOL_TO_BACHELOR)
    assert max(long.values_list("term", flat=True)) == 10


def test_every_plan_course_passes_the_plan_rules():
    seed()
    entries = PlanCourse.objects.select_related("plan__program__major", "course")
    for entry in entries.filter(plan__admission_year=2026):
        _check_plan_course(entry)  # term within the length, degree courses required, ...
        assert entry.hours == int(entry.credits * 16)


def test_the_catalogue_has_the_common_and_the_majors_courses():
    seed()
    names = set(Course.objects.values_list("name", flat=True))
    expected = {"大学英语(一)", "高等数学(一)", "计算机应用基础", "马克思主义基本原理",
                "毛泽东思想和中国特色社会主义理论体系概论", "思想道德与法治", "毕业论文",
                "毕业设计", "专业实习", "采矿学", "中级财务会计"}  # fmt: skip
    assert expected <= names
    assert Course.objects.count() > 400
    for course in Course.objects.all():
        course.full_clean()
    # Each plan holds at least five of its major's own courses.
    plans = TeachingPlan.objects.select_related("program__major").filter(admission_year=2022)
    for plan in plans:
        own = set(MAJOR_COURSES[plan.program.major.code][1].split())
        names = set(plan.courses.values_list("course__name", flat=True))
        assert len(own & names) >= 5, plan


def test_the_same_seed_gives_the_same_plans():
    seed(seed=9)
    first = snapshot()
    clear()
    seed(seed=9)
    assert snapshot() == first
    clear()
    seed(seed=10)
    assert snapshot() != first


def test_it_is_fast():
    assert seed() < 5
