"""Non-degree training (DOMAIN.md, "Non-degree training"): categories with their own rules,
projects and their cohorts, one file per trainee (identified by national ID number) with
employers as a registry of their own, enrollments, sessions and attendance, assessments,
and certificates with expiry, reviews, revocation and public verification."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cems.core.idcard import validate_id_number


class TrainingCategory(models.Model):
    """A kind of training with its own rules: certificate validity, review interval and the
    refresher hours a review needs, the retake rule, the certificate number format."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    # 0: the certificate does not expire.
    validity_months = models.PositiveSmallIntegerField(
        _("certificate validity (months)"), default=0
    )
    # 0: no review; else a review is due every so many months within the validity.
    review_interval_months = models.PositiveSmallIntegerField(
        _("review interval (months)"), default=0
    )
    refresher_hours = models.PositiveSmallIntegerField(
        _("refresher hours before a review"), default=0
    )
    # Assessment attempts before the wait; then the wait before trying again.
    attempts_before_wait = models.PositiveSmallIntegerField(_("attempts before a wait"), default=2)
    retake_wait_months = models.PositiveSmallIntegerField(
        _("wait after failed attempts (months)"), default=0
    )
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum attendance (%)"), default=80, validators=[MaxValueValidator(100)]
    )
    pass_score = models.PositiveSmallIntegerField(
        _("pass score"), default=60, validators=[MaxValueValidator(100)]
    )
    # Placeholders: {code} the category code, {year} the issue year, {seq} the sequence.
    certificate_number_format = models.CharField(
        _("certificate number format"), max_length=60, default="{code}{year}{seq:05d}"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("training category")
        verbose_name_plural = _("training categories")

    def __str__(self) -> str:
        return self.name


class EmployerKind(models.TextChoices):
    SCHOOL = "school", _("School")
    MINE = "mine", _("Mine")
    COMPANY = "company", _("Company")
    GOVERNMENT = "government", _("Government body")
    OTHER = "other", _("Other")


class Employer(models.Model):
    """A trainee's employer (a school, a mine, a company): a registry of its own."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=EmployerKind.choices)
    region = models.CharField(_("region"), max_length=50, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("employer")
        verbose_name_plural = _("employers")

    def __str__(self) -> str:
        return self.name


class Trainee(models.Model):
    """One person, one file (一人一档), identified by national ID number."""

    id_number = models.CharField(
        _("ID number"), max_length=18, unique=True, validators=[validate_id_number]
    )
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(
        _("gender"), max_length=1, choices=[("M", _("Male")), ("F", _("Female"))]
    )
    birth_date = models.DateField(_("birth date"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, null=True, blank=True, related_name="trainees",
        verbose_name=_("employer"),
    )  # fmt: skip
    position = models.CharField(_("position"), max_length=50, blank=True)
    education = models.CharField(_("education"), max_length=30, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="trainee", verbose_name=_("user account"),
    )  # fmt: skip
    # A file merged into another keeps pointing at it; its records moved there.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged",
        verbose_name=_("merged into"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id_number"]
        verbose_name = _("trainee")
        verbose_name_plural = _("trainees")
        indexes = [models.Index(fields=["name"], name="trainee_name")]

    def __str__(self) -> str:
        return self.name


class ProjectFormat(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time")
    SHORT_INTENSIVE = "short_intensive", _("Short-term intensive")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ENROLLING = "enrolling", _("Enrolling")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    ARCHIVED = "archived", _("Archived")


class Project(models.Model):
    """A training project (one cohort, 期次, of a programme) run by the training office."""

    category = models.ForeignKey(
        TrainingCategory, on_delete=models.PROTECT, related_name="projects",
        verbose_name=_("category"),
    )  # fmt: skip
    title = models.CharField(_("title"), max_length=200)
    sponsor = models.CharField(_("sponsor"), max_length=100)
    format = models.CharField(_("format"), max_length=16, choices=ProjectFormat.choices)
    cohort = models.PositiveSmallIntegerField(_("cohort (期次)"), default=1)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    venue = models.CharField(_("venue"), max_length=100)
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    hours = models.PositiveSmallIntegerField(_("hours"))
    fee = models.DecimalField(_("fee"), max_digits=10, decimal_places=2, default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "title", "cohort"]
        verbose_name = _("training project")
        verbose_name_plural = _("training projects")
        constraints = [
            models.UniqueConstraint(fields=["title", "cohort"], name="project_unique_cohort"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="project_ends_after_start",
                violation_error_message=_("A project ends on or after its start."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（第{self.cohort}期）"


class EnrollmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Not completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Enrollment(models.Model):
    """A trainee on a project's roster."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("project")
    )
    trainee = models.ForeignKey(
        Trainee, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("trainee")
    )
    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("employer at enrollment"),
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=EnrollmentStatus.choices,
        default=EnrollmentStatus.ENROLLED,
    )  # fmt: skip
    enrolled_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)

    class Meta:
        ordering = ["project", "trainee__name"]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            models.UniqueConstraint(fields=["project", "trainee"], name="enrollment_unique_trainee")
        ]

    def __str__(self) -> str:
        return f"{self.project_id}/{self.trainee_id}"


class Session(models.Model):
    """One session of a project: date, time, topic, hours."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("project")
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"))
    topic = models.CharField(_("topic"), max_length=200)
    hours = models.DecimalField(
        _("hours"), max_digits=4, decimal_places=1, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["project", "date", "start_time"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.date} {self.topic}"


class Attendance(models.Model):
    """Whether an enrolled trainee attended a session."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("session")
    )
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="attendance",
        verbose_name=_("enrollment"),
    )  # fmt: skip
    present = models.BooleanField(_("present"))

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "enrollment"], name="attendance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.enrollment_id} {self.present}"


class Assessment(models.Model):
    """One assessment attempt of an enrolled trainee."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="assessments",
        verbose_name=_("enrollment"),
    )  # fmt: skip
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    assessed_on = models.DateField(_("date"))
    score = models.DecimalField(
        _("score"), max_digits=4, decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    passed = models.BooleanField(_("passed"))

    class Meta:
        ordering = ["enrollment", "attempt"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "attempt"], name="assessment_unique_attempt"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id} #{self.attempt} {self.score}"


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")


class Certificate(models.Model):
    """A certificate issued on completion; valid until `expires_on` (None: no expiry),
    extended by reviews, or revoked with a reason."""

    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.PROTECT, related_name="certificate",
        verbose_name=_("enrollment"),
    )  # fmt: skip
    trainee = models.ForeignKey(
        Trainee, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("trainee")
    )
    category = models.ForeignKey(
        TrainingCategory, on_delete=models.PROTECT, related_name="certificates",
        verbose_name=_("category"),
    )  # fmt: skip
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    next_review_on = models.DateField(_("next review due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CertificateStatus.choices,
        default=CertificateStatus.VALID,
    )  # fmt: skip
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revocation_reason = models.CharField(_("revocation reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        indexes = [models.Index(fields=["expires_on"], name="certificate_expires")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="valid") | ~models.Q(revocation_reason=""),
                name="certificate_revoked_with_reason",
                violation_error_message=_("A revocation needs a reason."),
            )
        ]

    def __str__(self) -> str:
        return self.number


class CertificateReview(models.Model):
    """A review (复审) of a certificate after refresher training, extending its validity."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="reviews",
        verbose_name=_("certificate"),
    )  # fmt: skip
    reviewed_on = models.DateField(_("reviewed on"))
    refresher_hours = models.DecimalField(_("refresher hours"), max_digits=5, decimal_places=1)
    expires_on_before = models.DateField(_("expiry before"), null=True, blank=True)
    expires_on_after = models.DateField(_("expiry after"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("reviewed by"),
    )  # fmt: skip

    class Meta:
        ordering = ["certificate", "reviewed_on"]
        verbose_name = _("certificate review")
        verbose_name_plural = _("certificate reviews")

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.reviewed_on}"
