"""Terms, course offerings and grades: what each class is taught in each term, by whom, to
whom, and with what result.

A course offering is one plan course of a class's teaching plan taught to that class in one
term; its roster (`OfferingStudent`) lists the students taking it: the class's students, and
later students retaking the course from other classes. Grades hang off the roster entries.
"""

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cems.catalog.models import EARLIEST_YEAR, LATEST_YEAR, PlanCourse
from cems.students.models import Student, StudentClass


def _months_later(first_of_month: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after a month's first day."""
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


class AcademicYear(models.Model):
    """学年: named by the year it starts in (2026 = 2026–2027)."""

    start_year = models.PositiveSmallIntegerField(
        _("start year"),
        unique=True,
        validators=[MinValueValidator(EARLIEST_YEAR), MaxValueValidator(LATEST_YEAR)],
        help_text=_("The year the academic year starts in (2026 = 2026–2027)."),
    )

    class Meta:
        ordering = ["-start_year"]
        verbose_name = _("academic year")
        verbose_name_plural = _("academic years")

    def __str__(self) -> str:
        return f"{self.start_year}–{self.start_year + 1}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.start_year, settings.CEMS_ACADEMIC_YEAR_START_MONTH, 1)

    @property
    def last_day(self) -> dt.date:
        return _months_later(self.first_day, 12) - dt.timedelta(days=1)


class TermNumber(models.IntegerChoices):
    FIRST = 1, _("First term (autumn)")
    SECOND = 2, _("Second term (spring)")


def default_term_dates(start_year: int, number: int) -> tuple[dt.date, dt.date]:
    """Terms run from the academic year's start for five months (Sep–Jan) and from its
    seventh month for five months (Mar–Jul)."""
    year_start = dt.date(start_year, settings.CEMS_ACADEMIC_YEAR_START_MONTH, 1)
    first = _months_later(year_start, 0 if number == TermNumber.FIRST else 6)
    return first, _months_later(first, 5) - dt.timedelta(days=1)


class Term(models.Model):
    """学期: one of the two terms of an academic year."""

    academic_year = models.ForeignKey(
        AcademicYear,
        on_delete=models.PROTECT,
        related_name="terms",
        verbose_name=_("academic year"),
    )
    number = models.PositiveSmallIntegerField(_("term"), choices=TermNumber.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-academic_year__start_year", "-number"]
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "number"], name="term_unique_number"),
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")),
                name="term_ends_after_start",
                violation_error_message=_("A term ends after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return _("%(year)s term %(number)s") % {
            "year": self.academic_year,
            "number": self.number,
        }

    @property
    def start_year(self) -> int:
        return self.academic_year.start_year

    def contains(self, day: dt.date) -> bool:
        return self.start_date <= day <= self.end_date

    def clean(self) -> None:
        if self.academic_year_id is None or not self.start_date or not self.end_date:
            return
        year = self.academic_year
        errors: dict[str, list[str]] = {}
        for field in ("start_date", "end_date"):
            day: dt.date = getattr(self, field)
            if not year.first_day <= day <= year.last_day:
                errors.setdefault(field, []).append(
                    _("The academic year %(year)s runs from %(first)s to %(last)s.")
                    % {"year": year, "first": year.first_day, "last": year.last_day}
                )
        if errors:
            raise ValidationError(errors)
        sibling = Term.objects.filter(academic_year=year).exclude(pk=self.pk)
        sibling = sibling.exclude(number=self.number)
        for other in sibling:
            if self.start_date <= other.end_date and other.start_date <= self.end_date:
                raise ValidationError(_("The term overlaps %(other)s.") % {"other": other})
            if (self.number < other.number) != (self.end_date < other.start_date):
                raise ValidationError(_("The first term comes before the second."))


class CourseOffering(models.Model):
    """开课: one plan course of a class's teaching plan, taught to the class in one term."""

    student_class = models.ForeignKey(
        StudentClass,
        on_delete=models.PROTECT,
        related_name="offerings",
        verbose_name=_("class"),
        db_index=False,  # the unique constraint's index begins with it
    )
    term = models.ForeignKey(
        Term, on_delete=models.PROTECT, related_name="offerings", verbose_name=_("term")
    )
    plan_course = models.ForeignKey(
        PlanCourse,
        on_delete=models.PROTECT,
        related_name="offerings",
        verbose_name=_("plan course"),
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offerings",
        verbose_name=_("teacher"),
        limit_choices_to={"role": "teacher"},
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Submitting the grades locks them; submitting the makeup results locks those.
    grades_submitted_at = models.DateTimeField(_("grades submitted at"), null=True, blank=True)
    grades_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("grades submitted by"),
    )
    makeup_submitted_at = models.DateTimeField(_("makeup submitted at"), null=True, blank=True)
    makeup_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("makeup submitted by"),
    )

    class Meta:
        ordering = ["-term__academic_year__start_year", "-term__number", "student_class__code",
                    "plan_course__course__code"]  # fmt: skip
        verbose_name = _("course offering")
        verbose_name_plural = _("course offerings")
        constraints = [
            models.UniqueConstraint(
                fields=["student_class", "term", "plan_course"], name="offering_unique_course"
            ),
            models.CheckConstraint(
                condition=models.Q(makeup_submitted_at=None)
                | models.Q(grades_submitted_at__isnull=False),
                name="offering_makeup_after_grades",
            ),
        ]
        indexes = [
            # Lists are mostly of one term; a teacher's of their own terms.
            models.Index(fields=["term", "student_class"], name="offering_term_class"),
            models.Index(fields=["teacher", "term"], name="offering_teacher_term"),
        ]

    def __str__(self) -> str:
        return f"{self.term} · {self.student_class} · {self.plan_course.course}"

    @property
    def grades_locked(self) -> bool:
        return self.grades_submitted_at is not None

    @property
    def makeup_locked(self) -> bool:
        return self.makeup_submitted_at is not None


class EnrollmentKind(models.TextChoices):
    REGULAR = "regular", _("Regular")
    RETAKE = "retake", _("Retake (重修)")


class OfferingStudent(models.Model):
    """A student on an offering's roster; the student's grade for the offering hangs off it."""

    offering = models.ForeignKey(
        CourseOffering,
        on_delete=models.CASCADE,
        related_name="roster",
        verbose_name=_("course offering"),
        db_index=False,  # the unique constraint's index begins with it
    )
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="offerings", verbose_name=_("student")
    )
    kind = models.CharField(
        _("kind"), max_length=8, choices=EnrollmentKind.choices, default=EnrollmentKind.REGULAR
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["offering", "student__student_number"]
        verbose_name = _("student of an offering")
        verbose_name_plural = _("students of offerings")
        constraints = [
            models.UniqueConstraint(fields=["offering", "student"], name="roster_unique_student")
        ]

    def __str__(self) -> str:
        return f"{self.offering} · {self.student}"


# --- Grades ----------------------------------------------------------------------------------

_UNLOCKED: contextvars.ContextVar[bool] = contextvars.ContextVar("grades_unlocked", default=False)


@contextlib.contextmanager
def grade_writes() -> Iterator[None]:
    """Lets the grade services write: they check the locks, record the history and hold the
    offering's row lock themselves. Anything else (the admin, a shell, a stray script) that
    saves a grade of a submitted offering is refused by `Grade.save`."""
    token = _UNLOCKED.set(True)
    try:
        yield
    finally:
        _UNLOCKED.reset(token)


class GradeLocked(Exception):
    """A grade of a submitted offering was written outside the grade services."""


class Grade(models.Model):
    """A student's grade for an offering: the original result, the makeup exam's beside it,
    and what they come to (see cems.teaching.grading for the rules).

    `passed`, `final_passed` and `final_numeric` are derived by the services whenever a
    field changes, so that lists, averages and audits read them with plain SQL."""

    entry = models.OneToOneField(
        OfferingStudent,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="grade",
        verbose_name=_("student of an offering"),
    )
    coursework = models.DecimalField(
        _("coursework"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    exam = models.DecimalField(_("exam"), max_digits=4, decimal_places=1, null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=1, null=True, blank=True)
    level = models.CharField(_("result"), max_length=10, blank=True)
    mark = models.CharField(_("mark"), max_length=10, blank=True)
    makeup_score = models.DecimalField(
        _("makeup score"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    makeup_level = models.CharField(_("makeup result"), max_length=10, blank=True)
    makeup_mark = models.CharField(_("makeup mark"), max_length=10, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    final_passed = models.BooleanField(_("finally passed"), null=True, blank=True)
    final_numeric = models.DecimalField(
        _("final score"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(coursework__gte=0, coursework__lte=100)
                | models.Q(coursework=None),
                name="grade_coursework_range",
            ),
            models.CheckConstraint(
                condition=models.Q(exam__gte=0, exam__lte=100) | models.Q(exam=None),
                name="grade_exam_range",
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=100) | models.Q(score=None),
                name="grade_score_range",
            ),
            models.CheckConstraint(
                condition=models.Q(makeup_score__gte=0, makeup_score__lte=100)
                | models.Q(makeup_score=None),
                name="grade_makeup_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry} · {self.score if self.score is not None else self.level}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not _UNLOCKED.get() and self._offering_locked():
            raise GradeLocked(_("The grades of this offering are submitted and locked."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if not _UNLOCKED.get() and self._offering_locked():
            raise GradeLocked(_("The grades of this offering are submitted and locked."))
        return super().delete(*args, **kwargs)

    def _offering_locked(self) -> bool:
        return CourseOffering.objects.filter(
            roster__pk=self.entry_id, grades_submitted_at__isnull=False
        ).exists()


class ChangeSource(models.TextChoices):
    GRID = "grid", _("Grade grid")
    SHEET = "sheet", _("Excel sheet")
    REQUEST = "request", _("Approved change request")


class GradeChange(models.Model):
    """One change of one grade field, kept for good: who, when, from what to what, and why.
    Rows are only ever added."""

    grade = models.ForeignKey(
        Grade, on_delete=models.PROTECT, related_name="changes", verbose_name=_("grade")
    )
    offering = models.ForeignKey(
        CourseOffering,
        on_delete=models.PROTECT,
        related_name="grade_changes",
        verbose_name=_("course offering"),
    )
    field = models.CharField(_("field"), max_length=20)
    old_value = models.CharField(_("from"), max_length=20, blank=True)
    new_value = models.CharField(_("to"), max_length=20, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=ChangeSource.choices)
    reason = models.TextField(_("reason"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")
        indexes = [models.Index(fields=["offering", "changed_at"], name="gradechange_offering")]

    def __str__(self) -> str:
        return f"{self.grade_id} {self.field}: {self.old_value} -> {self.new_value}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("Grade history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Grade history is append-only.")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class GradeChangeRequest(models.Model):
    """A request to change a submitted grade, with its reason; academic affairs decides."""

    grade = models.ForeignKey(
        Grade, on_delete=models.PROTECT, related_name="change_requests", verbose_name=_("grade")
    )
    offering = models.ForeignKey(
        CourseOffering,
        on_delete=models.PROTECT,
        related_name="change_requests",
        verbose_name=_("course offering"),
    )
    # The proposed values, field -> the value as shown ("85", "good", "absent", "").
    changes = models.JSONField(_("changes"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("grade change request")
        verbose_name_plural = _("grade change requests")
        constraints = [
            models.UniqueConstraint(
                fields=["grade"],
                condition=models.Q(status="pending"),
                name="gradechangerequest_one_pending",
                violation_error_message=_("This grade already has a pending change request."),
            )
        ]
        indexes = [
            models.Index(fields=["status", "requested_at"], name="gradechangerequest_status")
        ]

    def __str__(self) -> str:
        return f"{self.grade_id}: {self.changes} ({self.status})"


class Transcript(models.Model):
    """A transcript as issued: its verification code and what it showed, so that the public
    verification page can confirm a printed copy."""

    code = models.CharField(_("verification code"), max_length=20, unique=True)
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="transcripts", verbose_name=_("student")
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    # The figures printed on it: courses, credits earned, averages; and a digest of its rows.
    summary = models.JSONField(_("summary"), default=dict)
    digest = models.CharField(_("digest"), max_length=64)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("transcript")
        verbose_name_plural = _("transcripts")

    def __str__(self) -> str:
        return self.code
