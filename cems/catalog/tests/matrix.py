"""Role-matrix entries of the catalog's pages (gathered by accounts/tests/test_role_matrix.py).

The catalog is school-wide: station staff read all of it, so "inside" and "outside" are just
two objects, and both answer the same."""

from decimal import Decimal

from cems.catalog.models import Course, Major, PlanCourse, Program, TeachingPlan
from cems.conftest import World
from cems.testing import Entry, statuses

# Roles with VIEW_CATALOG; MANAGE_CATALOG is academic affairs' and the administrators'.
READERS = {"admin", "academic", "finance", "auditor", "station"}
MANAGERS = {"admin", "academic"}
READ = statuses(403, **dict.fromkeys(READERS, 200))
WRITE = statuses(403, **dict.fromkeys(MANAGERS, 200))


def plan_pair(world: World) -> tuple[TeachingPlan, TeachingPlan]:
    create = TeachingPlan.objects.create
    return create(program=world.program, admission_year=2025), create(
        program=world.program, admission_year=2026
    )


def plan_course_pair(world: World) -> tuple[tuple[int, int], tuple[int, int]]:
    course = Course.objects.create(
        code="GB011", name="大学英语(一)", credits=Decimal(4), hours=64, assessment="exam"
    )
    pairs = []
    for plan in plan_pair(world):
        entry = PlanCourse.objects.create(
            plan=plan, course=course, term=1, credits=Decimal(4), hours=64, assessment="exam"
        )
        pairs.append((plan.pk, entry.pk))
    return pairs[0], pairs[1]


def course_pair(world: World) -> tuple[Course, Course]:
    return (
        Course.objects.create(code="JC001", name="线性代数", credits=Decimal(3), hours=48),
        Course.objects.create(code="JC002", name="大学物理", credits=Decimal(4), hours=64),
    )


def program_pair(world: World) -> tuple[Program, Program]:
    other = Program.objects.create(
        major=world.major, level="hs_ba", mode="spare_time", standard_length_years=Decimal(5),
        credits_to_graduate=160, tuition_per_year=Decimal(3200),
    )  # fmt: skip
    return world.program, other


def major_pair(world: World) -> tuple[Major, Major]:
    other = Major.objects.create(code="120203K", short_code="002", name="会计学",
                                 name_en="Accounting", discipline="management")  # fmt: skip
    return world.major, other


MATRIX: dict[str, Entry] = {
    "catalog:plan_list": Entry(READ),
    "catalog:plan_create": Entry(WRITE),
    "catalog:plan_detail": Entry(READ, objects=plan_pair),
    "catalog:plan_edit": Entry(WRITE, objects=plan_pair),
    "catalog:plan_copy": Entry(WRITE, objects=plan_pair),
    "catalog:plan_course_add": Entry(WRITE, objects=plan_pair),
    "catalog:plan_course_edit": Entry(WRITE, objects=plan_course_pair),
    "catalog:plan_course_remove": Entry(WRITE, objects=plan_course_pair),
    "catalog:major_list": Entry(READ),
    "catalog:major_create": Entry(WRITE),
    "catalog:major_edit": Entry(WRITE, objects=major_pair),
    "catalog:program_list": Entry(READ),
    "catalog:program_create": Entry(WRITE),
    "catalog:program_edit": Entry(WRITE, objects=program_pair),
    "catalog:course_list": Entry(READ),
    "catalog:course_create": Entry(WRITE),
    "catalog:course_edit": Entry(WRITE, objects=course_pair),
}
