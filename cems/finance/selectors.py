"""Reads of fee items, fee accounts, arrears and payment imports, each starting from what the
user may see: fee accounts from `fee_students_for`, imports for those who manage fees.

Arrears are aggregated in SQL with the ledger's `owed_sum`: a page issues the same few
queries whatever the number of students."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from cems.accounts.access import (
    AnyUser,
    Capability,
    fee_students_for,
    get_in_scope_or_404,
    has_capability,
    stations_for,
    students_for,
    within,
)
from cems.catalog.models import Program
from cems.core.forms import filter_by
from cems.finance.ledger import ZERO, owed_sum
from cems.finance.models import (
    EntryKind,
    FeeEntry,
    FeeItem,
    FeeKind,
    PaymentImport,
    PaymentRow,
    RowStatus,
)
from cems.finance.payments import WAITING, money, year_label
from cems.organization.models import Station
from cems.students.models import Student


def programs() -> QuerySet[Program]:
    """Programs are the school's catalogue: the same for everyone who sees fees."""
    return Program.objects.select_related("major").order_by("major__code", "level", "mode")


# --- Fee items -------------------------------------------------------------------------------

ITEM_LOOKUPS = {"program": "program", "academic_year": "academic_year", "kind": "kind"}


def fee_items(*, user: AnyUser) -> QuerySet[FeeItem]:
    """Fee items are the school's price list: every user who sees fees sees them all."""
    if not has_capability(user, Capability.VIEW_FEES):
        return FeeItem.objects.none()
    return FeeItem.objects.select_related("program__major")


def fee_item_list(*, user: AnyUser, filters: dict[str, Any] | None) -> QuerySet[FeeItem]:
    items = fee_items(user=user)
    if filters is None:
        return items.none()
    return (
        filter_by(items, filters, ITEM_LOOKUPS)
        .annotate(charged=Count("entries", filter=Q(entries__kind=EntryKind.CHARGE)))
        .order_by("-academic_year", "program__major__code", "program__level", "program__mode",
                  "kind", "name", "pk")
    )  # fmt: skip


def fee_item_get(*, user: AnyUser, pk: int) -> FeeItem:
    return get_in_scope_or_404(fee_items(user=user), pk=pk)


# --- Fee accounts ----------------------------------------------------------------------------


def fee_student_get(*, user: AnyUser, pk: int) -> Student:
    """A student whose account the user sees; 404 outside the user's scope."""
    return get_in_scope_or_404(
        fee_students_for(user).select_related("station", "program__major", "student_class"),
        pk=pk,
    )


def fee_student_by_number(*, user: AnyUser, student_number: str) -> Student | None:
    return fee_students_for(user).filter(student_number=student_number.strip().upper()).first()


def portal_students(*, user: AnyUser) -> list[Student]:
    """The student records of the signed-in student (their own account, read-only)."""
    if not has_capability(user, Capability.USE_PORTAL):
        return []
    return list(
        students_for(user).select_related("station", "program__major").order_by("student_number")
    )


SIGN = {EntryKind.CHARGE: 1, EntryKind.REFUND: 1, EntryKind.PAYMENT: -1, EntryKind.WAIVER: -1}


@dataclass
class AccountLine:
    entry: FeeEntry
    signed: Decimal  # what it adds to the amount owed
    running: Decimal  # owed for the year after it


@dataclass
class YearAccount:
    academic_year: int
    lines: list[AccountLine] = field(default_factory=list)
    charged: Decimal = ZERO
    paid: Decimal = ZERO  # payments less refunds
    waived: Decimal = ZERO
    owed: Decimal = ZERO

    @property
    def label(self) -> str:
        return year_label(self.academic_year)


@dataclass
class Account:
    student: Student
    years: list[YearAccount]

    @property
    def owed(self) -> Decimal:
        return sum((year.owed for year in self.years), ZERO)

    @property
    def owing_years(self) -> list[YearAccount]:
        return [year for year in self.years if year.owed > 0]


def account(*, student: Student) -> Account:
    """The student's entries by academic year with the balance after each (one query); the
    student has been fetched within the user's scope."""
    years: dict[int, YearAccount] = {}
    entries = FeeEntry.objects.filter(student=student).select_related("fee_item", "created_by")
    entries = entries.order_by("academic_year", "booked_on", "pk")
    for entry in entries:
        year = years.setdefault(entry.academic_year, YearAccount(entry.academic_year))
        signed = SIGN[EntryKind(entry.kind)] * entry.amount
        year.owed += signed
        year.lines.append(AccountLine(entry, signed, year.owed))
        if entry.kind == EntryKind.CHARGE:
            year.charged += entry.amount
        elif entry.kind == EntryKind.WAIVER:
            year.waived += entry.amount
        else:
            year.paid -= signed
    return Account(student, [years[y] for y in sorted(years)])


def tuition_status(*, student_ids: Iterable[int], academic_year: int) -> dict[int, Decimal]:
    """Tuition owed for the academic year by each of the students who have been charged
    tuition for it (one query); a student missing from the result has no tuition charged."""
    rows = (
        FeeEntry.objects.filter(
            student__in=list(student_ids), academic_year=academic_year, fee_kind=FeeKind.TUITION
        )
        .values("student")
        .annotate(
            owed=owed_sum(),
            charged=Coalesce(Sum("amount", filter=Q(kind=EntryKind.CHARGE)), Value(ZERO)),
        )
        .filter(charged__gt=0)
        .values_list("student", "owed")
        .order_by()
    )
    return {student: money(owed) for student, owed in rows}


# --- Arrears ---------------------------------------------------------------------------------

STUDENT_LOOKUPS = {"station": "station", "program": "program", "cohort": "cohort_year"}


def _year_condition(filters: dict[str, Any], prefix: str = "") -> Q | None:
    year = filters.get("academic_year")
    return Q(**{f"{prefix}academic_year": year}) if year else None


def arrears_students(*, user: AnyUser, filters: dict[str, Any] | None) -> QuerySet[Student]:
    """The user's students who owe (for the academic year, or in all) at least the minimum
    amount, with what they owe (owed), were charged, paid and were waived."""
    students = fee_students_for(user)
    if filters is None:
        return students.none()
    students = filter_by(students, filters, STUDENT_LOOKUPS)
    if q := (filters.get("q") or "").strip():
        students = students.filter(Q(student_number__startswith=q.upper()) | Q(name__contains=q))
    condition = _year_condition(filters, "fee_entries__")

    def total(kind: str) -> Coalesce:
        only = Q(fee_entries__kind=kind)
        return Coalesce(
            Sum("fee_entries__amount", filter=only & condition if condition else only),
            Value(ZERO),
        )

    minimum = filters.get("min_amount") or Decimal("0.01")
    return (
        students.annotate(
            owed=owed_sum("fee_entries__", condition),
            charged=total(EntryKind.CHARGE),
            paid=total(EntryKind.PAYMENT) - total(EntryKind.REFUND),
            waived=total(EntryKind.WAIVER),
        )
        .filter(owed__gte=max(minimum, Decimal("0.01")))
        .select_related("station", "program__major")
        .order_by("station__code", "cohort_year", "student_number")
    )


@dataclass
class StationArrears:
    station: Station
    students: int = 0  # students owing
    owed: Decimal = ZERO
    by_year: dict[int, tuple[int, Decimal]] = field(default_factory=dict)

    def year_cells(self, years: list[int]) -> list[tuple[int, Decimal]]:
        return [self.by_year.get(year, (0, ZERO)) for year in years]


@dataclass
class StationReport:
    stations: list[StationArrears]
    years: list[int]
    students: int
    owed: Decimal
    by_year: dict[int, tuple[int, Decimal]]

    def year_cells(self) -> list[tuple[int, Decimal]]:
        return [self.by_year.get(year, (0, ZERO)) for year in self.years]


def _grouped(inner: QuerySet[Any], keys: list[str]) -> list[tuple[Any, ...]]:
    """Count and sum the `owed` of an aggregated queryset's rows per `keys`: an aggregate
    over an aggregate, which the ORM does not express, in one query around its SQL."""
    sql, params = inner.query.sql_with_params()
    quote = connection.ops.quote_name
    names = ", ".join(f"grouped.{quote(key)}" for key in keys)
    # Only quoted names of this module go into the text; the values are parameters.
    outer = (
        f"SELECT {names}, COUNT(*), SUM(grouped.{quote('owed')}) "  # noqa: S608
        f"FROM ({sql}) grouped GROUP BY {names}"
    )
    with connection.cursor() as cursor:
        cursor.execute(outer, params)
        return [(*row[:-1], _money(row[-1])) for row in cursor.fetchall()]


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def arrears_by_station(*, user: AnyUser, filters: dict[str, Any] | None) -> StationReport:
    """Per station of the user: how many students owe and how much (for the academic year or
    in all, each student's years netted), and per academic year (each student-year owing)."""
    stations = list(stations_for(user).order_by("code"))
    report = StationReport([StationArrears(s) for s in stations], [], 0, ZERO, {})
    if filters is None or not stations:
        return report
    students = filter_by(fee_students_for(user), filters, STUDENT_LOOKUPS)
    entries = within(FeeEntry.objects.all(), "student", students)
    if condition := _year_condition(filters):
        entries = entries.filter(condition)
    per_student = (
        entries.annotate(place=F("student__station"))
        .values("place", "student")
        .annotate(owed=owed_sum())
        .filter(owed__gt=0)
        .order_by()
    )
    per_year = (
        entries.annotate(place=F("student__station"), year=F("academic_year"))
        .values("place", "student", "year")
        .annotate(owed=owed_sum())
        .filter(owed__gt=0)
        .order_by()
    )
    by_pk = {row.station.pk: row for row in report.stations}
    for place, count, owed in _grouped(per_student, ["place"]):
        if (row := by_pk.get(place)) is not None:
            row.students, row.owed = count, owed
            report.students += count
            report.owed += owed
    totals: dict[int, list[Any]] = defaultdict(lambda: [0, ZERO])
    for place, year, count, owed in _grouped(per_year, ["place", "year"]):
        if (row := by_pk.get(place)) is not None:
            row.by_year[year] = (count, owed)
            totals[year][0] += count
            totals[year][1] += owed
    report.years = sorted(totals)
    report.by_year = {year: (total[0], total[1]) for year, total in totals.items()}
    return report


# --- Payment imports -------------------------------------------------------------------------


def payment_imports(*, user: AnyUser) -> QuerySet[PaymentImport]:
    """Payment files hold rows of any station and of people who are nobody's students: only
    those who manage fees see them."""
    if not has_capability(user, Capability.MANAGE_FEES):
        return PaymentImport.objects.none()
    return PaymentImport.objects.select_related("imported_by").order_by("-imported_at", "-pk")


def payment_import_get(*, user: AnyUser, pk: int) -> PaymentImport:
    return get_in_scope_or_404(payment_imports(user=user), pk=pk)


def payment_rows(*, user: AnyUser) -> QuerySet[PaymentRow]:
    if not has_capability(user, Capability.MANAGE_FEES):
        return PaymentRow.objects.none()
    return PaymentRow.objects.select_related("payment_import", "student", "resolved_by")


# Status filter values beyond the row statuses themselves.
WAITING_FILTER = "waiting"
ALL_FILTER = "all"


def payment_row_list(*, user: AnyUser, filters: dict[str, Any] | None) -> QuerySet[PaymentRow]:
    """Rows of payment imports: by default those waiting for a person, oldest first."""
    rows = payment_rows(user=user)
    if filters is None:
        return rows.none()
    status = filters.get("status") or WAITING_FILTER
    if status == WAITING_FILTER:
        rows = rows.filter(status__in=WAITING)
    elif status in RowStatus.values:
        rows = rows.filter(status=status)
    if payment_import := filters.get("payment_import"):
        rows = rows.filter(payment_import=payment_import)
    if q := (filters.get("q") or "").strip():
        rows = rows.filter(
            Q(reference__startswith=q) | Q(student_number__startswith=q.upper()) | Q(name=q)
        )
    return rows.order_by("payment_import__imported_at", "payment_import", "row_number")


def payment_row_get(*, user: AnyUser, pk: int) -> PaymentRow:
    return get_in_scope_or_404(payment_rows(user=user), pk=pk)


def row_entries(*, row: PaymentRow) -> QuerySet[FeeEntry]:
    """The payment entries a row recorded (one per year and kind of fee it settled)."""
    if row.entry_id is None:
        return FeeEntry.objects.none()
    return FeeEntry.objects.filter(
        kind=EntryKind.PAYMENT, reference=row.reference, student=row.student_id
    ).order_by("academic_year", "fee_kind")
