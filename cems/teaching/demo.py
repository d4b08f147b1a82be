"""Demo terms, teachers and course offerings: every class taught its teaching plan from its
first term up to the current one, most offerings with a teacher. Run after the demo users,
classes and status changes (past rosters include students who have left since)."""

import random

from django.contrib.auth.hashers import make_password

from cems.accounts.demo import DEMO_PASSWORD
from cems.accounts.models import Role, User
from cems.core.demo import person_name
from cems.core.progress import Progress
from cems.students.models import StudentStatus
from cems.teaching import generation
from cems.teaching.generation import ClassRow, PlanCourseRow
from cems.teaching.models import (
    AcademicYear,
    Term,
    TermNumber,
    default_term_dates,
)

ACADEMIC_YEARS = range(2022, 2027)
CURRENT = (2026, TermNumber.FIRST)  # the term under way in the demo (2026–2027, autumn)
DEMO_TEACHERS = [f"teacher{n:02d}" for n in range(1, 13)]
TITLES = ("教授", "副教授", "讲师", "老师")
# The share of the current term's offerings still waiting for a teacher.
UNASSIGNED_SHARE = 0.1
# Earlier terms' rosters also hold the students who have paused or left since.
PAST_STATUSES = (StudentStatus.REGISTERED, StudentStatus.SUSPENDED, StudentStatus.WITHDRAWN,
                 StudentStatus.TRANSFERRED)  # fmt: skip
CURRENT_STATUSES = (StudentStatus.REGISTERED,)


def seed_teachers(rng: random.Random) -> list[User]:
    """A dozen teacher accounts with the demo password, besides the demo user "teacher"."""
    password = make_password(DEMO_PASSWORD)  # hashed once, as accounts.demo does
    names = {username: person_name(rng) + rng.choice(TITLES) for username in DEMO_TEACHERS}
    # A teacher kept by a reset (the audit trail names them) is brought back, not duplicated.
    User.objects.bulk_create(
        (
            User(username=username, role=Role.TEACHER, full_name=name, password=password)
            for username, name in names.items()
        ),
        update_conflicts=True,
        unique_fields=["username"],
        update_fields=["role", "full_name", "password"],
    )
    return list(
        User.objects.filter(role=Role.TEACHER, username__in=["teacher", *DEMO_TEACHERS]).order_by(
            "username"
        )
    )


def seed_terms() -> list[Term]:
    years = AcademicYear.objects.bulk_create(AcademicYear(start_year=y) for y in ACADEMIC_YEARS)
    terms = []
    for year in years:
        for number in TermNumber:
            start, end = default_term_dates(year.start_year, number)
            terms.append(Term(academic_year=year, number=number, start_date=start, end_date=end))
    created = Term.objects.bulk_create(terms)
    for term in created:
        term.full_clean()
    return created


def seed_teaching(rng: random.Random) -> None:
    teachers = seed_teachers(rng)
    terms = [t for t in seed_terms() if (t.start_year, t.number) <= CURRENT]
    # Each course is taught at a station by one teacher, term after term.
    chosen: dict[tuple[int, int], int] = {}
    current = False

    def teacher_of(klass: ClassRow, entry: PlanCourseRow) -> int | None:
        key = (entry.course_id, klass.station_id)
        if key not in chosen:
            chosen[key] = rng.choice(teachers).pk
        if current and rng.random() < UNASSIGNED_SHARE:
            return None
        return chosen[key]

    progress = Progress(len(terms), "terms")
    for term in terms:
        current = (term.start_year, term.number) == CURRENT
        statuses = CURRENT_STATUSES if current else PAST_STATUSES
        generation.generate(
            term=term,
            classes=generation.classes_with_students(statuses),
            roster_statuses=statuses,
            teacher_of=teacher_of,
        )
        progress.advance(1)
    progress.finish()
