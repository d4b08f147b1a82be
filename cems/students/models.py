from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cems.catalog.models import Program
from cems.core import idcard
from cems.core.validators import validate_phone
from cems.organization.models import Station


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class StudentStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    DEFERRED = "deferred", _("Admission deferred")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    GRADUATED = "graduated", _("Graduated")


class Student(models.Model):
    """A degree student's record (学籍)."""

    student_number = models.CharField(_("student number"), max_length=20, unique=True)
    exam_number = models.CharField(_("exam candidate number"), max_length=20, unique=True)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    id_number = models.CharField(
        _("ID number"), max_length=18, db_index=True, validators=[idcard.validate_id_number]
    )
    birth_date = models.DateField(_("birth date"))
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="students", verbose_name=_("station")
    )
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="students", verbose_name=_("program")
    )
    cohort_year = models.PositiveSmallIntegerField(_("cohort year"), db_index=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=StudentStatus.choices,
        default=StudentStatus.REGISTERED,
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="student_record",
        verbose_name=_("user account"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["student_number"]
        verbose_name = _("student")
        verbose_name_plural = _("students")
        indexes = [
            models.Index(fields=["station", "status"], name="student_station_status"),
            models.Index(fields=["status", "cohort_year"], name="student_status_cohort"),
            models.Index(fields=["name"], name="student_name"),
        ]

    def __str__(self) -> str:
        return f"{self.student_number} {self.name}"

    def clean(self) -> None:
        if not self.id_number:
            return
        try:
            # Stored as the standard writes it (capital X), as searches look it up.
            self.id_number = idcard.parse(self.id_number).number
        except ValidationError:
            return  # the field validator reports it
        errors = idcard.check_against_record(
            self.id_number, birth_date=self.birth_date, gender=self.gender
        )
        if errors:
            raise ValidationError({"id_number": errors})
