"""Reads of grades: an offering's grid, a student's results and their summary. Each runs a
fixed number of queries whatever the class size or the student's history."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from cems.accounts.access import AnyUser, get_in_scope_or_404, students_for
from cems.catalog.models import GradingScale
from cems.students.models import Student
from cems.teaching import grading
from cems.teaching.grade_services import makeup_eligible
from cems.teaching.models import (
    CourseOffering,
    Grade,
    GradeChangeRequest,
    OfferingStudent,
    RequestStatus,
)


@dataclass
class GridRow:
    entry: OfferingStudent
    grade: Grade | None
    values: dict[str, str]  # field -> the value shown
    makeup: bool  # on the makeup list
    pending_request: GradeChangeRequest | None


def grid_rows(offering: CourseOffering) -> list[GridRow]:
    """The offering's students in 学号 order with their grades and pending change requests:
    two queries."""
    entries = list(
        offering.roster.select_related("student", "grade").order_by("student__student_number")
    )
    pending = {
        request.grade_id: request
        for request in GradeChangeRequest.objects.filter(
            offering=offering, status=RequestStatus.PENDING
        )
    }
    rows = []
    for entry in entries:
        grade: Grade | None = getattr(entry, "grade", None)
        values = {
            name: grading.show(getattr(grade, name)) if grade else ""
            for name in (*grading.ORIGINAL_FIELDS, *grading.MAKEUP_FIELDS)
        }
        rows.append(GridRow(entry, grade, values, makeup_eligible(grade), pending.get(entry.pk)))
    return rows


def result_text(scale: str, score: Decimal | None, level: str, mark: str) -> str:
    """A result as printed: the mark if any, else the score or the result's word."""
    if mark:
        return str(grading.Mark(mark).label)
    if scale == GradingScale.PERCENT:
        return grading.show(score)
    return str(grading.Level(level).label) if level else ""


def result_text_zh(scale: str, score: Decimal | None, level: str, mark: str) -> str:
    """The same in Chinese whatever the page's language (transcripts are printed in it)."""
    if mark:
        return grading.MARK_LABELS_ZH[grading.Mark(mark)]
    if scale == GradingScale.PERCENT:
        return grading.show(score)
    return grading.LEVEL_LABELS_ZH[grading.Level(level)] if level else ""


@dataclass
class ResultRow:
    """One attempt at a course whose grades are submitted, as the student sees it."""

    term_id: int
    term_label: str
    start_year: int
    term_number: int
    course_id: int
    course_code: str
    course_name: str
    course_name_en: str
    credits: Decimal
    hours: int
    is_required: bool
    is_degree_course: bool
    scale: str
    retake: bool
    result: str  # the original result as printed (in the page's language)
    result_zh: str
    makeup: str  # the makeup result, '' if none
    makeup_zh: str
    passed: bool | None
    final_passed: bool | None
    final_numeric: Decimal | None

    @property
    def course_result(self) -> grading.CourseResult:
        return grading.CourseResult(
            course_id=self.course_id,
            credits=self.credits,
            is_degree_course=self.is_degree_course,
            passed=self.final_passed,
            numeric=self.final_numeric,
        )

    @property
    def grade_point(self) -> Decimal | None:
        return grading.grade_point(grading.Outcome(self.final_passed, self.final_numeric))


def _submitted_grades() -> QuerySet[Grade]:
    return Grade.objects.filter(entry__offering__grades_submitted_at__isnull=False).select_related(
        "entry__offering__term__academic_year",
        "entry__offering__plan_course__course",
    )


def _result_row(grade: Grade) -> ResultRow:
    offering = grade.entry.offering
    term = offering.term
    plan_course = offering.plan_course
    course = plan_course.course
    scale = course.grading_scale
    original = (grade.score, grade.level, grade.mark)
    makeup = (grade.makeup_score, grade.makeup_level, grade.makeup_mark)
    has_makeup = offering.makeup_locked and makeup_eligible(grade)
    return ResultRow(
        term_id=term.pk,
        term_label=str(term),
        start_year=term.academic_year.start_year,
        term_number=term.number,
        course_id=course.pk,
        course_code=course.code,
        course_name=course.name,
        course_name_en=course.name_en,
        credits=plan_course.credits,
        hours=plan_course.hours,
        is_required=plan_course.is_required,
        is_degree_course=plan_course.is_degree_course,
        scale=scale,
        retake=grade.entry.kind == "retake",
        result=result_text(scale, *original),
        result_zh=result_text_zh(scale, *original),
        makeup=result_text(scale, *makeup) if has_makeup else "",
        makeup_zh=result_text_zh(scale, *makeup) if has_makeup else "",
        passed=grade.passed,
        final_passed=grade.final_passed,
        final_numeric=grade.final_numeric,
    )


def student_results(student: Student) -> list[ResultRow]:
    """Every submitted grade of the student, by term then course: one query."""
    grades = _submitted_grades().filter(entry__student=student)
    rows = [_result_row(grade) for grade in grades]
    rows.sort(key=lambda r: (r.start_year, r.term_number, r.course_code))
    return rows


def results_of_students(students: list[Student]) -> dict[int, list[ResultRow]]:
    """The same for many students at once (a class's transcripts): one query."""
    by_student: dict[int, list[ResultRow]] = {s.pk: [] for s in students}
    for grade in _submitted_grades().filter(entry__student__in=by_student).select_related("entry"):
        by_student[grade.entry.student_id].append(_result_row(grade))
    for rows in by_student.values():
        rows.sort(key=lambda r: (r.start_year, r.term_number, r.course_code))
    return by_student


def summary(rows: list[ResultRow]) -> grading.Summary:
    return grading.summarize(row.course_result for row in rows)


@dataclass
class TermResults:
    term_label: str
    rows: list[ResultRow]


def by_term(rows: list[ResultRow]) -> list[TermResults]:
    terms: list[TermResults] = []
    for row in rows:
        if not terms or terms[-1].term_label != row.term_label:
            terms.append(TermResults(row.term_label, []))
        terms[-1].rows.append(row)
    return terms


def student_for_results(*, user: AnyUser, pk: int) -> Student:
    """A student whose results the user may read (404 outside the user's scope)."""
    return get_in_scope_or_404(
        students_for(user).select_related("station", "program__major", "student_class"), pk=pk
    )


def offering_status(offering: CourseOffering) -> str:
    if offering.makeup_locked:
        return _("Makeup results submitted")
    if offering.grades_locked:
        return _("Grades submitted")
    return _("Grade entry open")
