"""Role-matrix entries of the teaching pages (gathered by accounts/tests/test_role_matrix.py).

Inside: an offering of station A's class taught by the teacher user; outside: one of
station B's class taught by another teacher."""

from decimal import Decimal
from typing import Any

from cems.accounts.models import Role, User
from cems.catalog.models import Course, PlanCourse, TeachingPlan
from cems.conftest import World
from cems.students.models import StudentClass
from cems.teaching.models import AcademicYear, CourseOffering, Term, default_term_dates
from cems.testing import SCHOOL_READERS, Entry, statuses

MANAGERS = {"admin", "academic"}
# VIEW_OFFERINGS: the school's readers but the training office, station staff, teachers.
READERS = (SCHOOL_READERS - {"training"}) | {"station", "teacher"}


def _term(start_year: int = 2026, number: int = 1) -> Term:
    year, _ = AcademicYear.objects.get_or_create(start_year=start_year)
    start, end = default_term_dates(start_year, number)
    return Term.objects.create(academic_year=year, number=number, start_date=start, end_date=end)


def term_pair(world: World) -> tuple[Term, Term]:
    return _term(2026, 1), _term(2026, 2)


def offering_pair(world: World) -> tuple[CourseOffering, CourseOffering]:
    term = _term()
    plan = TeachingPlan.objects.create(program=world.program, admission_year=2025)
    course = Course.objects.create(code="ZY101", name="矩阵课程", credits=Decimal(3), hours=48)
    entry = PlanCourse.objects.create(
        plan=plan, course=course, term=3, credits=Decimal(3), hours=48, assessment="exam"
    )
    other_teacher = User.objects.create_user(username="matrix-teacher", role=Role.TEACHER)
    offerings = []
    for code, station, teacher in (
        ("MA2025", world.station_a, User.objects.get(username="teacher-user")),
        ("MB2025", world.station_b, other_teacher),
    ):
        klass = StudentClass.objects.create(
            code=code, name=f"班级{code}", station=station, program=world.program,
            cohort_year=2025,
        )  # fmt: skip
        offerings.append(
            CourseOffering.objects.create(
                student_class=klass, term=term, plan_course=entry, teacher=teacher
            )
        )
    return offerings[0], offerings[1]


def colleague_offering(world: World, own: CourseOffering) -> CourseOffering:
    """The same course for another class of station A, taught by another teacher: inside the
    station's scope, outside the teacher user's."""
    klass = StudentClass.objects.create(
        code="MC2025", name="班级MC2025", station=world.station_a, program=world.program,
        cohort_year=2025,
    )  # fmt: skip
    return CourseOffering.objects.create(
        student_class=klass, term=own.term, plan_course=own.plan_course,
        teacher=User.objects.get(username="matrix-teacher"),
    )  # fmt: skip


def teacher_offering_pair(world: World) -> tuple[CourseOffering, CourseOffering]:
    """The teacher user's own offering and a colleague's at the same station."""
    own, _ = offering_pair(world)
    return own, colleague_offering(world, own)


def _listed_offerings(world: World) -> tuple[tuple[()], tuple[()]]:
    offering_pair(world)
    return (), ()


def _class_codes(world: World) -> tuple[str, str]:
    return "MA2025", "MB2025"


def _in_list(**expect: Any) -> Entry:
    return Entry(statuses(403, **expect), objects=_listed_offerings, listing=_class_codes)


MATRIX: dict[str, Entry] = {
    "teaching:term_list": Entry(statuses(403, **dict.fromkeys(MANAGERS, 200))),
    "teaching:term_create": Entry(statuses(403, **dict.fromkeys(MANAGERS, 200))),
    "teaching:term_generate": Entry(
        statuses(403, **dict.fromkeys(MANAGERS, 302)), objects=term_pair, method="post"
    ),
    "teaching:offering_list": _in_list(**dict.fromkeys(READERS, 200)),
    # The teacher's own list: teachers only (administrators teach nothing).
    "teaching:my_offerings": _in_list(teacher=200),
    "teaching:offering_detail": Entry(
        statuses(
            403,
            **dict.fromkeys(READERS - {"station", "teacher"}, 200),
            station=(200, 404),
            teacher=(200, 404),
        ),
        objects=offering_pair,
        objects_for={"teacher": teacher_offering_pair},
    ),
    "teaching:offering_assign": Entry(
        statuses(403, **dict.fromkeys(MANAGERS, 302), station=(302, 404)),
        objects=offering_pair,
        method="post",
        data={"teacher": ""},
    ),
}
