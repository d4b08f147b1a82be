"""Demo fees at a small scale: fee items of every program and year, every registered year
paid in full before its registration, this year's arrears among the students not registered
yet, unique transaction numbers, and one bank file with rows left for a person."""

import random
import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count, F, Min
from django.utils import timezone

from cems.accounts.demo import seed_users
from cems.catalog.demo import seed_catalog, seed_plans
from cems.catalog.models import Program
from cems.core import demo
from cems.finance import demo as fees_demo
from cems.finance.demo import seed_fees
from cems.finance.ledger import balance, owed_by_student, owed_sum, tuition_paid
from cems.finance.models import (
    EntryKind,
    FeeEntry,
    FeeItem,
    FeeKind,
    PaymentImport,
    PaymentRow,
    RowStatus,
)
from cems.organization.demo import seed_organization
from cems.students import status
from cems.students.demo import seed_student_records, seed_students
from cems.students.demo_status import seed_status_changes
from cems.students.models import Registration, Student, StudentStatus

pytestmark = pytest.mark.django_db
SEED = 11
FEES_SEED = "11:fees"
REFERENCE = re.compile(r"^HN\d{8}\d{6}$")


def snapshot() -> list[tuple[Any, ...]]:
    entries = FeeEntry.objects.order_by(
        "student__student_number", "academic_year", "kind", "fee_kind", "booked_on", "reference"
    ).values_list(
        "student__student_number", "academic_year", "kind", "fee_kind", "fee_item__name",
        "amount", "booked_on", "reference", "note",
    )  # fmt: skip
    rows = PaymentRow.objects.order_by("row_number").values_list(
        "row_number", "reference", "student_number", "amount", "paid_on", "status"
    )
    return [*entries, *rows]


@pytest.fixture(scope="module")
def school(django_db_setup, django_db_blocker):
    """The small demo up to its registrations, and its fees: seeded twice (the first time
    rolled back) to compare the two, once for the module's tests."""
    with django_db_blocker.unblock(), transaction.atomic():
        rng = random.Random(SEED)
        seed_organization(rng, demo.person_name)
        seed_catalog(rng)
        seed_plans(rng)
        seed_students(rng, 500)
        seed_student_records(rng)
        seed_users()
        seed_status_changes(random.Random(f"{SEED}:status"))
        with transaction.atomic():
            seed_fees(random.Random(FEES_SEED))
            first = snapshot()
            transaction.set_rollback(True)
        counts = seed_fees(random.Random(FEES_SEED))
        yield {"first": first, "counts": counts}
        transaction.set_rollback(True)


def current() -> int:
    return status.current_academic_year()


def registered_now() -> set[int]:
    return set(
        Registration.objects.filter(academic_year=current()).values_list("student", flat=True)
    )


def test_fee_items_of_every_program_and_year(school):
    programs = list(Program.objects.all())
    first_cohort = dict(
        Student.objects.values("program")
        .annotate(first=Min("cohort_year"))
        .values_list("program", "first")
    )
    others = 0
    for program in programs:
        items = FeeItem.objects.filter(program=program)
        years = sorted(set(items.values_list("academic_year", flat=True)))
        assert years[-1] == current()
        assert years == list(range(years[0], current() + 1))
        if program.pk in first_cohort:
            assert years[0] <= first_cohort[program.pk]
        for year in years:
            kinds = dict(items.filter(academic_year=year).values_list("kind", "amount"))
            assert kinds[FeeKind.TUITION] == program.tuition_per_year
            assert Decimal(300) <= kinds[FeeKind.BOOKS] <= Decimal(600)
            others += FeeKind.OTHER in kinds
    assert others > 0
    assert set(FeeItem.objects.filter(kind=FeeKind.TUITION).values_list("name", flat=True)) == {
        "学费"
    }


def test_charged_for_the_years_in_school(school):
    """Each item once, for every registered year, up to this year for registered students;
    nothing for deferred ones."""
    charged: dict[int, set[int]] = defaultdict(set)
    for student_id, year in FeeEntry.objects.filter(kind=EntryKind.CHARGE).values_list(
        "student", "academic_year"
    ):
        charged[student_id].add(year)
    registrations: dict[int, set[int]] = defaultdict(set)
    for student_id, year in Registration.objects.values_list("student", "academic_year"):
        registrations[student_id].add(year)
    for student in Student.objects.all():
        expected = set(registrations[student.pk])
        if student.status == StudentStatus.REGISTERED:
            expected |= set(range(student.cohort_year, current() + 1))
        assert charged[student.pk] == expected, student
    assert not FeeEntry.objects.filter(student__status=StudentStatus.DEFERRED).exists()
    # Every charge is one of the program's items of that year, at its amount.
    mismatched = FeeEntry.objects.filter(kind=EntryKind.CHARGE).exclude(
        fee_item__program=F("student__program"), fee_item__academic_year=F("academic_year")
    )
    assert not mismatched.exists()


def test_every_registered_year_is_paid_in_full(school):
    owed = {
        (row["student"], row["academic_year"]): row["owed"]
        for row in FeeEntry.objects.values("student", "academic_year")
        .annotate(owed=owed_sum())
        .order_by()
    }
    registrations = list(
        Registration.objects.values_list("student", "academic_year", "registered_at")
    )
    assert registrations
    for student_id, year, _at in registrations:
        assert owed[(student_id, year)] == 0, (student_id, year)
    for student_id, year, registered_at in random.Random(1).sample(registrations, 40):
        student = Student.objects.get(pk=student_id)
        assert tuition_paid(student, year)
        assert balance(student, academic_year=year) == 0
        # Paid by the registration (the bank file's payments: before they registered).
        first_paid = FeeEntry.objects.filter(
            student=student, academic_year=year, kind=EntryKind.PAYMENT
        ).aggregate(first=Min("booked_on"))["first"]
        assert first_paid <= timezone.localdate(registered_at)


def test_this_years_arrears_are_the_students_not_registered_yet(school):
    registered = Student.objects.filter(status=StudentStatus.REGISTERED)
    unregistered = set(registered.values_list("pk", flat=True)) - registered_now()
    owing = owed_by_student(Student.objects.all())
    assert set(owing) == unregistered
    share = len(unregistered) / registered.count()
    assert 0.04 <= share <= 0.16
    for student in Student.objects.filter(pk__in=unregistered):
        assert not tuition_paid(student, current())
        assert balance(student, academic_year=current()) == owing[student.pk]
        assert balance(student) == owing[student.pk]  # earlier years settled
    # Some of them paid a first instalment.
    part_paid = FeeEntry.objects.filter(
        student__in=unregistered, kind=EntryKind.PAYMENT, academic_year=current()
    )
    assert part_paid.exists()
    assert school["counts"].owed_years == len(unregistered)


def test_transaction_numbers_are_unique_and_dated(school):
    payments = FeeEntry.objects.filter(kind=EntryKind.PAYMENT)
    assert payments.count() > 500
    per_reference = payments.values("reference").annotate(
        students=Count("student", distinct=True),
        days=Count("booked_on", distinct=True),
        years=Count("academic_year", distinct=True),
    )
    for row in per_reference:
        assert REFERENCE.match(row["reference"]), row
        assert row["students"] == row["days"] == row["years"] == 1, row
    for reference, booked_on in payments.values_list("reference", "booked_on")[:300]:
        assert reference[2:10] == f"{booked_on:%Y%m%d}"
    # One transaction per kind of fee of a year: never two entries of a kind.
    assert not (
        payments.values("reference", "fee_kind").annotate(n=Count("pk")).filter(n__gt=1).exists()
    )
    assert not FeeEntry.objects.filter(booked_on__gt=status.today()).exists()


def test_instalments_waivers_and_refunds(school):
    counts = school["counts"]
    # Years paid in two transactions.
    split = (
        FeeEntry.objects.filter(kind=EntryKind.PAYMENT, student__registrations__isnull=False)
        .values("student", "academic_year")
        .annotate(transactions=Count("reference", distinct=True))
        .filter(transactions=2)
    )
    assert split.exists()
    assert counts.instalments > 0
    waivers = FeeEntry.objects.filter(kind=EntryKind.WAIVER)
    assert waivers.count() == counts.waivers >= 3
    for waiver in waivers:
        assert waiver.fee_kind == FeeKind.TUITION
        assert waiver.fee_item is not None
        assert waiver.note in fees_demo.WAIVER_NOTES
        assert waiver.amount < waiver.fee_item.amount
        assert tuition_paid(waiver.student, waiver.academic_year)
    refunds = FeeEntry.objects.filter(kind=EntryKind.REFUND)
    assert refunds.count() == counts.refunds >= 1
    for refund in refunds:
        # The tuition paid twice, the second payment refunded: the year still settled.
        tuition = FeeEntry.objects.filter(
            student=refund.student, academic_year=refund.academic_year,
            kind=EntryKind.PAYMENT, fee_kind=FeeKind.TUITION,
        )  # fmt: skip
        assert tuition.filter(amount=refund.amount).count() >= 1
        assert balance(refund.student, academic_year=refund.academic_year) == 0
        assert tuition_paid(refund.student, refund.academic_year)


def test_the_bank_file_leaves_rows_for_a_person(school):
    record = PaymentImport.objects.get()
    assert record.imported_by.username == "finance"
    rows = list(record.rows.order_by("row_number"))
    assert [row.row_number for row in rows] == list(range(2, len(rows) + 2))
    by_status: dict[str, list[PaymentRow]] = defaultdict(list)
    for row in rows:
        by_status[row.status].append(row)
    assert record.counts["rows"] == len(rows)
    for row_status, members in by_status.items():
        assert record.counts[row_status] == len(members)
    matched = by_status[RowStatus.MATCHED]
    assert len(matched) == fees_demo.IMPORT_PAYMENTS
    for row in matched:
        assert row.entry is not None
        assert row.entry.payment_import_id == record.pk
        assert row.student == row.entry.student
        entries = FeeEntry.objects.filter(payment_import=record, reference=row.reference)
        assert sum(e.amount for e in entries) == row.amount
        # Recorded before the student registered (registration requires tuition paid).
        registration = Registration.objects.get(student=row.student, academic_year=current())
        assert row.paid_on is not None
        assert (
            row.paid_on
            < timezone.localdate(record.imported_at)
            < timezone.localdate(registration.registered_at)
        )
    assert len(by_status[RowStatus.DUPLICATE]) == 1
    duplicate = by_status[RowStatus.DUPLICATE][0]
    assert FeeEntry.objects.filter(reference=duplicate.reference, payment_import=None).exists()
    for row in rows:
        assert row.paid_on is None or row.paid_on < timezone.localdate(record.imported_at)
    assert len(by_status[RowStatus.UNMATCHED]) == 2
    assert len(by_status[RowStatus.WRONG_AMOUNT]) == 2
    assert len(by_status[RowStatus.AMBIGUOUS]) == 1
    assert len(by_status[RowStatus.INVALID]) == 1
    for row in rows:
        if row.status != RowStatus.MATCHED:
            assert row.entry is None
            assert row.message
    for row in by_status[RowStatus.WRONG_AMOUNT]:
        assert row.student is not None
        assert row.amount != balance(row.student, academic_year=current())
        assert balance(row.student, academic_year=current()) > 0
    # Only the matched rows' payments came from the file.
    assert set(
        FeeEntry.objects.filter(payment_import__isnull=False).values_list("reference", flat=True)
    ) == {row.reference for row in matched}


def test_the_same_seed_gives_the_same_fees(school):
    assert school["first"] == snapshot()


def test_the_counts_name_what_was_written(school):
    counts = school["counts"]
    imported = FeeEntry.objects.filter(payment_import__isnull=False).count()
    assert counts.entries + imported == FeeEntry.objects.count()
    assert counts.items == FeeItem.objects.count()
    assert counts.import_counts == PaymentImport.objects.get().counts
