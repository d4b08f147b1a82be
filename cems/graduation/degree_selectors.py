"""Reads of the degree pages: audits and their results, degrees awarded, theses,
disciplinary records and foreign-language results — each already limited to the students
the user may see (cems.accounts.access.audited_students_for) and narrowed by a page's
filters (None: an invalid filter, an empty list)."""

from collections import defaultdict
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from cems.accounts.access import (
    AnyUser,
    Capability,
    audited_students_for,
    has_capability,
    stations_for,
)
from cems.catalog.models import Level
from cems.graduation.degree import DEGREE_REASONS
from cems.graduation.models import (
    AuditKind,
    AuditResult,
    AuditRun,
    DegreeAward,
    DisciplinaryRecord,
    LanguageResult,
)
from cems.graduation.reasons import Reason, render
from cems.students.models import Student

M = TypeVar("M", bound=Model)


def degree_runs_for(user: AnyUser) -> QuerySet[AuditRun]:
    """Degree audits the user sees: all for the school's readers; for station staff those of
    the whole school or of their stations (their results show their students only)."""
    if not has_capability(user, Capability.VIEW_AUDITS):
        return AuditRun.objects.none()
    return AuditRun.objects.filter(kind=AuditKind.DEGREE).filter(
        Q(station__isnull=True) | Q(station__in=stations_for(user))
    )


def degree_results(
    *, user: AnyUser, run: AuditRun, filters: dict[str, Any] | None
) -> QuerySet[AuditResult]:
    """A run's results for the user's students, narrowed by the page's filters."""
    if filters is None:
        return AuditResult.objects.none()
    results = AuditResult.objects.filter(
        run=run, student__in=audited_students_for(user)
    ).select_related(
        "student__station", "student__program__major", "student__graduation", "student__degree"
    )
    if filters.get("station"):
        results = results.filter(student__station=filters["station"])
    if filters.get("eligible") in ("yes", "no"):
        results = results.filter(eligible=filters["eligible"] == "yes")
    if filters.get("approved") in ("yes", "no"):
        results = results.filter(approved=filters["approved"] == "yes")
    if code := filters.get("reason"):
        # Stored as JSON text by both databases with ": " between a key and its value.
        results = results.annotate(reasons_text=Cast("reasons", TextField())).filter(
            reasons_text__contains=f'"code": "{code}"'
        )
    if query := (filters.get("q") or "").strip():
        results = results.filter(
            Q(student__student_number__icontains=query) | Q(student__name__icontains=query)
        )
    return results.order_by("student__student_number")


def degree_awards(*, user: AnyUser, filters: dict[str, Any] | None) -> QuerySet[DegreeAward]:
    if filters is None:
        return DegreeAward.objects.none()
    awards = DegreeAward.objects.filter(student__in=audited_students_for(user)).select_related(
        "student__station", "student__program__major", "student__graduation"
    )
    if filters.get("station"):
        awards = awards.filter(student__station=filters["station"])
    if filters.get("cohort_year"):
        awards = awards.filter(student__cohort_year=filters["cohort_year"])
    if filters.get("year"):
        awards = awards.filter(awarded_on__year=filters["year"])
    if query := (filters.get("q") or "").strip():
        awards = awards.filter(
            Q(student__student_number__icontains=query)
            | Q(student__name__icontains=query)
            | Q(certificate_number__icontains=query)
        )
    return awards.order_by("certificate_number")


def reason_texts(reasons: list[Reason]) -> list[str]:
    return [render(item) for item in reasons]


def reason_choices() -> list[tuple[str, str]]:
    """The degree reasons for a filter, each labelled by its sentence's start."""
    labels = {
        "not_bachelor": _("Not a bachelor program"),
        "not_graduated": _("Not graduated"),
        "window_closed": _("Application window closed"),
        "average_low": _("Average too low"),
        "degree_course_low": _("Degree course below the minimum"),
        "thesis_missing": _("No thesis grade"),
        "thesis_low": _("Thesis grade too low"),
        "thesis_not_defended": _("Thesis not defended"),
        "language_missing": _("No foreign-language pass"),
        "fees_owed": _("Fees owed"),
        "disciplinary": _("Disciplinary record"),
    }
    return [(code, labels[code]) for code in DEGREE_REASONS]


def grouped_counts(counts: dict[str, Any]) -> list[tuple[str, int]]:
    """A run's reason counts as (label, count), in the order of DEGREE_REASONS."""
    by_code: defaultdict[str, int] = defaultdict(int, counts.get("reasons", {}))
    return [(label, by_code[code]) for code, label in reason_choices() if by_code[code]]


def bachelor_students(user: AnyUser) -> QuerySet[Student]:
    """The user's students of bachelor programs: those with theses and degree records."""
    return audited_students_for(user).filter(program__level__in=Level.bachelor_levels())


def thesis_students(*, user: AnyUser, filters: dict[str, Any] | None) -> QuerySet[Student]:
    """The user's bachelor students with their thesis, narrowed by the page's filters."""
    if filters is None:
        return Student.objects.none()
    students = bachelor_students(user).select_related("station", "program__major", "thesis")
    students = _student_filters(students, filters, prefix="")
    state = filters.get("state")
    if state == "missing":
        students = students.filter(Q(thesis__isnull=True) | Q(thesis__score__isnull=True))
    elif state == "not_defended":
        students = students.filter(thesis__isnull=False, thesis__defended=False)
    elif state == "recorded":
        students = students.filter(thesis__score__isnull=False)
    return students.order_by("student_number")


def disciplinary_records(
    *, user: AnyUser, filters: dict[str, Any] | None
) -> QuerySet[DisciplinaryRecord]:
    if filters is None:
        return DisciplinaryRecord.objects.none()
    records = DisciplinaryRecord.objects.filter(
        student__in=audited_students_for(user)
    ).select_related("student__station", "recorded_by")
    records = _student_filters(records, filters, prefix="student__")
    if filters.get("state") == "active":
        records = records.filter(revoked_on__isnull=True)
    elif filters.get("state") == "revoked":
        records = records.filter(revoked_on__isnull=False)
    return records.order_by("student__student_number", "-issued_on", "pk")


def language_results(*, user: AnyUser, filters: dict[str, Any] | None) -> QuerySet[LanguageResult]:
    if filters is None:
        return LanguageResult.objects.none()
    results = LanguageResult.objects.filter(student__in=audited_students_for(user)).select_related(
        "student__station"
    )
    results = _student_filters(results, filters, prefix="student__")
    if filters.get("exam"):
        results = results.filter(exam=filters["exam"])
    return results.order_by("student__student_number", "-exam_date", "exam")


def _student_filters(queryset: QuerySet[M], filters: dict[str, Any], *, prefix: str) -> QuerySet[M]:
    if filters.get("station"):
        queryset = queryset.filter(**{f"{prefix}station": filters["station"]})
    if filters.get("cohort_year"):
        queryset = queryset.filter(**{f"{prefix}cohort_year": filters["cohort_year"]})
    if query := (filters.get("q") or "").strip():
        queryset = queryset.filter(
            Q(**{f"{prefix}student_number__icontains": query})
            | Q(**{f"{prefix}name__icontains": query})
        )
    return queryset
