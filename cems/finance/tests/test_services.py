"""Fee items, charges raised for a cohort, and entries recorded by hand."""

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from cems.accounts.models import User
from cems.conftest import World, add_student
from cems.finance import ledger, selectors, services
from cems.finance.models import EntryKind, FeeEntry, FeeItem, FeeKind
from cems.finance.tests.conftest import PAID_ON, add_items, pay
from cems.students.models import Student, StudentStatus

WRONG_ROLES = ["academic", "auditor", "station", "teacher", "student", "training"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def charges() -> int:
    return FeeEntry.objects.filter(kind=EntryKind.CHARGE).count()


class TestFeeItems:
    def create(self, actor: User, world: World, **fields: Any) -> FeeItem:
        values: dict[str, Any] = {"program": world.program, "academic_year": 2026,
                                  "kind": FeeKind.TUITION, "name": "学费",
                                  "amount": Decimal("3000")} | fields  # fmt: skip
        return services.fee_item_create(actor=actor, **values)

    def test_create(self, world, users):
        item = self.create(users["finance"], world)
        assert (item.program, item.academic_year, item.amount) == (
            world.program,
            2026,
            Decimal(3000),
        )

    @pytest.mark.parametrize(
        ("fields", "message"),
        [({"amount": Decimal("0")}, "greater than or equal to 0.01"),
         ({"academic_year": 1900}, "greater than or equal to 1950"),
         ({"name": ""}, "cannot be blank")],
    )  # fmt: skip
    def test_invalid(self, world, users, fields, message):
        with pytest.raises(ValidationError, match=message):
            self.create(users["admin"], world, **fields)
        assert not FeeItem.objects.exists()

    def test_one_name_per_program_and_year(self, world, users):
        self.create(users["finance"], world)
        with pytest.raises(ValidationError):
            self.create(users["finance"], world, amount=Decimal("2000"))
        assert FeeItem.objects.count() == 1

    @pytest.mark.parametrize("role", WRONG_ROLES)
    def test_wrong_roles(self, world, users, role):
        with pytest.raises(PermissionDenied):
            self.create(users[role], world)

    def test_update_before_charges(self, world, users):
        item = self.create(users["finance"], world)
        data = {"amount": Decimal("3200"), "name": "学费（新）"}
        services.fee_item_update(actor=users["finance"], item=item, data=data)
        item.refresh_from_db()
        assert (item.amount, item.name) == (Decimal("3200"), "学费（新）")

    def test_once_charged_only_the_name_changes(self, world, users, fees):
        item = fees.items[(2026, FeeKind.TUITION)]
        with pytest.raises(ValidationError, match=r"only its name can change now \(not: amount"):
            services.fee_item_update(actor=users["finance"], item=item,
                                     data={"amount": Decimal("1"), "name": "x"})  # fmt: skip
        item.refresh_from_db()
        assert (item.amount, item.name) == (Decimal("3000"), "学费")
        services.fee_item_update(actor=users["finance"], item=item, data={"name": "学费2026"})
        item.refresh_from_db()
        assert item.name == "学费2026"

    @pytest.mark.parametrize("role", WRONG_ROLES)
    def test_update_wrong_roles(self, world, users, fees, role):
        with pytest.raises(PermissionDenied):
            services.fee_item_update(actor=users[role], item=fees.items[(2026, FeeKind.BOOKS)],
                                     data={"name": "x"})  # fmt: skip


class TestCharges:
    def raise_(self, actor: User, world: World, **options: Any) -> services.ChargeResult:
        values: dict[str, Any] = {"program": world.program, "cohort_year": 2025,
                                  "academic_year": 2026} | options  # fmt: skip
        return services.charges_raise(actor=actor, **values)

    def test_each_student_each_item_once(self, world, users):
        add_items(world, 2026)
        result = self.raise_(users["finance"], world, booked_on=dt.date(2026, 9, 1))
        assert (result.students, result.items, result.created, result.already) == (3, 2, 6, 0)
        assert ledger.balance(world.a1) == Decimal("3300")
        entry = FeeEntry.objects.filter(student=world.a1, fee_kind=FeeKind.BOOKS).get()
        assert (entry.kind, entry.booked_on, entry.created_by) == (
            EntryKind.CHARGE, dt.date(2026, 9, 1), users["finance"],
        )  # fmt: skip

    def test_raising_again_adds_only_what_is_missing(self, world, users):
        add_items(world, 2026)
        self.raise_(users["finance"], world)
        newcomer = add_student(world, 9)
        again = self.raise_(users["admin"], world)
        assert (again.created, again.already) == (2, 6)
        assert charges() == 8
        assert ledger.balance(newcomer) == Decimal("3300")
        assert self.raise_(users["admin"], world).created == 0
        assert charges() == 8

    def test_only_students_in_good_standing_unless_suspended_are_asked_for(self, world, users):
        add_items(world, 2026)
        for student, status in ((world.a2, StudentStatus.SUSPENDED),
                                (world.b1, StudentStatus.WITHDRAWN)):  # fmt: skip
            student.status = status
            student.save()
        assert self.raise_(users["finance"], world).students == 1
        with_suspended = self.raise_(users["finance"], world, include_suspended=True)
        assert (with_suspended.students, with_suspended.created) == (2, 2)
        assert not FeeEntry.objects.filter(student=world.b1).exists()

    def test_other_cohorts_and_years_are_not_charged(self, world, users):
        add_items(world, 2026)
        add_items(world, 2027)
        later = add_student(world, 9, cohort_year=2026)
        self.raise_(users["finance"], world)
        assert not FeeEntry.objects.filter(student=later).exists()
        assert not FeeEntry.objects.filter(academic_year=2027).exists()

    def test_all_programs(self, world, users):
        from cems.students.tests.status_support import extra

        accounting = extra(world).accounting
        other = add_student(world, 9, program=accounting)
        add_items(world, 2026)
        FeeItem.objects.create(program=accounting, academic_year=2026, kind=FeeKind.TUITION,
                               name="学费", amount=Decimal("2500"))  # fmt: skip
        result = self.raise_(users["finance"], world, program=None)
        assert (result.students, result.items, result.created) == (4, 3, 7)
        assert ledger.balance(other) == Decimal("2500")

    def test_students_whose_program_has_no_items(self, world, users):
        result = self.raise_(users["finance"], world)
        assert (result.students, result.created, result.without_items) == (3, 0, 3)

    @pytest.mark.parametrize("role", WRONG_ROLES)
    def test_wrong_roles(self, world, users, role):
        add_items(world, 2026)
        with pytest.raises(PermissionDenied):
            self.raise_(users[role], world)
        assert charges() == 0


class TestEntries:
    def record(
        self, actor: User, student: Student, kind: str, amount: str, **fields: Any
    ) -> FeeEntry:
        values: dict[str, Any] = {"academic_year": 2026, "fee_kind": FeeKind.TUITION,
                                  "booked_on": PAID_ON, "reference": ""} | fields  # fmt: skip
        return services.entry_record(actor=actor, student=student, kind=kind,
                                     amount=Decimal(amount), **values)  # fmt: skip

    def test_a_payment(self, world, fees):
        entry = pay(fees.finance, world.a1, 2026, "3000", "R1")
        assert (entry.kind, entry.created_by, entry.reference) == ("payment", fees.finance, "R1")
        assert ledger.balance(world.a1, academic_year=2026) == Decimal("300")
        assert ledger.tuition_paid(world.a1, 2026)

    def test_a_payment_needs_a_reference(self, world, fees):
        with pytest.raises(ValidationError, match="needs its transaction or receipt number"):
            self.record(fees.finance, world.a1, EntryKind.PAYMENT, "100")

    def test_a_reference_is_recorded_once(self, world, fees):
        pay(fees.finance, world.a1, 2026, "100", "R1")
        with pytest.raises(ValidationError, match="R1 is already recorded"):
            pay(fees.finance, world.a2, 2025, "100", "R1", fee_kind=FeeKind.BOOKS)
        assert FeeEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 1

    @pytest.mark.parametrize(
        ("amount", "message"),
        [("0", "must be positive"), ("-5", "must be positive"), ("1.005", "at most two decimals")],
    )
    def test_amounts(self, world, fees, amount, message):
        with pytest.raises(ValidationError, match=message):
            self.record(fees.finance, world.a1, EntryKind.WAIVER, amount)

    def test_a_refund_is_at_most_what_was_paid(self, world, fees):
        pay(fees.finance, world.a1, 2026, "1000", "R1")
        with pytest.raises(ValidationError, match=r"at most what was paid: 1000\.00"):
            self.record(fees.finance, world.a1, EntryKind.REFUND, "1000.01")
        self.record(fees.finance, world.a1, EntryKind.REFUND, "400")
        with pytest.raises(ValidationError, match=r"at most what was paid: 600\.00"):
            self.record(fees.finance, world.a1, EntryKind.REFUND, "700")
        # Paid for tuition, not for books, nor for another year.
        with pytest.raises(ValidationError, match="at most what was paid: 0"):
            self.record(fees.finance, world.a1, EntryKind.REFUND, "1", fee_kind=FeeKind.BOOKS)
        with pytest.raises(ValidationError, match="at most what was paid: 0"):
            self.record(fees.finance, world.a1, EntryKind.REFUND, "1", academic_year=2025)
        assert ledger.balance(world.a1, academic_year=2026) == Decimal("2700")

    def test_a_waiver_is_at_most_what_is_owed(self, world, users, fees):
        with pytest.raises(ValidationError, match=r"at most what is owed: 300\.00"):
            self.record(users["admin"], world.a1, EntryKind.WAIVER, "301", fee_kind=FeeKind.BOOKS)
        entry = self.record(fees.finance, world.a1, EntryKind.WAIVER, "300",
                            fee_kind=FeeKind.BOOKS, note="困难减免")  # fmt: skip
        assert entry.note == "困难减免"
        assert ledger.balance(world.a1, academic_year=2026) == Decimal("3000")

    def test_charges_are_not_recorded_by_hand(self, world, fees):
        with pytest.raises(ValidationError, match="raised from fee items"):
            self.record(fees.finance, world.a1, EntryKind.CHARGE, "10")

    @pytest.mark.parametrize("role", WRONG_ROLES)
    def test_wrong_roles(self, world, users, fees, role):
        with pytest.raises(PermissionDenied):
            pay(users[role], world.a1, 2026, "100", "R9")
        assert not FeeEntry.objects.filter(kind=EntryKind.PAYMENT).exists()


class TestAccount:
    def test_running_balance_per_year(self, world, fees):
        pay(fees.finance, world.a1, 2025, "3300", "R1")
        pay(fees.finance, world.a1, 2026, "1000", "R2")
        account = selectors.account(student=world.a1)
        assert [y.academic_year for y in account.years] == [2025, 2026]
        assert [line.running for line in account.years[0].lines] == [3000, 3300, 0]
        assert [line.running for line in account.years[1].lines] == [3000, 3300, 2300]
        year = account.years[1]
        assert [year.charged, year.paid, year.waived, year.owed] == [3300, 1000, 0, 2300]
        assert account.owed == ledger.balance(world.a1) == Decimal("2300")
        assert [y.academic_year for y in account.owing_years] == [2026]

    def test_tuition_status_in_one_query(self, world, fees, django_assert_num_queries):
        pay(fees.finance, world.a1, 2026, "3000", "R1")
        pay(fees.finance, world.a2, 2026, "100", "R2")
        with django_assert_num_queries(1):
            status = selectors.tuition_status(
                student_ids=[world.a1.pk, world.a2.pk, world.b1.pk], academic_year=2026
            )
        assert status == {world.a1.pk: 0, world.a2.pk: Decimal("2900"), world.b1.pk: 3000}
        assert selectors.tuition_status(student_ids=[world.a1.pk], academic_year=2027) == {}


@pytest.mark.django_db(transaction=True)
def test_two_raises_at_once_charge_each_item_once(world, users):
    """Two users raise the same charges at the same moment: the fee items are locked by the
    first, the second finds its charges written and writes none."""
    add_items(world, 2026)
    barrier = threading.Barrier(2)
    results: list[services.ChargeResult] = []

    def raise_as(role: str) -> None:
        try:
            barrier.wait()
            result = services.charges_raise(
                actor=users[role], program=world.program, cohort_year=2025, academic_year=2026
            )
            results.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=raise_as, args=(role,)) for role in ("finance", "admin")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted((r.created, r.already) for r in results) == [(0, 6), (6, 0)]
    assert charges() == 6
