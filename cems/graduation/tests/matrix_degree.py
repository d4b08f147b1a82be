"""Role-matrix entries of the degree pages (gathered by accounts/tests/test_role_matrix.py),
and the builders the degree tests share: graduates, submitted grades, degree records.

Inside: a degree audit of station A (a1 graduated), a disciplinary record of a1; outside:
the same of station B (b1)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cems.accounts.models import Role, User
from cems.catalog.models import Course, PlanCourse, TeachingPlan
from cems.conftest import World
from cems.graduation.models import (
    AuditKind,
    AuditResult,
    AuditRun,
    DegreeAward,
    DisciplinaryRecord,
    Graduation,
    LanguageResult,
    RunStatus,
    Thesis,
)
from cems.students.models import Student, StudentClass, StudentStatus
from cems.teaching.models import (
    AcademicYear,
    CourseOffering,
    Grade,
    OfferingStudent,
    Term,
    default_term_dates,
    grade_writes,
)
from cems.testing import SCHOOL_READERS, Entry, statuses

GRADUATED_ON = dt.date(2027, 7, 1)
TODAY = dt.date(2027, 9, 1)
MANAGERS = {"admin", "academic"}
# VIEW_AUDITS: the school's readers but the training office, and station staff.
READERS = (SCHOOL_READERS - {"training"}) | {"station"}


def _user() -> User:
    user, _ = User.objects.get_or_create(username="degree-builder", defaults={"role": Role.ADMIN})
    return user


def graduate(student: Student, *, on: dt.date = GRADUATED_ON) -> Graduation:
    """The student graduated on `on`, approved on a graduation audit of their own."""
    run = AuditRun.objects.create(
        kind=AuditKind.GRADUATION, status=RunStatus.DONE, started_by=_user()
    )
    result = AuditResult.objects.create(run=run, student=student, eligible=True, approved=True)
    Student.objects.filter(pk=student.pk).update(status=StudentStatus.GRADUATED)
    return Graduation.objects.create(
        student=student,
        diploma_number=f"D{student.student_number}",
        graduated_on=on,
        audit_result=result,
        approved_by=_user(),
    )


def _term() -> Term:
    year, _ = AcademicYear.objects.get_or_create(start_year=2025)
    start, end = default_term_dates(2025, 1)
    term, _ = Term.objects.get_or_create(
        academic_year=year, number=1, defaults={"start_date": start, "end_date": end}
    )
    return term


def grade(
    student: Student,
    code: str,
    score: Decimal | int | None,
    *,
    degree_course: bool = False,
    credits: int = 3,
    passed: bool | None = None,
    term: Term | None = None,
) -> Grade:
    """A submitted grade of the student for the course `code` (created as needed): the final
    score `score` (None: a pass/fail result `passed`)."""
    plan, _ = TeachingPlan.objects.get_or_create(
        program=student.program, admission_year=student.cohort_year
    )
    course, _ = Course.objects.get_or_create(
        code=code, defaults={"name": f"课程{code}", "credits": Decimal(credits), "hours": 48}
    )
    entry, _ = PlanCourse.objects.get_or_create(
        plan=plan,
        course=course,
        defaults={"term": 1, "credits": Decimal(credits), "hours": 48, "assessment": "exam",
                  "is_degree_course": degree_course},
    )  # fmt: skip
    klass, _ = StudentClass.objects.get_or_create(
        code=f"DG{student.station.code}{student.cohort_year}",
        defaults={"name": "学位班", "station": student.station, "program": student.program,
                  "cohort_year": student.cohort_year},
    )  # fmt: skip
    offering, _ = CourseOffering.objects.get_or_create(
        student_class=klass,
        term=term or _term(),
        plan_course=entry,
        defaults={"grades_submitted_at": timezone.now()},
    )
    roster = OfferingStudent.objects.create(offering=offering, student=student)
    numeric = None if score is None else Decimal(score)
    final_passed = passed if numeric is None else numeric >= 60
    with grade_writes():
        return Grade.objects.create(
            entry=roster, score=numeric, passed=final_passed, final_passed=final_passed,
            final_numeric=numeric,
        )  # fmt: skip


def make_eligible(
    student: Student, *, prefix: str = "DG", graduated_on: dt.date = GRADUATED_ON
) -> Student:
    """A graduate with everything the degree asks for: grades of 80 (a degree course among
    them), a thesis of 85 defended, the adult degree English exam passed."""
    graduate(student, on=graduated_on)
    grade(student, f"{prefix}01", 80, degree_course=True)
    grade(student, f"{prefix}02", 80)
    Thesis.objects.create(student=student, title="论文", score=Decimal(85), defended=True)
    LanguageResult.objects.create(
        student=student, exam="adult_english", exam_date=dt.date(2026, 5, 1), score=Decimal(70)
    )
    return student


def degree_run(world: World, station: Any = None) -> AuditRun:
    return AuditRun.objects.create(
        kind=AuditKind.DEGREE, status=RunStatus.DONE, station=station, started_by=_user()
    )


def run_pair(world: World) -> tuple[AuditRun, AuditRun]:
    """A finished degree audit of station A (a1 eligible) and one of station B (b1)."""
    runs = []
    for station, student in ((world.station_a, world.a1), (world.station_b, world.b1)):
        graduate(student)
        run = degree_run(world, station)
        AuditResult.objects.create(run=run, student=student, eligible=True)
        runs.append(run)
    return runs[0], runs[1]


def _listed_runs(world: World) -> tuple[tuple[()], tuple[()]]:
    run_pair(world)
    return (), ()


def _student_pair(world: World) -> tuple[Student, Student]:
    return world.a1, world.b1


def _record_pair(world: World) -> tuple[DisciplinaryRecord, DisciplinaryRecord]:
    a, b = (
        DisciplinaryRecord.objects.create(
            student=student, issued_on=dt.date(2026, 3, 1), description=f"警告{student.name}"
        )
        for student in (world.a1, world.b1)
    )
    return a, b


def _listed_records(world: World) -> tuple[tuple[()], tuple[()]]:
    _record_pair(world)
    return (), ()


def _listed_language(world: World) -> tuple[tuple[()], tuple[()]]:
    for student in (world.a1, world.b1):
        LanguageResult.objects.create(
            student=student, exam="cet4", exam_date=dt.date(2026, 6, 13), score=Decimal(450)
        )
    return (), ()


def _listed_awards(world: World) -> tuple[tuple[()], tuple[()]]:
    a, b = run_pair(world)
    for run in (a, b):
        result = run.results.get()
        DegreeAward.objects.create(
            student=result.student, certificate_number=f"XW{result.student.student_number}",
            awarded_on=TODAY, audit_result=result, approved_by=_user(),
        )  # fmt: skip
    return (), ()


def _numbers(world: World) -> tuple[str, str]:
    return world.a1.student_number, world.b1.student_number


def _read(objects: Any = None, listing: Any = _numbers, **extra: Any) -> Entry:
    """A page the readers open; station staff see their students only."""
    return Entry(
        statuses(403, **dict.fromkeys(READERS, 200), **extra), objects=objects, listing=listing
    )


MATRIX: dict[str, Entry] = {
    "graduation:degree_list": _read(_listed_awards),
    "graduation:degree_audit_list": Entry(
        statuses(403, **dict.fromkeys(READERS, 200)), objects=_listed_runs
    ),
    "graduation:degree_audit_start": Entry(statuses(403, **dict.fromkeys(MANAGERS, 200))),
    "graduation:degree_audit_results": Entry(
        statuses(403, **dict.fromkeys(READERS - {"station"}, 200), station=(200, 404)),
        objects=run_pair,
    ),
    # Posting nothing chosen: back to the results with a message; nothing is approved.
    "graduation:degree_audit_approve": Entry(
        statuses(403, **dict.fromkeys(MANAGERS, 302)), objects=run_pair, method="post"
    ),
    "graduation:degree_thesis_list": _read(),
    "graduation:degree_thesis_edit": Entry(
        statuses(403, **dict.fromkeys(MANAGERS, 200)), objects=_student_pair
    ),
    "graduation:degree_discipline_list": _read(_listed_records),
    "graduation:degree_discipline_add": Entry(statuses(403, **dict.fromkeys(MANAGERS, 200))),
    "graduation:degree_discipline_revoke": Entry(
        statuses(403, **dict.fromkeys(MANAGERS, 200)), objects=_record_pair
    ),
    "graduation:degree_language_list": _read(_listed_language),
    "graduation:degree_language_import": Entry(statuses(403, **dict.fromkeys(MANAGERS, 200))),
}
