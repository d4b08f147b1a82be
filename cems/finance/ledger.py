"""Balances of fee accounts, computed in SQL: what a student owes is the sum of the charges
less the waivers and payments, plus the refunds — for one academic year, one kind of fee,
or everything. Every page, export, registration check and audit reads balances here."""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Case, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from cems.finance.models import EntryKind, FeeEntry, FeeKind
from cems.students.models import Student

ZERO = Decimal("0.00")
_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=12, decimal_places=2)


def owed_sum(prefix: str = "", condition: Q | None = None) -> Coalesce:
    """An aggregate of the amount owed over a queryset of entries (prefix: the path to the
    entries from the queryset's model, e.g. "fee_entries__")."""
    signed = Case(
        When(
            **{f"{prefix}kind__in": (EntryKind.CHARGE, EntryKind.REFUND)}, then=F(f"{prefix}amount")
        ),
        default=-F(f"{prefix}amount"),
        output_field=_MONEY,
    )
    return Coalesce(Sum(signed, filter=condition), Value(ZERO), output_field=_MONEY)


def balance(
    student: Student, *, academic_year: int | None = None, fee_kind: str | None = None
) -> Decimal:
    """What the student owes (negative: paid in advance)."""
    entries = FeeEntry.objects.filter(student=student)
    if academic_year is not None:
        entries = entries.filter(academic_year=academic_year)
    if fee_kind is not None:
        entries = entries.filter(fee_kind=fee_kind)
    owed: Decimal = entries.aggregate(owed=owed_sum())["owed"]
    return owed


def owed_by_student(students: QuerySet[Student] | Iterable[int]) -> dict[int, Decimal]:
    """What each student owes in all, for the students who owe something: one query."""
    rows = (
        FeeEntry.objects.filter(student__in=students)
        .values("student")
        .annotate(owed=owed_sum())
        .filter(owed__gt=0)
        .values_list("student", "owed")
    )
    return dict(rows)


def tuition_paid(student: Student, academic_year: int) -> bool:
    """Whether the year's tuition is charged and nothing of it is owed (annual registration
    requires it)."""
    entries = FeeEntry.objects.filter(
        student=student, academic_year=academic_year, fee_kind=FeeKind.TUITION
    )
    totals = entries.aggregate(
        owed=owed_sum(),
        charged=Coalesce(
            Sum("amount", filter=Q(kind=EntryKind.CHARGE)), Value(ZERO), output_field=_MONEY
        ),
    )
    charged: Decimal = totals["charged"]
    owed: Decimal = totals["owed"]
    return charged > 0 and owed <= 0
