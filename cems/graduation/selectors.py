"""Reads of audits, their results and the graduates, limited to what the user may see:
results and graduates of the students in audited_students_for(user); runs of the whole
school or of one of the user's stations."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from cems.accounts.access import (
    AnyUser,
    Capability,
    audited_students_for,
    get_in_scope_or_404,
    has_capability,
    stations_for,
    students_for,
)
from cems.accounts.models import User
from cems.catalog.models import Program
from cems.core.forms import filter_by
from cems.graduation import audit, reasons
from cems.graduation.models import AuditKind, AuditResult, AuditRun, Graduation, RunStatus
from cems.students.models import Student


def runs_for(user: AnyUser, *, kind: str = AuditKind.GRADUATION) -> QuerySet[AuditRun]:
    """The audits of a kind the user sees: of the whole school, or of one of their
    stations."""
    if not has_capability(user, Capability.VIEW_AUDITS):
        return AuditRun.objects.none()
    return (
        AuditRun.objects.filter(kind=kind)
        .filter(Q(station=None) | Q(station__in=stations_for(user)))
        .select_related("station", "started_by")
    )


def run_for(user: AnyUser, *, pk: int, kind: str = AuditKind.GRADUATION) -> AuditRun:
    """One audit the user sees; 404 otherwise."""
    return get_in_scope_or_404(runs_for(user, kind=kind), pk=pk)


def cohort_years() -> list[int]:
    """The cohorts of the students an audit may consider, newest first."""
    return list(
        Student.objects.order_by("-cohort_year").values_list("cohort_year", flat=True).distinct()
    )


def program_choices() -> QuerySet[Program]:
    return Program.objects.select_related("major")


def running(kind: str = AuditKind.GRADUATION) -> AuditRun | None:
    return AuditRun.objects.filter(kind=kind, status=RunStatus.RUNNING).first()


# --- Results ---------------------------------------------------------------------------------

RESULT_FILTER_LOOKUPS = {
    "station": "student__station",
    "program": "student__program",
}


def has_reason(code: str) -> Q:
    """Results giving a reason of this code. Each code appears at most once in a result's
    reasons, so it is at one of the first len(codes) places: a lookup that SQLite and
    PostgreSQL both run."""
    condition = Q()
    for index in range(len(reasons.codes())):
        condition |= Q(**{f"reasons__{index}__code": code})
    return condition


def results_of(
    user: AnyUser, *, run: AuditRun, filters: dict[str, Any] | None
) -> QuerySet[AuditResult]:
    """The run's results of the user's students, by 学号, filtered: eligible ("yes"/"no"),
    station, program, reason (a code). Invalid filters (None) give nothing."""
    if filters is None:
        return AuditResult.objects.none()
    results = filter_by(
        AuditResult.objects.filter(run=run, student__in=audited_students_for(user)),
        filters,
        RESULT_FILTER_LOOKUPS,
    )
    if filters.get("eligible") in ("yes", "no"):
        results = results.filter(eligible=filters["eligible"] == "yes")
    if code := filters.get("reason"):
        results = results.filter(has_reason(code))
    return results.select_related(
        "student__station", "student__program__major", "student__graduation"
    ).order_by("student__student_number")


@dataclass(frozen=True)
class ResultCounts:
    students: int
    eligible: int
    approved: int

    @property
    def not_eligible(self) -> int:
        return self.students - self.eligible

    @property
    def waiting(self) -> int:
        """Eligible and not approved yet."""
        return self.eligible - self.approved


def result_counts(user: AnyUser, *, run: AuditRun) -> ResultCounts:
    """The run's figures over the user's students (a station's staff see their own): one
    query."""
    figures = AuditResult.objects.filter(run=run, student__in=audited_students_for(user)).aggregate(
        students=Count("pk"),
        eligible=Count("pk", filter=Q(eligible=True)),
        approved=Count("pk", filter=Q(approved=True)),
    )
    return ResultCounts(**figures)


def result_columns() -> list[str]:
    return [_("Student number"), _("Name"), _("Station"), _("Program"), _("Cohort"),
            _("Eligible"), _("Credits earned"), _("Average score"), _("Reasons"),
            _("Approved"), _("Diploma number")]  # fmt: skip


def result_rows(results: Iterable[AuditResult]) -> Iterator[list[object]]:
    """The rows of a results download, the reasons as sentences (one a line)."""
    for result in results:
        student = result.student
        graduation = getattr(student, "graduation", None)
        yield [
            student.student_number, student.name, student.station.name, str(student.program),
            student.cohort_year, result.eligible, result.credits_earned, result.average,
            "\n".join(audit.describe_all(result.reasons)), result.approved,
            graduation.diploma_number if graduation else "",
        ]  # fmt: skip


def latest_results(user: User, *, kind: str = AuditKind.GRADUATION) -> list[dict[str, Any]]:
    """For the portal: each student record of the user with its latest audit result of a
    done run (or None) and its graduation (or None). Three queries."""
    students = list(
        students_for(user).filter(user=user).select_related("program__major", "station")
    )
    latest: dict[int, AuditResult] = {}
    for result in (
        AuditResult.objects.filter(student__in=students, run__kind=kind, run__status=RunStatus.DONE)
        .select_related("run")
        .order_by("student", "-run__started_at", "-run__pk")
    ):
        latest.setdefault(result.student_id, result)
    graduations = {g.student_id: g for g in Graduation.objects.filter(student__in=students)}
    return [
        {
            "student": student,
            "result": latest.get(student.pk),
            "reasons": audit.describe_all(latest[student.pk].reasons)
            if student.pk in latest
            else [],
            "graduation": graduations.get(student.pk),
        }
        for student in students
    ]


# --- Graduates -------------------------------------------------------------------------------

GRADUATE_FILTER_LOOKUPS = {
    "year": "graduated_on__year",
    "station": "student__station",
    "program": "student__program",
}


def graduates_for(user: AnyUser, *, filters: dict[str, Any] | None) -> QuerySet[Graduation]:
    """The graduates among the user's students, newest first then by diploma number."""
    if filters is None:
        return Graduation.objects.none()
    return (
        filter_by(
            Graduation.objects.filter(student__in=audited_students_for(user)),
            filters,
            GRADUATE_FILTER_LOOKUPS,
        )
        .select_related("student__station", "student__program__major", "approved_by")
        .order_by("-graduated_on", "diploma_number")
    )


def graduation_years() -> list[int]:
    return list(
        Graduation.objects.annotate(year=ExtractYear("graduated_on"))
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def graduate_columns() -> list[str]:
    return [_("Diploma number"), _("Student number"), _("Name"), _("Station"), _("Program"),
            _("Level"), _("Cohort"), _("Graduation date"), _("Approved by")]  # fmt: skip


def graduate_rows(graduations: Iterable[Graduation]) -> Iterator[list[object]]:
    for graduation in graduations:
        student = graduation.student
        yield [
            graduation.diploma_number, student.student_number, student.name,
            student.station.name, str(student.program), student.program.get_level_display(),
            student.cohort_year, graduation.graduated_on, graduation.approved_by.display_name,
        ]  # fmt: skip
