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
    TRANSFERRED = "transferred", _("Transferred to another school")
    GRADUATED = "graduated", _("Graduated")


class StudentClass(models.Model):
    """A class (班级): the students of one program and cohort at one station."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="classes", verbose_name=_("station")
    )
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="classes", verbose_name=_("program")
    )
    cohort_year = models.PositiveSmallIntegerField(_("cohort year"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        indexes = [
            # Enrollment looks classes up by station, program and cohort; the class filter
            # narrows its choices by station and cohort.
            models.Index(
                fields=["station", "cohort_year", "program"], name="class_station_cohort_prog"
            )
        ]

    def __str__(self) -> str:
        return self.name


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
        Station,
        on_delete=models.PROTECT,
        related_name="students",
        verbose_name=_("station"),
        db_index=False,  # student_station_number serves it
    )
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="students", verbose_name=_("program")
    )
    # student_cohort_number serves it
    cohort_year = models.PositiveSmallIntegerField(_("cohort year"))
    student_class = models.ForeignKey(
        StudentClass,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="students",
        verbose_name=_("class"),
    )
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
        # Lists are ordered by student number and paged by it (keyset): each filter that a
        # list page uses has an index that yields its rows already in that order, so that a
        # page at a million students reads a page of rows, not every match.
        indexes = [
            models.Index(fields=["station", "student_number"], name="student_station_number"),
            # Station staff filter their station's students by cohort, level or mode: read
            # from this index alone, without fetching the rows.
            models.Index(
                fields=["station", "cohort_year", "program", "student_number"],
                name="student_station_cohort_prog",
            ),
            models.Index(fields=["cohort_year", "student_number"], name="student_cohort_number"),
            models.Index(fields=["status", "student_number"], name="student_status_number"),
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


class StudentNumberChange(models.Model):
    """A change of 学号 (after a change of major or study mode); the old number is kept."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="number_changes", verbose_name=_("student")
    )
    old_number = models.CharField(_("old student number"), max_length=20, db_index=True)
    new_number = models.CharField(_("new student number"), max_length=20)
    request = models.ForeignKey(
        "StatusChangeRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("status change"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = _("student number change")
        verbose_name_plural = _("student number changes")

    def __str__(self) -> str:
        return f"{self.old_number} → {self.new_number}"


class StatusChangeKind(models.TextChoices):
    """学籍异动 types (DOMAIN.md)."""

    DEFER = "defer", _("Defer admission (保留入学资格)")
    SUSPEND = "suspend", _("Suspend studies (休学)")
    RESUME = "resume", _("Resume studies (复学)")
    WITHDRAW = "withdraw", _("Withdraw (退学)")
    CHANGE_MAJOR = "change_major", _("Change major (转专业)")
    CHANGE_MODE = "change_mode", _("Change study mode (转学习形式)")
    CHANGE_STATION = "change_station", _("Change station (转函授站)")
    TRANSFER = "transfer", _("Transfer to another school (转学)")
    CORRECT_DATA = "correct_data", _("Correct personal data (信息更正)")


class RequestState(models.TextChoices):
    PENDING_STATION = "pending_station", _("Waiting for the station")
    PENDING_TARGET_STATION = "pending_target_station", _("Waiting for the receiving station")
    PENDING_SCHOOL = "pending_school", _("Waiting for academic affairs")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class StatusChangeRequest(models.Model):
    """A request for a status change, approved step by step; applied on final approval."""

    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="status_requests", verbose_name=_("student")
    )
    kind = models.CharField(_("type"), max_length=20, choices=StatusChangeKind.choices)
    state = models.CharField(
        _("state"),
        max_length=24,
        choices=RequestState.choices,
        default=RequestState.PENDING_STATION,
    )
    reason = models.TextField(_("reason"))
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)
    new_program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new program"),
    )
    new_station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incoming_requests",
        verbose_name=_("new station"),
    )
    target_school = models.CharField(_("receiving school"), max_length=100, blank=True)
    corrections = models.JSONField(_("corrections"), default=dict, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("filed by"),
    )
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)

    class Meta:
        ordering = ["-filed_at", "-pk"]
        verbose_name = _("status change request")
        verbose_name_plural = _("status change requests")
        indexes = [models.Index(fields=["state", "kind"], name="statusreq_state_kind")]

    def __str__(self) -> str:
        return f"{self.student} · {self.get_kind_display()}"


class ApprovalStep(models.TextChoices):
    STATION = "station", _("Station")
    TARGET_STATION = "target_station", _("Receiving station")
    SCHOOL = "school", _("Academic affairs")


class StatusChangeApproval(models.Model):
    """One decision in a request's approval chain."""

    request = models.ForeignKey(
        StatusChangeRequest,
        on_delete=models.CASCADE,
        related_name="approvals",
        verbose_name=_("request"),
    )
    step = models.CharField(_("step"), max_length=16, choices=ApprovalStep.choices)
    approved = models.BooleanField(_("approved"))
    comment = models.TextField(_("comment"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "pk"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")

    def __str__(self) -> str:
        return f"{self.request} · {self.get_step_display()}"


class Registration(models.Model):
    """缴费注册: a student registered for one academic year once its tuition is paid."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("student")
    )
    academic_year = models.PositiveSmallIntegerField(
        _("academic year"), help_text=_("The year the academic year starts in (2026 = 2026–2027).")
    )
    tuition_paid = models.BooleanField(_("tuition paid"), default=False)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )

    class Meta:
        ordering = ["-academic_year", "student"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "academic_year"], name="registration_unique_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} · {self.academic_year}"
