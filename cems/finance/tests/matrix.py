"""Role-matrix entries of the fee pages (gathered by accounts/tests/test_role_matrix.py).

Readers of fees: the school's readers but the training office, and station staff for their
stations' students (a1 inside, b1 outside). Fee items, charges, payments and imports are
managed by finance and administrators; the student sees their own account only."""

import datetime as dt
from decimal import Decimal
from typing import Any

from cems.accounts.models import User
from cems.conftest import World
from cems.finance.models import (
    EntryKind,
    FeeEntry,
    FeeItem,
    FeeKind,
    PaymentImport,
    PaymentRow,
    RowStatus,
)
from cems.testing import SCHOOL_READERS, Entry, statuses, student_pair

MANAGERS = {"admin", "finance"}
READERS = SCHOOL_READERS - {"training"}  # and station staff, within their stations


def _charged(world: World) -> tuple[Any, Any]:
    """Tuition of 2026 charged to every student of the world (a1 and b1 owe 3000)."""
    item = FeeItem.objects.create(
        program=world.program, academic_year=2026, kind=FeeKind.TUITION, name="学费",
        amount=Decimal(3000),
    )  # fmt: skip
    for student in (world.a1, world.a2, world.b1):
        FeeEntry.objects.create(student=student, academic_year=2026, kind=EntryKind.CHARGE,
                                fee_kind=FeeKind.TUITION, fee_item=item, amount=item.amount,
                                booked_on=dt.date(2026, 9, 1))  # fmt: skip
    return world.a1, world.b1


def _listed(world: World) -> tuple[tuple[()], tuple[()]]:
    _charged(world)
    return (), ()


def _item_pair(world: World) -> tuple[FeeItem, FeeItem]:
    items = [
        FeeItem.objects.create(program=world.program, academic_year=year, kind=FeeKind.BOOKS,
                               name="教材费", amount=Decimal(300))
        for year in (2025, 2026)
    ]  # fmt: skip
    return items[0], items[1]


def _row_pair(world: World) -> tuple[PaymentRow, PaymentRow]:
    _charged(world)
    record = PaymentImport.objects.create(
        file_name="bank.csv", file_sha256="0" * 64,
        imported_by=User.objects.get(username="finance-user"),
    )  # fmt: skip
    rows = [
        PaymentRow.objects.create(
            payment_import=record,
            row_number=number,
            reference=f"M{number}",
            student_number="102099999999",
            amount=Decimal(3000),
            paid_on=dt.date(2026, 9, 5),
            status=RowStatus.UNMATCHED,
        )
        for number in (2, 3)
    ]
    return rows[0], rows[1]


def _listed_rows(world: World) -> tuple[tuple[()], tuple[()]]:
    _row_pair(world)
    return (), ()


def _references(world: World) -> tuple[str, str]:
    return "M2", "no hidden row"


def _numbers(world: World) -> tuple[str, str]:
    return world.a1.student_number, world.b1.student_number


def _stations(world: World) -> tuple[str, str]:
    return world.station_a.name, world.station_b.name


def _managers(code: int, **extra: Any) -> dict[str, tuple[int, int]]:
    return statuses(403, **dict.fromkeys(MANAGERS, code), **extra)


MATRIX: dict[str, Entry] = {
    "finance:item_list": Entry(statuses(403, **dict.fromkeys(READERS | {"station"}, 200))),
    "finance:item_create": Entry(_managers(200)),
    "finance:item_edit": Entry(_managers(200), objects=_item_pair),
    "finance:charge_raise": Entry(_managers(200)),
    "finance:account": Entry(
        statuses(403, **dict.fromkeys(READERS, 200), station=(200, 404)), objects=student_pair
    ),
    "finance:entry_record": Entry(
        _managers(302),
        objects=_charged,
        method="post",
        data={
            "kind": "waiver",
            "academic_year": "2026",
            "fee_kind": "tuition",
            "amount": "100",
            "booked_on": "2026-09-05",
            "note": "matrix",
        },
    ),
    "finance:my_account": Entry(statuses(403, student=200)),
    "finance:import_upload": Entry(_managers(200)),
    "finance:import_list": Entry(_managers(200)),
    "finance:row_list": Entry(_managers(200), objects=_listed_rows, listing=_references),
    "finance:row_detail": Entry(_managers(200), objects=_row_pair),
    "finance:row_resolve": Entry(
        _managers(302),
        objects=_row_pair,
        method="post",
        data={"student_number": "102025001001", "academic_year": "2026"},
    ),
    "finance:row_dismiss": Entry(
        _managers(302), objects=_row_pair, method="post", data={"note": "not ours"}
    ),
    "finance:arrears_students": Entry(
        statuses(403, **dict.fromkeys(READERS | {"station"}, 200)),
        objects=_listed,
        listing=_numbers,
    ),
    "finance:arrears_stations": Entry(
        statuses(403, **dict.fromkeys(READERS | {"station"}, 200)),
        objects=_listed,
        listing=_stations,
    ),
}
