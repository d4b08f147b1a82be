"""Fee accounts of the world's students: fee items of the world's program for 2025–2026 and
2026–2027 (tuition 3000, books 300 each year) charged to the cohort 2025 (a1, a2 at
station A, b1 at station B); nothing paid yet, so each owes 3300 a year, 6600 in all."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from cems.accounts.models import User
from cems.admissions.tests.writers import write_csv, write_xlsx
from cems.conftest import World
from cems.finance import services
from cems.finance.models import EntryKind, FeeEntry, FeeItem, FeeKind, PaymentImport, PaymentRow

HEADINGS = ["交易流水号", "学号", "身份证号", "姓名", "金额", "交易日期"]
PAID_ON = dt.date(2026, 9, 5)


@dataclass
class Fees:
    items: dict[tuple[int, str], FeeItem]  # (academic year, kind) -> item
    finance: User


def add_items(world: World, year: int, tuition: str = "3000", books: str = "300") -> list[FeeItem]:
    return [
        FeeItem.objects.create(program=world.program, academic_year=year, kind=FeeKind.TUITION,
                               name="学费", amount=Decimal(tuition)),
        FeeItem.objects.create(program=world.program, academic_year=year, kind=FeeKind.BOOKS,
                               name="教材费", amount=Decimal(books)),
    ]  # fmt: skip


@pytest.fixture
def fees(world, users) -> Fees:
    items = {}
    for year in (2025, 2026):
        for item in add_items(world, year):
            items[(year, item.kind)] = item
        services.charges_raise(
            actor=users["finance"], program=world.program, cohort_year=2025, academic_year=year,
            booked_on=dt.date(year, 9, 1),
        )  # fmt: skip
    return Fees(items, users["finance"])


def pay(actor: User, student, year: int, amount: str, reference: str,
        fee_kind: str = FeeKind.TUITION) -> FeeEntry:  # fmt: skip
    return services.entry_record(
        actor=actor, student=student, kind=EntryKind.PAYMENT, academic_year=year,
        fee_kind=fee_kind, amount=Decimal(amount), booked_on=PAID_ON, reference=reference,
    )  # fmt: skip


def payment_csv(rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8",
                headings: Sequence[str] = HEADINGS) -> bytes:  # fmt: skip
    return write_csv([headings, *rows], encoding=encoding)


def payment_xlsx(rows: Sequence[Sequence[Any]], *, headings: Sequence[str] = HEADINGS) -> bytes:
    return write_xlsx([headings, *rows], sheet_name="交易明细")


def row(reference: str, student, amount: Any, *, number: str | None = None,
        id_number: str | None = None, name: str | None = None,
        paid_on: Any = "2026-09-05") -> list[Any]:  # fmt: skip
    """A file row for a student (or None): their 学号, ID number and name unless given."""
    return [
        reference,
        number if number is not None else (student.student_number if student else ""),
        id_number if id_number is not None else (student.id_number if student else ""),
        name if name is not None else (student.name if student else ""),
        amount,
        paid_on,
    ]


def import_file(actor: User, data: bytes, name: str = "bank.csv") -> PaymentImport:
    with translation.override("en"):
        return services.payment_import(data=data, file_name=name, actor=actor)


def statuses(record: PaymentImport) -> list[str]:
    return list(record.rows.order_by("row_number").values_list("status", flat=True))


def row_of(record: PaymentImport, number: int) -> PaymentRow:
    return record.rows.get(row_number=number)


def snapshot() -> tuple[int, int, int]:
    """How many entries, imports and rows there are (to assert nothing was written)."""
    return (FeeEntry.objects.count(), PaymentImport.objects.count(), PaymentRow.objects.count())
