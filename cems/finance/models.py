"""Fees: the fee items of each program and academic year, and each student's fee account as
a ledger of entries (charges, payments, refunds, waivers), fed by payment imports.

A student owes, for an academic year, the charges of that year less its waivers and
payments, plus its refunds (`balance` in cems/finance/ledger.py). Amounts are yuan with
two decimals and always positive; the kind gives the sign."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cems.catalog.models import EARLIEST_YEAR, LATEST_YEAR, Program
from cems.students.models import Student

_YEAR = [MinValueValidator(EARLIEST_YEAR), MaxValueValidator(LATEST_YEAR)]


class FeeKind(models.TextChoices):
    TUITION = "tuition", _("Tuition")
    BOOKS = "books", _("Books")
    OTHER = "other", _("Other")


class FeeItem(models.Model):
    """A fee of a program for one academic year (学费, 教材费, ...)."""

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="fee_items", verbose_name=_("program")
    )
    academic_year = models.PositiveSmallIntegerField(
        _("academic year"),
        validators=_YEAR,
        help_text=_("The year the academic year starts in (2026 = 2026–2027)."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=FeeKind.choices)
    name = models.CharField(_("name"), max_length=50)
    amount = models.DecimalField(
        _("amount"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    class Meta:
        ordering = ["-academic_year", "program", "kind", "name"]
        verbose_name = _("fee item")
        verbose_name_plural = _("fee items")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "academic_year", "name"], name="feeitem_unique_name"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="feeitem_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} · {self.academic_year} · {self.name} {self.amount}"


class EntryKind(models.TextChoices):
    CHARGE = "charge", _("Charge")
    PAYMENT = "payment", _("Payment")
    REFUND = "refund", _("Refund")
    WAIVER = "waiver", _("Waiver")


class PaymentImport(models.Model):
    """One bank or online-payment export imported: its file, who imported it, its counts."""

    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file checksum"), max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("imported by"),
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("payment import")
        verbose_name_plural = _("payment imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.imported_at:%Y-%m-%d %H:%M})"


class FeeEntry(models.Model):
    """One line of a student's fee account."""

    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="fee_entries", verbose_name=_("student")
    )
    academic_year = models.PositiveSmallIntegerField(_("academic year"), validators=_YEAR)
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    fee_kind = models.CharField(_("fee"), max_length=10, choices=FeeKind.choices)
    # The fee item a charge raises (or a waiver forgives); None for payments and refunds.
    fee_item = models.ForeignKey(
        FeeItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("fee item"),
    )
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    booked_on = models.DateField(_("date"))
    # A payment's transaction number (交易流水号) from the bank or payment platform.
    reference = models.CharField(_("transaction number"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    payment_import = models.ForeignKey(
        PaymentImport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("payment import"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["student", "academic_year", "booked_on", "pk"]
        verbose_name = _("fee entry")
        verbose_name_plural = _("fee entries")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="feeentry_amount_positive"
            ),
            # A fee item is charged once to a student.
            models.UniqueConstraint(
                fields=["student", "fee_item"],
                condition=models.Q(kind="charge"),
                name="feeentry_one_charge_per_item",
            ),
            # A transaction is recorded once, however often its file is imported. One
            # transaction may settle several years and kinds of fee: it is recorded as one
            # entry per year and kind (the import refuses a number already recorded).
            models.UniqueConstraint(
                fields=["reference", "academic_year", "fee_kind"],
                condition=models.Q(kind="payment") & ~models.Q(reference=""),
                name="feeentry_unique_payment_reference",
            ),
        ]
        indexes = [models.Index(fields=["student", "academic_year"], name="feeentry_student_year")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.academic_year} {self.kind} {self.amount}"


class RowStatus(models.TextChoices):
    MATCHED = "matched", _("Recorded")
    DUPLICATE = "duplicate", _("Already recorded")
    UNMATCHED = "unmatched", _("No such student")
    AMBIGUOUS = "ambiguous", _("Ambiguous")
    WRONG_AMOUNT = "wrong_amount", _("Amount does not match")
    INVALID = "invalid", _("Invalid row")
    RESOLVED = "resolved", _("Resolved by hand")
    DISMISSED = "dismissed", _("Dismissed")


class PaymentRow(models.Model):
    """A row of a payment import as read, with what became of it; the rows not recorded wait
    here for a person to resolve them (assign them to a student and year) or dismiss them."""

    payment_import = models.ForeignKey(
        PaymentImport, on_delete=models.CASCADE, related_name="rows", verbose_name=_("import")
    )
    row_number = models.PositiveIntegerField(_("row"))
    reference = models.CharField(_("transaction number"), max_length=64, blank=True)
    student_number = models.CharField(_("student number"), max_length=20, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    name = models.CharField(_("name"), max_length=50, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    paid_on = models.DateField(_("date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=RowStatus.choices)
    message = models.CharField(_("message"), max_length=300, blank=True)
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("student"),
    )  # fmt: skip
    entry = models.OneToOneField(
        FeeEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="source_row",
        verbose_name=_("fee entry"),
    )  # fmt: skip
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("resolved by"),
    )  # fmt: skip
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    # Why a person resolved or dismissed the row.
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["payment_import", "row_number"]
        verbose_name = _("payment row")
        verbose_name_plural = _("payment rows")
        indexes = [
            models.Index(fields=["status"], name="paymentrow_status"),
            # A transaction number seen before, in a row still waiting or dismissed.
            models.Index(fields=["reference"], name="paymentrow_reference"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_import_id}:{self.row_number} {self.status}"
