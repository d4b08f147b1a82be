"""Terms and course offerings: what each class is taught in each term, by whom, to whom.

A course offering is one plan course of a class's teaching plan taught to that class in one
term; its roster (`OfferingStudent`) lists the students taking it: the class's students, and
later students retaking the course from other classes. Grades hang off the roster entries.
"""

import datetime as dt

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

    class Meta:
        ordering = ["-term__academic_year__start_year", "-term__number", "student_class__code",
                    "plan_course__course__code"]  # fmt: skip
        verbose_name = _("course offering")
        verbose_name_plural = _("course offerings")
        constraints = [
            models.UniqueConstraint(
                fields=["student_class", "term", "plan_course"], name="offering_unique_course"
            )
        ]
        indexes = [
            # Lists are mostly of one term; a teacher's of their own terms.
            models.Index(fields=["term", "student_class"], name="offering_term_class"),
            models.Index(fields=["teacher", "term"], name="offering_teacher_term"),
        ]

    def __str__(self) -> str:
        return f"{self.term} · {self.student_class} · {self.plan_course.course}"


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
