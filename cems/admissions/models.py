from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cems.catalog.models import Level, Major, Program, StudyMode
from cems.core import idcard
from cems.core.validators import validate_phone
from cems.organization.models import Station
from cems.students.models import Gender


class AdmissionImport(models.Model):
    """One admission file read from the provincial exam authority, previewed, then confirmed."""

    class State(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        CONFIRMED = "confirmed", _("Confirmed")
        DISCARDED = "discarded", _("Discarded")

    file_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=8)
    admission_year = models.PositiveSmallIntegerField(_("admission year"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PREVIEWED
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    all_or_nothing = models.BooleanField(
        _("all or nothing"),
        default=False,
        help_text=_("Write nothing if any row is rejected."),
    )
    # The uploaded file's name under VAR_DIR/uploads while it waits for confirmation (never
    # served); emptied when the import is confirmed or discarded and the file deleted.
    stored_name = models.CharField(max_length=64, blank=True, editable=False)
    # {"warnings": [...], "rows": [...]}: while previewed every row (as the preview shows
    # it), afterwards the rows that were rejected or warned about (see checks.RowResult).
    report = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("admission import")
        verbose_name_plural = _("admission imports")

    def __str__(self) -> str:
        return self.file_name


class CandidateStatus(models.TextChoices):
    ADMITTED = "admitted", _("Admitted")
    ENROLLED = "enrolled", _("Enrolled")


class Candidate(models.Model):
    """An admitted candidate (录取考生) as the exam authority's file lists them.

    Admission data may be corrected only until the candidate is enrolled (学籍注册): from
    then on the student record is the source of truth.
    """

    exam_number = models.CharField(_("exam candidate number"), max_length=20, unique=True)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    id_number = models.CharField(
        _("ID number"), max_length=18, db_index=True, validators=[idcard.validate_id_number]
    )
    birth_date = models.DateField(_("birth date"))
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    political_status = models.CharField(_("political status"), max_length=20, blank=True)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    major = models.ForeignKey(
        Major, on_delete=models.PROTECT, related_name="candidates", verbose_name=_("major")
    )
    mode = models.CharField(_("study mode"), max_length=16, choices=StudyMode.choices)
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="candidates", verbose_name=_("program")
    )
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="candidates", verbose_name=_("station")
    )
    total_score = models.PositiveSmallIntegerField(_("total score"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    address = models.CharField(_("address"), max_length=200, blank=True)
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    admission_year = models.PositiveSmallIntegerField(_("admission year"), db_index=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CandidateStatus.choices,
        default=CandidateStatus.ADMITTED,
    )
    student = models.OneToOneField(
        "students.Student",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="candidate",
        verbose_name=_("student"),
    )
    source = models.ForeignKey(
        AdmissionImport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidates",
        verbose_name=_("admission import"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["exam_number"]
        verbose_name = _("admitted candidate")
        verbose_name_plural = _("admitted candidates")
        indexes = [
            models.Index(fields=["station", "status"], name="candidate_station_status"),
            models.Index(fields=["admission_year", "status"], name="candidate_year_status"),
        ]

    def __str__(self) -> str:
        return f"{self.exam_number} {self.name}"
