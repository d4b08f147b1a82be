"""Course offerings from teaching plans, in bulk.

A class of cohort Y starts its studies on 1 September of Y (students.status.study_start), so
in term n of academic year A it is in term (A - Y) * 2 + n of its teaching plan: the
TeachingPlan of its program for admission year Y. For each class and term this makes the
offerings of the plan courses of that plan term, and puts the class's students on their
rosters. Reads are a handful of queries per call and writes go through bulk_insert, so that
a whole school's term takes a second or so; what exists already is left as it is, so that
running it again only adds what is new (a course added to the plan, a student added to the
class). Callers hold the term's lock (services.offerings_generate) or own the database
(the demo).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from cems.catalog.models import PlanCourse, TeachingPlan
from cems.core.bulk import bulk_insert, db_value
from cems.students.models import Student, StudentClass, StudentStatus
from cems.teaching.models import CourseOffering, EnrollmentKind, OfferingStudent, Term


class ClassRow(NamedTuple):
    """What generation needs of a class (tuples: a whole school's classes are many)."""

    pk: int
    code: str
    station_id: int
    program_id: int
    cohort_year: int


class PlanCourseRow(NamedTuple):
    pk: int
    plan_id: int
    term: int
    course_id: int


# A teacher for a new offering: (class, plan course) -> user id or None.
TeacherChooser = Callable[[ClassRow, PlanCourseRow], int | None]


def plan_term_of(*, cohort_year: int, start_year: int, number: int) -> int:
    """The term of its teaching plan a cohort is in during term `number` of the academic
    year starting in `start_year`: 1 in its first term, 0 or less before it starts."""
    return (start_year - cohort_year) * 2 + number


def class_plan_term(student_class: StudentClass | ClassRow, term: Term) -> int:
    return plan_term_of(
        cohort_year=student_class.cohort_year, start_year=term.start_year, number=term.number
    )


@dataclass
class GenerationResult:
    classes: int = 0  # classes looked at
    offerings_created: int = 0
    students_added: int = 0
    # Codes of the classes in their studies whose program has no plan for their cohort.
    classes_without_plan: list[str] = field(default_factory=list)
    # Classes whose plan has no course in their plan term (not started, or past the plan).
    classes_without_courses: int = 0


def classes_with_students(statuses: Collection[str]) -> QuerySet[StudentClass]:
    has_students = Student.objects.filter(student_class=OuterRef("pk"), status__in=statuses)
    return StudentClass.objects.filter(Exists(has_students))


def generate(
    *,
    term: Term,
    classes: QuerySet[StudentClass],
    roster_statuses: Collection[str] = (StudentStatus.REGISTERED,),
    teacher_of: TeacherChooser | None = None,
) -> GenerationResult:
    """Offerings of `term` for `classes` and their rosters (students of those statuses)."""
    class_list = [ClassRow(*row) for row in classes.order_by("code").values_list(*ClassRow._fields)]
    result = GenerationResult(classes=len(class_list))
    if not class_list:
        return result
    plans = {
        (plan.program_id, plan.admission_year): plan.pk
        for plan in TeachingPlan.objects.filter(
            program__in={c.program_id for c in class_list},
            admission_year__in={c.cohort_year for c in class_list},
        )
    }
    plan_terms = {c.pk: class_plan_term(c, term) for c in class_list}
    courses: dict[tuple[int, int], list[PlanCourseRow]] = defaultdict(list)
    for row in (
        PlanCourse.objects.filter(plan__in=set(plans.values()), term__in=set(plan_terms.values()))
        .order_by("plan", "term", "course__code")
        .values_list(*PlanCourseRow._fields)
    ):
        entry = PlanCourseRow(*row)
        courses[(entry.plan_id, entry.term)].append(entry)

    existing = set(
        CourseOffering.objects.filter(term=term, student_class__in=classes).values_list(
            "student_class_id", "plan_course_id"
        )
    )
    now = db_value(CourseOffering, "created_at", timezone.now())
    rows = []
    for klass in class_list:
        plan = plans.get((klass.program_id, klass.cohort_year))
        if plan is None:
            if plan_terms[klass.pk] >= 1:
                result.classes_without_plan.append(klass.code)
            continue
        entries = courses.get((plan, plan_terms[klass.pk]), [])
        if not entries:
            result.classes_without_courses += 1
        for entry in entries:
            if (klass.pk, entry.pk) not in existing:
                teacher = teacher_of(klass, entry) if teacher_of else None
                rows.append((klass.pk, term.pk, entry.pk, teacher, now))
    result.offerings_created = bulk_insert(
        CourseOffering, ("student_class", "term", "plan_course", "teacher", "created_at"), rows
    )
    result.students_added = _fill_rosters(term, classes, roster_statuses)
    return result


def _fill_rosters(term: Term, classes: QuerySet[StudentClass], statuses: Collection[str]) -> int:
    """Put the class's students of those statuses on each of the term's offerings of the
    class where they are not yet."""
    offerings: dict[int, list[int]] = defaultdict(list)
    for pk, class_id in CourseOffering.objects.filter(
        term=term, student_class__in=classes
    ).values_list("pk", "student_class_id"):
        offerings[class_id].append(pk)
    if not offerings:
        return 0
    members: dict[int, list[int]] = defaultdict(list)
    for pk, class_id in (
        Student.objects.filter(student_class__in=classes, status__in=statuses)
        .order_by("student_number")
        .values_list("pk", "student_class_id")
    ):
        members[class_id].append(pk)
    on_roster = set(
        OfferingStudent.objects.filter(
            offering__term=term, offering__student_class__in=classes
        ).values_list("offering_id", "student_id")
    )
    now = db_value(OfferingStudent, "added_at", timezone.now())
    kind = EnrollmentKind.REGULAR.value
    rows = (
        (offering, student, kind, now)
        for class_id, class_offerings in offerings.items()
        for offering in class_offerings
        for student in members.get(class_id, ())
        if (offering, student) not in on_roster
    )
    return bulk_insert(OfferingStudent, ("offering", "student", "kind", "added_at"), rows)
