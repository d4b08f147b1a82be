"""Graduation and degree audits, their verdicts with reasons, approvals with diploma and
degree certificate numbers, and the records the degree audit reads (thesis, foreign
language exams, discipline)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cems.organization.models import Station
from cems.students.models import Student


class AuditKind(models.TextChoices):
    GRADUATION = "graduation", _("Graduation audit (毕业审核)")
    DEGREE = "degree", _("Degree audit (学位审核)")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class AuditRun(models.Model):
    """One audit of a cohort, a station or the whole school (both empty)."""

    kind = models.CharField(_("kind"), max_length=12, choices=AuditKind.choices)
    cohort_year = models.PositiveSmallIntegerField(_("cohort"), null=True, blank=True)
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("station"),
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    # The day the verdicts are given for: today, or a coming graduation date audited ahead.
    as_of = models.DateField(_("as of"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("started by"),
    )  # fmt: skip
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("audit")
        verbose_name_plural = _("audits")
        constraints = [
            # One audit of a kind runs at a time: a second one started meanwhile is refused.
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(status="running"),
                name="auditrun_one_running_per_kind",
                violation_error_message=_("An audit of this kind is already running."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class AuditResult(models.Model):
    """One student's verdict in an audit, with every reason it is not eligible."""

    run = models.ForeignKey(
        AuditRun, on_delete=models.CASCADE, related_name="results", verbose_name=_("audit")
    )
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="audit_results", verbose_name=_("student")
    )
    eligible = models.BooleanField(_("eligible"))
    # [{"code": "credits_short", "params": {...}}, ...]; rendered by cems/graduation/reasons.py.
    reasons = models.JSONField(_("reasons"), default=list)
    credits_earned = models.DecimalField(
        _("credits earned"), max_digits=6, decimal_places=1, default=0
    )
    average = models.DecimalField(
        _("average score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    approved = models.BooleanField(_("approved"), default=False)

    class Meta:
        ordering = ["run", "student__student_number"]
        verbose_name = _("audit result")
        verbose_name_plural = _("audit results")
        constraints = [
            models.UniqueConstraint(fields=["run", "student"], name="auditresult_unique_student")
        ]
        indexes = [models.Index(fields=["run", "eligible"], name="auditresult_run_eligible")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.student_id} {'eligible' if self.eligible else 'not eligible'}"


class NumberSequence(models.Model):
    """The last number issued in a series (diplomas of a year and level, degrees of a year):
    read and advanced under a row lock, so concurrent approvals never share a number."""

    key = models.CharField(_("series"), max_length=50, unique=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number series")
        verbose_name_plural = _("number series")

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"


class Graduation(models.Model):
    """A graduate: approved on an eligible audit result, with the diploma number."""

    student = models.OneToOneField(
        Student, on_delete=models.PROTECT, related_name="graduation", verbose_name=_("student")
    )
    diploma_number = models.CharField(_("diploma number"), max_length=40, unique=True)
    graduated_on = models.DateField(_("graduation date"))
    audit_result = models.ForeignKey(
        AuditResult, on_delete=models.PROTECT, related_name="+", verbose_name=_("audit result")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("approved by"),
    )  # fmt: skip
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)

    class Meta:
        ordering = ["-graduated_on", "diploma_number"]
        verbose_name = _("graduation")
        verbose_name_plural = _("graduations")

    def __str__(self) -> str:
        return self.diploma_number


class DegreeAward(models.Model):
    """A bachelor's degree (学士学位) awarded, with its certificate number."""

    student = models.OneToOneField(
        Student, on_delete=models.PROTECT, related_name="degree", verbose_name=_("student")
    )
    certificate_number = models.CharField(
        _("degree certificate number"), max_length=40, unique=True
    )
    awarded_on = models.DateField(_("award date"))
    audit_result = models.ForeignKey(
        AuditResult, on_delete=models.PROTECT, related_name="+", verbose_name=_("audit result")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("approved by"),
    )  # fmt: skip
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)

    class Meta:
        ordering = ["-awarded_on", "certificate_number"]
        verbose_name = _("degree")
        verbose_name_plural = _("degrees")

    def __str__(self) -> str:
        return self.certificate_number


class Thesis(models.Model):
    """A bachelor student's thesis (毕业论文): its grade and whether it was defended."""

    student = models.OneToOneField(
        Student, on_delete=models.CASCADE, related_name="thesis", verbose_name=_("student")
    )
    title = models.CharField(_("title"), max_length=200)
    score = models.DecimalField(
        _("score"), max_digits=4, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    defended = models.BooleanField(_("defended"), default=False)
    defended_on = models.DateField(_("defence date"), null=True, blank=True)

    class Meta:
        verbose_name = _("thesis")
        verbose_name_plural = _("theses")

    def __str__(self) -> str:
        return self.title


class LanguageExam(models.TextChoices):
    ADULT_DEGREE_ENGLISH = (
        "adult_english",
        _("Provincial adult degree English exam (成人学士学位英语)"),
    )
    CET4 = "cet4", _("CET-4 (大学英语四级)")


class LanguageResult(models.Model):
    """A foreign-language exam result, imported from the exam authority's list."""

    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="language_results",
        verbose_name=_("student"),
    )  # fmt: skip
    exam = models.CharField(_("exam"), max_length=16, choices=LanguageExam.choices)
    exam_date = models.DateField(_("exam date"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        ordering = ["student", "-exam_date"]
        verbose_name = _("foreign-language result")
        verbose_name_plural = _("foreign-language results")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "exam", "exam_date"], name="languageresult_unique_sitting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.exam} {self.exam_date} {self.score}"


class DisciplinaryRecord(models.Model):
    """A disciplinary sanction (处分); one not revoked bars the degree."""

    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="disciplinary_records",
        verbose_name=_("student"),
    )  # fmt: skip
    issued_on = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=200)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )  # fmt: skip

    class Meta:
        ordering = ["student", "-issued_on"]
        verbose_name = _("disciplinary record")
        verbose_name_plural = _("disciplinary records")

    def __str__(self) -> str:
        return f"{self.student_id} {self.issued_on} {self.description}"
