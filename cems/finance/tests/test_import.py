"""Payment imports: matching rows to students and years, the rows left for a person, files
imported twice, bad files, one transaction; resolving and dismissing waiting rows."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from cems.admissions.issues import ImportStopped
from cems.conftest import add_student, make_id_number
from cems.finance import ledger, payments, services
from cems.finance.models import EntryKind, FeeEntry, FeeKind, PaymentRow, RowStatus
from cems.finance.tests.conftest import (
    HEADINGS,
    add_items,
    import_file,
    pay,
    payment_csv,
    payment_xlsx,
    row,
    row_of,
    snapshot,
    statuses,
)
from cems.students.models import StudentNumberChange

S = RowStatus


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def payments_of(student) -> list[tuple[int, str, Decimal, str]]:
    return list(
        FeeEntry.objects.filter(student=student, kind=EntryKind.PAYMENT)
        .order_by("academic_year", "fee_kind")
        .values_list("academic_year", "fee_kind", "amount", "reference")
    )


class TestMatching:
    def test_a_years_balance_oldest_first_split_by_kind(self, world, fees):
        record = import_file(fees.finance, payment_csv([row("T1", world.a1, "3300.00")]))
        assert statuses(record) == [S.MATCHED]
        assert payments_of(world.a1) == [
            (2025, FeeKind.BOOKS, Decimal("300"), "T1"),
            (2025, FeeKind.TUITION, Decimal("3000"), "T1"),
        ]
        assert ledger.balance(world.a1, academic_year=2025) == 0
        assert ledger.tuition_paid(world.a1, 2025)
        found = row_of(record, 2)
        assert found.entry is not None
        assert (found.student, found.message, found.entry.payment_import) == (
            world.a1, "2025–2026", record,
        )  # fmt: skip
        assert found.entry.booked_on.isoformat() == "2026-09-05"
        assert record.counts == {
            "rows": 1, "matched": 1, "duplicate": 0, "unmatched": 0, "ambiguous": 0,
            "wrong_amount": 0, "invalid": 0, "recorded_amount": "3300.00",
        }  # fmt: skip

    def test_a_later_year_when_the_older_one_owes_another_amount(self, world, fees):
        pay(fees.finance, world.a1, 2025, "3000", "HAND1")  # 2025 owes 300 now
        import_file(fees.finance, payment_csv([row("T1", world.a1, "3300")]))
        assert ledger.balance(world.a1, academic_year=2026) == 0
        assert ledger.balance(world.a1, academic_year=2025) == Decimal("300")

    def test_the_total_settles_every_year(self, world, fees):
        record = import_file(fees.finance, payment_csv([row("T1", world.a1, "6600")]))
        assert statuses(record) == [S.MATCHED]
        assert row_of(record, 2).message == "2025–2026, 2026–2027"
        assert len(payments_of(world.a1)) == 4
        assert ledger.balance(world.a1) == 0

    def test_two_rows_of_one_student_pay_year_after_year(self, world, fees):
        record = import_file(fees.finance, payment_csv([row("T1", world.a1, "3300"),
                                                        row("T2", world.a1, "3300")]))  # fmt: skip
        assert statuses(record) == [S.MATCHED, S.MATCHED]
        assert [r.message for r in record.rows.order_by("row_number")] == [
            "2025–2026", "2026–2027",
        ]  # fmt: skip
        assert ledger.balance(world.a1) == 0

    def test_by_id_number_without_student_number(self, world, fees):
        record = import_file(fees.finance, payment_csv([row("T1", world.b1, "3300", number="")]))
        assert statuses(record) == [S.MATCHED]
        assert row_of(record, 2).student == world.b1

    def test_by_id_number_when_the_student_number_is_unknown(self, world, fees):
        data = payment_csv([row("T1", world.b1, "3300", number="999999")])
        assert statuses(import_file(fees.finance, data)) == [S.MATCHED]

    def test_by_an_old_student_number(self, world, fees):
        StudentNumberChange.objects.create(student=world.a2, old_number="102024009009",
                                           new_number=world.a2.student_number)  # fmt: skip
        data = payment_csv([row("T1", world.a2, "3300", number="102024009009", id_number="")])
        record = import_file(fees.finance, data)
        assert (statuses(record), row_of(record, 2).student) == ([S.MATCHED], world.a2)

    def test_the_xlsx_file(self, world, fees):
        data = payment_xlsx([row("T1", world.a1, 3300), row("T2", world.a2, 6600)])
        record = import_file(fees.finance, data, "bank.xlsx")
        assert statuses(record) == [S.MATCHED, S.MATCHED]

    def test_lookups_in_chunks(self, world, fees, monkeypatch):
        """A long file is looked up a part at a time (here 1 value per query)."""
        monkeypatch.setattr(payments, "CHUNK", 1)
        add_student(world, 9, id_number=world.a1.id_number)
        data = payment_csv(
            [
                row("T1", world.a2, "3300"),
                row("T2", world.b1, "3300", number=""),
                row("T3", world.a1, "3300", number=""),
                row("T2", world.b1, "1"),
            ]
        )
        record = import_file(fees.finance, data)
        assert statuses(record) == [S.MATCHED, S.MATCHED, S.AMBIGUOUS, S.DUPLICATE]

    def test_a_gbk_csv(self, world, fees):
        data = payment_csv([row("T1", world.a1, "3300")], encoding="gbk")
        assert statuses(import_file(fees.finance, data)) == [S.MATCHED]


class TestRowsLeftForAPerson:
    def test_unknown_students(self, world, fees):
        stranger = make_id_number(dt.date(1990, 5, 12), "M", 77, "430104")
        record = import_file(fees.finance, payment_csv([
            row("T1", None, "3300", number="102099999999"),
            row("T2", None, "3300", id_number=stranger),
        ]))  # fmt: skip
        assert statuses(record) == [S.UNMATCHED, S.UNMATCHED]
        assert "No student has the 学号 102099999999" in row_of(record, 2).message
        assert row_of(record, 3).message == "No student has this ID number."
        assert not FeeEntry.objects.filter(kind=EntryKind.PAYMENT).exists()

    def test_several_students_with_one_id_number(self, world, fees):
        add_student(world, 9, id_number=world.a1.id_number)
        record = import_file(fees.finance, payment_csv([row("T1", world.a1, "3300", number="")]))
        assert statuses(record) == [S.AMBIGUOUS]
        assert "2 students have this ID number" in row_of(record, 2).message

    def test_student_number_and_id_number_disagree(self, world, fees):
        data = payment_csv([row("T1", world.a1, "3300", id_number=world.a2.id_number)])
        record = import_file(fees.finance, data)
        assert statuses(record) == [S.AMBIGUOUS]
        found = row_of(record, 2)
        assert "张伟's, but the ID number is not theirs" in found.message
        assert found.student == world.a1  # shown to the person resolving it

    def test_the_name_is_not_the_students(self, world, fees):
        record = import_file(fees.finance, payment_csv([row("T1", world.a1, "3300", name="李四")]))
        assert statuses(record) == [S.AMBIGUOUS]
        assert "The name 李四 is not the student's" in row_of(record, 2).message

    def test_wrong_amounts(self, world, fees):
        record = import_file(fees.finance, payment_csv([row("T1", world.a1, "3000"),
                                                        row("T2", world.a2, "9999")]))  # fmt: skip
        assert statuses(record) == [S.WRONG_AMOUNT, S.WRONG_AMOUNT]
        assert row_of(record, 2).message == (
            "3000.00 is neither what 张伟 owes for one year (2025–2026: 3300.00; 2026–2027: "
            "3300.00) nor in all (6600.00)."
        )
        assert not FeeEntry.objects.filter(kind=EntryKind.PAYMENT).exists()

    def test_one_year_owing(self, world, fees):
        pay(fees.finance, world.a1, 2025, "3300", "HAND1")
        record = import_file(fees.finance, payment_csv([row("T1", world.a1, "3000")]))
        assert row_of(record, 2).message == "3000.00 is not what 张伟 owes: 3300.00 for 2026–2027."

    def test_a_student_who_owes_nothing(self, world, fees):
        import_file(fees.finance, payment_csv([row("T1", world.a1, "6600")]))
        record = import_file(fees.finance, payment_csv([row("T2", world.a1, "3300")]))
        assert statuses(record) == [S.WRONG_AMOUNT]
        assert "张伟 owes nothing" in row_of(record, 2).message

    def test_invalid_rows(self, world, fees):
        record = import_file(fees.finance, payment_csv([
            row("", world.a1, "3300"),
            row("T2", world.a1, "abc"),
            row("T3", world.a1, "3300.001"),
            row("T4", world.a1, "3300", paid_on="2026-13-01"),
            row("T5", world.a1, "3300", id_number="430302199503010010"),
            row("T6", None, "3300"),
        ]))  # fmt: skip
        assert statuses(record) == [S.INVALID] * 6
        messages = [r.message for r in record.rows.order_by("row_number")]
        for message, reason in zip(
            messages,
            [
                "transaction number is missing",
                "not a number",
                "more than two decimals",
                "not a date of payment",
                "check character is wrong",
                "Neither a 学号 nor an ID number",
            ],
            strict=True,
        ):
            assert reason in message  # fmt: skip
        assert not FeeEntry.objects.filter(kind=EntryKind.PAYMENT).exists()
        assert services.waiting_count(record.counts) == 6


class TestDuplicates:
    def test_the_same_file_twice_records_nothing_twice(self, world, fees):
        data = payment_csv([row("T1", world.a1, "3300"), row("T2", None, "5", number="1")])
        first = import_file(fees.finance, data)
        second = import_file(fees.finance, data)
        assert statuses(first) == [S.MATCHED, S.UNMATCHED]
        # The recorded payment and the row still waiting both come back as duplicates.
        assert statuses(second) == [S.DUPLICATE, S.DUPLICATE]
        assert row_of(second, 2).message == "This transaction is already recorded."
        assert "(row 3), No such student there" in row_of(second, 3).message
        assert FeeEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 2
        assert PaymentRow.objects.filter(status__in=[S.UNMATCHED]).count() == 1
        assert second.counts["duplicate"] == 2

    def test_within_one_file(self, world, fees):
        record = import_file(fees.finance, payment_csv([row("T1", world.a1, "3300"),
                                                        row("T1", world.a1, "3300")]))  # fmt: skip
        assert statuses(record) == [S.MATCHED, S.DUPLICATE]
        assert row_of(record, 3).message == "The same transaction number is in row 2 of this file."
        assert ledger.balance(world.a1) == Decimal("3300")

    def test_a_payment_recorded_by_hand_first(self, world, fees):
        pay(fees.finance, world.a1, 2025, "3300", "T1")
        record = import_file(fees.finance, payment_csv([row("T1", world.a1, "3300")]))
        assert statuses(record) == [S.DUPLICATE]

    def test_across_formats(self, world, fees):
        import_file(fees.finance, payment_xlsx([row("T1", world.a1, 3300)]), "a.xlsx")
        record = import_file(
            fees.finance, payment_csv([row("T1", world.a1, "3300")], encoding="gbk")
        )
        assert statuses(record) == [S.DUPLICATE]


class TestBadFiles:
    def test_wrong_encoding_writes_nothing(self, world, fees):
        before = snapshot()
        data = ",".join(HEADINGS).encode("gbk") + b"\nT1,\xff\xfe\xfd,,,3300,2026-09-05\n"
        with pytest.raises(ImportStopped, match="neither UTF-8 nor GBK"):
            import_file(fees.finance, data)
        assert snapshot() == before

    def test_a_missing_column_writes_nothing(self, world, fees):
        before = snapshot()
        data = payment_csv([["T1", world.a1.student_number, "3300"]],
                           headings=["交易流水号", "学号", "金额"])  # fmt: skip
        with pytest.raises(ImportStopped, match="has no column 交易日期"):
            import_file(fees.finance, data)
        assert snapshot() == before

    def test_a_crash_half_way_writes_nothing(self, world, fees, monkeypatch):
        before = snapshot()

        def crash(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(PaymentRow.objects, "bulk_create", crash)
        with pytest.raises(RuntimeError, match="disk full"):
            import_file(fees.finance, payment_csv([row("T1", world.a1, "3300")]))
        assert snapshot() == before

    @pytest.mark.parametrize("role", ["academic", "station", "auditor", "student", "teacher"])
    def test_wrong_roles(self, world, fees, users, role):
        with pytest.raises(PermissionDenied):
            import_file(users[role], payment_csv([row("T1", world.a1, "3300")]))
        assert not PaymentRow.objects.exists()


class TestResolve:
    @pytest.fixture
    def waiting(self, world, fees):
        record = import_file(fees.finance, payment_csv([
            row("T1", None, "3300", number="102099999999"),
            row("T2", world.a1, "1000"),
            row("T3", world.a1, "abc"),
        ]))  # fmt: skip
        return {status: r for r in record.rows.all() for status in [r.status]}

    def test_assign_to_a_student_and_year(self, world, fees, waiting):
        found = services.payment_row_resolve(
            actor=fees.finance, row=waiting[S.UNMATCHED], student=world.a2, academic_year=2026,
            note="学号写错",
        )  # fmt: skip
        assert (found.status, found.student, found.resolved_by, found.note) == (
            S.RESOLVED, world.a2, fees.finance, "学号写错",
        )  # fmt: skip
        assert payments_of(world.a2) == [
            (2026, FeeKind.BOOKS, Decimal("300"), "T1"),
            (2026, FeeKind.TUITION, Decimal("3000"), "T1"),
        ]
        assert found.entry is not None
        assert found.entry.academic_year == 2026

    def test_an_amount_matching_nothing_goes_to_tuition_first(self, world, fees, waiting):
        services.payment_row_resolve(actor=fees.finance, row=waiting[S.WRONG_AMOUNT],
                                     student=world.a1, academic_year=2025)  # fmt: skip
        assert payments_of(world.a1) == [(2025, FeeKind.TUITION, Decimal("1000"), "T2")]

    def test_more_than_owed_is_paid_in_advance(self, world, fees, waiting):
        services.payment_row_resolve(actor=fees.finance, row=waiting[S.UNMATCHED],
                                     student=world.a1, academic_year=2027)  # fmt: skip
        assert ledger.balance(world.a1, academic_year=2027) == Decimal("-3300")

    def test_twice_is_refused(self, world, fees, waiting):
        services.payment_row_resolve(actor=fees.finance, row=waiting[S.UNMATCHED],
                                     student=world.a1, academic_year=2026)  # fmt: skip
        with pytest.raises(ValidationError, match="This row is Resolved by hand"):
            services.payment_row_resolve(actor=fees.finance, row=waiting[S.UNMATCHED],
                                         student=world.a2, academic_year=2026)  # fmt: skip
        assert not payments_of(world.a2)

    def test_an_invalid_row_cannot_be_resolved(self, world, fees, waiting):
        with pytest.raises(ValidationError, match="This row is Invalid row"):
            services.payment_row_resolve(actor=fees.finance, row=waiting[S.INVALID],
                                         student=world.a1, academic_year=2026)  # fmt: skip

    def test_a_transaction_recorded_meanwhile(self, world, fees, waiting):
        pay(fees.finance, world.a1, 2025, "10", "T2")
        with pytest.raises(ValidationError, match="T2 is already recorded; dismiss this row"):
            services.payment_row_resolve(actor=fees.finance, row=waiting[S.WRONG_AMOUNT],
                                         student=world.a1, academic_year=2025)  # fmt: skip
        assert PaymentRow.objects.get(pk=waiting[S.WRONG_AMOUNT].pk).status == S.WRONG_AMOUNT

    def test_dismiss_with_a_note(self, world, fees, waiting):
        with pytest.raises(ValidationError, match="Say why"):
            services.payment_row_dismiss(actor=fees.finance, row=waiting[S.INVALID], note=" ")
        found = services.payment_row_dismiss(actor=fees.finance, row=waiting[S.INVALID],
                                             note="银行冲正")  # fmt: skip
        assert (found.status, found.note, found.resolved_by) == (S.DISMISSED, "银行冲正",
                                                                 fees.finance)  # fmt: skip
        with pytest.raises(ValidationError):
            services.payment_row_dismiss(actor=fees.finance, row=found, note="again")

    @pytest.mark.parametrize("role", ["academic", "station", "auditor", "student"])
    def test_wrong_roles(self, world, fees, users, waiting, role):
        with pytest.raises(PermissionDenied):
            services.payment_row_resolve(actor=users[role], row=waiting[S.UNMATCHED],
                                         student=world.a1, academic_year=2026)  # fmt: skip
        with pytest.raises(PermissionDenied):
            services.payment_row_dismiss(actor=users[role], row=waiting[S.UNMATCHED], note="x")
        assert PaymentRow.objects.get(pk=waiting[S.UNMATCHED].pk).status == S.UNMATCHED


@pytest.mark.django_db(transaction=True)
def test_the_same_file_imported_twice_at_once_records_it_once(world, users):
    """Two imports of one file from two connections: the students are locked by the first,
    the second finds its transactions recorded (or, if it got there first, the other way)."""
    add_items(world, 2025)
    services.charges_raise(actor=users["finance"], program=world.program, cohort_year=2025,
                           academic_year=2025)  # fmt: skip
    data = payment_csv([row("T1", world.a1, "3300"), row("T2", world.a2, "3300")])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run(role: str) -> None:
        try:
            barrier.wait()
            record = import_file(users[role], data)
            outcomes.append(",".join(statuses(record)))
        except ImportStopped as stopped:
            outcomes.append(f"stopped:{stopped.text()}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(role,)) for role in ("finance", "admin")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert FeeEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 4  # 2 rows × 2 kinds
    assert outcomes.count("matched,matched") == 1, outcomes
    other = next(o for o in outcomes if o != "matched,matched")
    assert other == "duplicate,duplicate" or other.startswith("stopped:Another import")
    assert ledger.balance(world.a1) == 0
