import math
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Discipline(models.TextChoices):
    """Disciplines of the national catalogue of undergraduate majors."""

    PHILOSOPHY = "philosophy", _("Philosophy")
    ECONOMICS = "economics", _("Economics")
    LAW = "law", _("Law")
    EDUCATION = "education", _("Education")
    LITERATURE = "literature", _("Literature")
    HISTORY = "history", _("History")
    SCIENCE = "science", _("Science")
    ENGINEERING = "engineering", _("Engineering")
    AGRICULTURE = "agriculture", _("Agriculture")
    MEDICINE = "medicine", _("Medicine")
    MANAGEMENT = "management", _("Management")
    ARTS = "arts", _("Arts")


class Level(models.TextChoices):
    HIGH_SCHOOL_TO_JUNIOR_COLLEGE = "hs_jc", _("Senior high school to junior college (高起专)")
    JUNIOR_COLLEGE_TO_BACHELOR = "jc_ba", _("Junior college to bachelor (专升本)")
    HIGH_SCHOOL_TO_BACHELOR = "hs_ba", _("Senior high school to bachelor (高起本)")

    @classmethod
    def bachelor_levels(cls) -> tuple[str, ...]:
        return (cls.JUNIOR_COLLEGE_TO_BACHELOR, cls.HIGH_SCHOOL_TO_BACHELOR)


class StudyMode(models.TextChoices):
    CORRESPONDENCE = "correspondence", _("Correspondence (函授)")
    SPARE_TIME = "spare_time", _("Spare-time (业余)")


def default_standard_length(level: str) -> Decimal:
    """The standard length for a level, from settings (DOMAIN.md: sources disagree)."""
    return Decimal(settings.CEMS_STANDARD_LENGTH_YEARS[level])


# Codes of the national catalogue: six digits, sometimes a letter or two (120203K, 080910T).
_MAJOR_CODE = RegexValidator(
    r"^\d{6}[A-Z]{0,2}$", _("Six digits, optionally followed by capital letters (120203K).")
)
_SHORT_CODE = RegexValidator(r"^\d{3}$", _("Exactly three digits."))
# Admission years a plan may be made for; wide enough for old records and planning ahead.
EARLIEST_YEAR = 1950
LATEST_YEAR = 2100


class Major(models.Model):
    code = models.CharField(
        _("code"),
        max_length=10,
        unique=True,
        validators=[_MAJOR_CODE],
        help_text=_("The national catalogue code."),
    )
    short_code = models.CharField(
        _("code in student numbers"),
        max_length=3,
        unique=True,
        validators=[_SHORT_CODE],
        help_text=_("The 3-digit code of the major in student numbers (学号)."),
    )
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=100)
    discipline = models.CharField(_("discipline"), max_length=20, choices=Discipline.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("major")
        verbose_name_plural = _("majors")

    def __str__(self) -> str:
        return self.name


class Program(models.Model):
    """A major offered at one level in one study mode."""

    major = models.ForeignKey(
        Major, on_delete=models.PROTECT, related_name="programs", verbose_name=_("major")
    )
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    mode = models.CharField(_("study mode"), max_length=16, choices=StudyMode.choices)
    standard_length_years = models.DecimalField(
        _("standard length (years)"),
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("1"))],
    )
    credits_to_graduate = models.PositiveSmallIntegerField(
        _("credits to graduate"), validators=[MinValueValidator(1)]
    )
    tuition_per_year = models.DecimalField(
        _("tuition per year (CNY)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    is_offered = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["major__code", "level", "mode"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        constraints = [
            models.UniqueConstraint(
                fields=["major", "level", "mode"], name="program_unique_major_level_mode"
            )
        ]

    def __str__(self) -> str:
        return f"{self.major.name} · {self.get_level_display()} · {self.get_mode_display()}"

    @property
    def terms(self) -> int:
        """Terms in the standard length: two a year, a half year counting as one term."""
        return math.ceil(self.standard_length_years * 2)

    @property
    def is_bachelor(self) -> bool:
        return self.level in Level.bachelor_levels()


class Assessment(models.TextChoices):
    EXAM = "exam", _("Exam")
    COURSEWORK = "coursework", _("Coursework")


class GradingScale(models.TextChoices):
    """How a course is graded (DOMAIN.md, Grades)."""

    PERCENT = "percent", _("Percentage (百分制, 0–100)")
    FIVE_LEVEL = "five_level", _("Five levels (五级制)")
    PASS_FAIL = "pass_fail", _("Pass or fail (合格制)")


class Course(models.Model):
    """A course of the school's catalogue; teaching plans place it in a term of a program."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    credits = models.DecimalField(
        _("credits"), max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("0"))]
    )
    hours = models.PositiveSmallIntegerField(_("hours"))
    assessment = models.CharField(
        _("assessment"), max_length=16, choices=Assessment.choices, default=Assessment.EXAM
    )
    grading_scale = models.CharField(
        _("grading scale"),
        max_length=16,
        choices=GradingScale.choices,
        default=GradingScale.PERCENT,
    )
    coursework_weight = models.PositiveSmallIntegerField(
        _("coursework weight (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "For percentage grading: the share of the coursework (平时) score in the total, "
            "the exam (期末) taking the rest. 0 means one score is entered."
        ),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(coursework_weight=0)
                | models.Q(grading_scale="percent", coursework_weight__lt=100),
                name="course_weight_percent_only",
                violation_error_message=_(
                    "Only a percentage-graded course has a coursework weight, below 100."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TeachingPlan(models.Model):
    """教学计划: the courses of each term for one program and one admission year."""

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="plans", verbose_name=_("program")
    )
    admission_year = models.PositiveSmallIntegerField(
        _("admission year"),
        validators=[MinValueValidator(EARLIEST_YEAR), MaxValueValidator(LATEST_YEAR)],
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["program__major__code", "program__level", "program__mode", "admission_year"]
        verbose_name = _("teaching plan")
        verbose_name_plural = _("teaching plans")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "admission_year"], name="plan_unique_program_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.program} · {self.admission_year}"


class PlanCourse(models.Model):
    """One course in one term of a teaching plan, with the plan's own credits and hours."""

    plan = models.ForeignKey(
        TeachingPlan, on_delete=models.CASCADE, related_name="courses", verbose_name=_("plan")
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="plan_entries", verbose_name=_("course")
    )
    term = models.PositiveSmallIntegerField(
        _("term"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    credits = models.DecimalField(
        _("credits"), max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("0"))]
    )
    hours = models.PositiveSmallIntegerField(_("hours"))
    assessment = models.CharField(_("assessment"), max_length=16, choices=Assessment.choices)
    is_required = models.BooleanField(_("required"), default=True)
    is_degree_course = models.BooleanField(_("degree course"), default=False)

    class Meta:
        ordering = ["plan", "term", "course__code"]
        verbose_name = _("plan course")
        verbose_name_plural = _("plan courses")
        constraints = [
            models.UniqueConstraint(fields=["plan", "course"], name="plancourse_unique_course")
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.term} · {self.course}"
