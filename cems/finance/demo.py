"""Demo fees: fee items of every program and year, each student's fee account from their
cohort to the current academic year, and one bank file imported with rows left to resolve.

Charges are raised for every year a student was in school: each year they registered, and up
to the current one for those registered now. A registration requires the year's tuition
paid, so every registered year is paid in full before the registration: one transaction for
the year's fees (recorded as one entry per kind of fee, as the payment import records it),
some years in two instalments, a few with a hardship waiver, one or two paid twice and the
second payment refunded. The students not registered this year owe this year's fees, some
with a first instalment paid. Rows go in bulk, a chunk of students at a time, so that a
million students fit in memory.

The bank file goes through the payment import itself (cems.finance.services), so that its
rows read as an import leaves them: some payments recorded, a duplicate, and rows waiting
for a person (student not found, wrong amount, ambiguous, unreadable).
"""

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Min
from django.utils import timezone, translation

from cems.accounts.models import User
from cems.catalog.models import Level, Program
from cems.core import demo
from cems.core.bulk import bulk_insert, db_value
from cems.core.progress import Progress
from cems.finance.models import EntryKind, FeeEntry, FeeItem, FeeKind, PaymentImport
from cems.finance.services import payment_import
from cems.students import status
from cems.students.demo import FIRST_COHORT
from cems.students.models import Registration, Student, StudentStatus

BOOKS = range(300, 601, 20)  # 教材费 per year, drawn per program
# Half the programs of these disciplines charge for practical training as well.
OTHER_FEES = {"engineering": "实习实训费", "medicine": "实验实训费", "arts": "画材与实训费",
              "education": "教育实习费"}  # fmt: skip
OTHER_SHARE = 0.5
OTHER_AMOUNTS = range(150, 401, 50)
SPLIT_SHARE = 0.08  # years paid in two instalments
INSTALMENT_SHARE = 0.25  # of the years owed: a first instalment paid
CHARGED_STATUSES = (StudentStatus.REGISTERED, StudentStatus.GRADUATED)
CHANNELS = ("银行代收", "银行代收", "银行代收", "网上缴费", "网上缴费", "现场刷卡")
WAIVER_NOTES = ("困难减免（建档立卡家庭）", "困难减免（低保家庭）", "退役军人学费减免")
STUDENTS_PER_CHUNK = 5000
# The bank file: this year's payments made from 1 to 20 September by students who registered
# after it was imported on the 22nd, and rows that need a person.
IMPORT_FILE = "农行代收学费-{year}-09.csv"
IMPORT_PAYMENTS = 12
IMPORT_WINDOW = ((9, 1), (9, 20))
IMPORT_DAY = (9, 22)

ENTRY_FIELDS = ("student", "academic_year", "kind", "fee_kind", "fee_item", "amount", "booked_on",
                "reference", "note", "payment_import", "created_by", "created_at")  # fmt: skip
KIND_ORDER = (FeeKind.TUITION, FeeKind.BOOKS, FeeKind.OTHER)  # as a payment settles them


@dataclass(frozen=True)
class _Item:
    pk: int
    kind: str
    amount: Decimal


@dataclass
class FeeCounts:
    items: int = 0
    entries: int = 0
    waivers: int = 0
    refunds: int = 0
    instalments: int = 0  # registered years paid in two instalments
    owed_years: int = 0  # years charged and not (fully) paid
    import_counts: dict[str, Any] = field(default_factory=dict)


def seed_fees(rng: random.Random) -> FeeCounts:
    """Fee items, fee accounts and the bank file. Run after the registrations (status
    changes) and the demo users."""
    finance = User.objects.get(username="finance")
    current = status.current_academic_year()
    counts = FeeCounts()
    items = seed_fee_items(rng, current)
    counts.items = sum(len(year_items) for year_items in items.values())
    total = Student.objects.count()
    accounts = _Accounts(rng, items, current, finance.pk, counts)
    accounts.waiver_at = set(rng.sample(range(total), min(total, max(3, total // 2000))))
    accounts.refund_at = set(rng.sample(range(total), min(total, max(2, total // 8000))))
    counts.entries = bulk_insert(FeeEntry, ENTRY_FIELDS, accounts.rows(total))
    counts.import_counts = seed_bank_file(rng, accounts, finance).counts
    return counts


def seed_fee_items(rng: random.Random, current: int) -> dict[tuple[int, int], list[_Item]]:
    """Tuition, books and for some programs a practical-training fee, for every year from the
    program's first cohort (or the first year one of its students registered) to `current`;
    returned by (program, year)."""
    first_cohort = dict(
        Student.objects.order_by()
        .values("program")
        .annotate(first=Min("cohort_year"))
        .values_list("program", "first")
    )
    first_registered = dict(
        Registration.objects.order_by()
        .values("student__program")
        .annotate(first=Min("academic_year"))
        .values_list("student__program", "first")
    )
    rows = []
    for program in Program.objects.select_related("major").order_by("pk"):
        first = min(
            FIRST_COHORT.get(Level(program.level), current),
            first_cohort.get(program.pk, current),
            first_registered.get(program.pk, current),
        )
        fees = [(FeeKind.TUITION.value, "学费", program.tuition_per_year),
                (FeeKind.BOOKS.value, "教材费", Decimal(rng.choice(BOOKS)))]  # fmt: skip
        other = OTHER_FEES.get(program.major.discipline)
        amount = Decimal(rng.choice(OTHER_AMOUNTS))
        if other is not None and rng.random() < OTHER_SHARE:
            fees.append((FeeKind.OTHER.value, other, amount))
        for year in range(first, current + 1):
            rows += [(program.pk, year, kind, name, db_value(FeeItem, "amount", amount))
                     for kind, name, amount in fees]  # fmt: skip
    bulk_insert(FeeItem, ("program", "academic_year", "kind", "name", "amount"), rows)
    items: dict[tuple[int, int], list[_Item]] = {}
    for pk, program_id, year, kind, amount in FeeItem.objects.order_by("pk").values_list(
        "pk", "program", "academic_year", "kind", "amount"
    ):
        items.setdefault((program_id, year), []).append(_Item(pk, kind, amount))
    for year_items in items.values():
        year_items.sort(key=lambda item: KIND_ORDER.index(FeeKind(item.kind)))
    return items


@dataclass(frozen=True)
class _Pending:
    """A payment of this year left for the bank file to record."""

    student: int
    amount: Decimal
    paid_on: dt.date


class _Accounts:
    """Each student's entries as rows in the order of ENTRY_FIELDS."""

    def __init__(
        self, rng: random.Random, items: dict[tuple[int, int], list[_Item]], current: int,
        finance_id: int, counts: FeeCounts,
    ) -> None:  # fmt: skip
        self.rng = rng
        self.items = items
        self.current = current
        self.finance_id = finance_id
        self.counts = counts
        self.waiver_at: set[int] = set()
        self.refund_at: set[int] = set()
        self.sequences: dict[dt.date, int] = {}
        self.amounts: dict[Decimal, Any] = {}
        self.created: dict[dt.date, Any] = {}
        # For the bank file: payments it records, and a few of this year's payments recorded
        # before (one turns up again) and of the years owed (some paid the wrong amount).
        self.pending: list[_Pending] = []
        self.recorded: list[tuple[int, str, Decimal, dt.date]] = []
        self.owing: list[tuple[int, Decimal]] = []
        start, end = IMPORT_WINDOW
        self.window = (dt.date(current, *start), dt.date(current, *end))
        self.import_day = dt.date(current, *IMPORT_DAY)

    # --- values in database form -------------------------------------------------------------

    def amount(self, value: Decimal) -> Any:
        if value not in self.amounts:
            self.amounts[value] = db_value(FeeEntry, "amount", value)
        return self.amounts[value]

    def created_at(self, day: dt.date) -> Any:
        if day not in self.created:
            moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
            self.created[day] = db_value(FeeEntry, "created_at", moment)
        return self.created[day]

    def reference(self, day: dt.date) -> str:
        """A transaction number unique across the demo: HN, the date, a daily sequence."""
        self.sequences[day] = self.sequences.get(day, 0) + 1
        return f"HN{day:%Y%m%d}{self.sequences[day]:06d}"

    def entry(
        self, student: int, year: int, kind: str, fee_kind: str, amount: Decimal, day: dt.date,
        *, item: int | None = None, reference: str = "", note: str = "",
    ) -> tuple[Any, ...]:  # fmt: skip
        return (student, year, kind, fee_kind, item, self.amount(amount), day.isoformat(),
                reference, note, None, self.finance_id, self.created_at(day))  # fmt: skip

    def payment(
        self, student: int, year: int, dues: list[tuple[str, Decimal]], amount: Decimal,
        day: dt.date, note: str | None = None,
    ) -> Iterator[tuple[Any, ...]]:  # fmt: skip
        """One transaction settling `dues` (kind, amount still owed; updated) in their order,
        up to `amount`: an entry per kind of fee, all with its transaction number."""
        reference = self.reference(day)
        note = self.rng.choice(CHANNELS) if note is None else note
        left = amount
        for index, (kind, due) in enumerate(dues):
            part = min(left, due)
            if part > 0:
                yield self.entry(student, year, EntryKind.PAYMENT, kind, part, day,
                                 reference=reference, note=note)  # fmt: skip
                dues[index] = (kind, due - part)
                left -= part
        if year == self.current and len(self.recorded) < 10 and day <= self.window[1]:
            self.recorded.append((student, reference, amount, day))

    # --- students --------------------------------------------------------------------------

    def students(self) -> Iterator[tuple[tuple[Any, ...], dict[int, dt.date]]]:
        """Each student (pk, program, cohort, status) with the days they registered on, by
        year: a chunk of students and their registrations at a time."""
        zone = timezone.get_current_timezone()
        last = 0
        while True:
            chunk = list(
                Student.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", "program_id", "cohort_year", "status")[:STUDENTS_PER_CHUNK]
            )
            if not chunk:
                return
            registered: dict[int, dict[int, dt.date]] = {}
            for student, year, moment in Registration.objects.filter(
                student__gte=chunk[0][0], student__lte=chunk[-1][0]
            ).values_list("student", "academic_year", "registered_at"):
                registered.setdefault(student, {})[year] = moment.astimezone(zone).date()
            for row in chunk:
                yield row, registered.get(row[0], {})
            last = chunk[-1][0]

    def rows(self, total: int) -> Iterator[tuple[Any, ...]]:
        progress = Progress(total, "fees")
        waivers = refunds = 0  # due to the next student with a registered year
        for index, ((pk, program, cohort, student_status), registered) in enumerate(
            self.students()
        ):
            waivers += index in self.waiver_at
            refunds += index in self.refund_at
            years = set(registered)
            if student_status in CHARGED_STATUSES:
                years.update(range(cohort, self.current + 1))
            waiver_year = refund_year = None
            if registered and waivers:
                waiver_year, waivers = max(registered), waivers - 1
            if registered and refunds:
                refund_year, refunds = min(registered), refunds - 1
            for year in sorted(years):
                charges = self.items.get((program, year), [])
                for item in charges:
                    yield self.entry(pk, year, EntryKind.CHARGE, item.kind, item.amount,
                                     dt.date(year, 8, 1), item=item.pk)  # fmt: skip
                dues = [(item.kind, item.amount) for item in charges]
                if year in registered:
                    yield from self.paid(pk, year, charges, dues, registered[year],
                                         waiver=year == waiver_year, refund=year == refund_year)  # fmt: skip
                elif charges:
                    yield from self.owed(pk, year, dues)
            if index % 1000 == 999:
                progress.advance(1000)
        progress.advance(total - progress.done)
        progress.finish()

    def paid(
        self, student: int, year: int, charges: list[_Item], dues: list[tuple[str, Decimal]],
        registered_on: dt.date, *, waiver: bool, refund: bool,
    ) -> Iterator[tuple[Any, ...]]:  # fmt: skip
        """A registered year: everything paid by the registration."""
        rng = self.rng
        day = registered_on - dt.timedelta(days=rng.randint(0, 20))
        if waiver and charges and charges[0].kind == FeeKind.TUITION:
            tuition = charges[0]
            forgiven = (tuition.amount / 2).quantize(Decimal(100))
            yield self.entry(student, year, EntryKind.WAIVER, tuition.kind, forgiven,
                             day - dt.timedelta(days=rng.randint(5, 20)), item=tuition.pk,
                             note=rng.choice(WAIVER_NOTES))  # fmt: skip
            dues[0] = (tuition.kind, tuition.amount - forgiven)
            self.counts.waivers += 1
        total = sum((due for _kind, due in dues), Decimal(0))
        if total <= 0:
            return
        if not refund and rng.random() < SPLIT_SHARE:
            first = (total / 2).quantize(Decimal(100))
            yield from self.payment(student, year, dues, first,
                                    day - dt.timedelta(days=rng.randint(30, 60)))  # fmt: skip
            yield from self.payment(student, year, dues, total - first, day)
            self.counts.instalments += 1
            return
        start, end = self.window
        if (
            year == self.current
            and not waiver
            and not refund
            and len(self.pending) < IMPORT_PAYMENTS
            and registered_on > self.import_day
        ):
            paid_on = start + dt.timedelta(days=rng.randint(0, (end - start).days))
            self.pending.append(_Pending(student, total, paid_on))
            return  # recorded by the bank file's import  # fmt: skip
        yield from self.payment(student, year, dues, total, day)
        if refund:
            # The tuition paid again online a few days later, and that refunded.
            tuition = charges[0]
            again = day + dt.timedelta(days=rng.randint(1, 4))
            yield self.entry(student, year, EntryKind.PAYMENT, tuition.kind, tuition.amount,
                             again, reference=self.reference(again), note="网上缴费")  # fmt: skip
            yield self.entry(student, year, EntryKind.REFUND, tuition.kind, tuition.amount,
                             again + dt.timedelta(days=rng.randint(10, 30)),
                             note="重复缴费，退回")  # fmt: skip
            self.counts.refunds += 1

    def owed(
        self, student: int, year: int, dues: list[tuple[str, Decimal]]
    ) -> Iterator[tuple[Any, ...]]:
        """A year charged and not registered for (this year, for the students who have not
        registered yet): nothing paid, or a first instalment."""
        rng = self.rng
        self.counts.owed_years += 1
        total = sum((due for _kind, due in dues), Decimal(0))
        if rng.random() < INSTALMENT_SHARE:
            first = (total / 2).quantize(Decimal(100))
            day = dt.date(year, 9, 1) + dt.timedelta(days=rng.randint(0, 40))
            yield from self.payment(student, year, dues, first, day)
            total -= first
        if year == self.current and len(self.owing) < 10:
            self.owing.append((student, total))


# --- The bank file ---------------------------------------------------------------------------


def seed_bank_file(rng: random.Random, accounts: _Accounts, finance: User) -> PaymentImport:
    """The September bank file, imported through the payment import: the payments left
    pending (recorded), one recorded before by hand (a duplicate), and rows for a person:
    a mistyped 学号 and an unknown ID number (unmatched), two amounts that match nothing owed,
    a 学号 and an ID number of different students (ambiguous), a row without an amount."""
    day = accounts.import_day
    owing = accounts.owing[:4]
    recorded = accounts.recorded[:1]
    wanted = {p.student for p in accounts.pending} | {s for s, _a in owing}
    wanted |= {s for s, *_ in recorded}
    people = {
        pk: (number, id_number, name)
        for pk, number, id_number, name in Student.objects.filter(pk__in=wanted).values_list(
            "pk", "student_number", "id_number", "name"
        )
    }
    lines: list[tuple[str, str, str, str, str, dt.date]] = []

    def line(number: str, id_number: str, name: str, amount: Decimal | None, paid_on: dt.date,
             reference: str | None = None) -> None:  # fmt: skip
        reference = reference or accounts.reference(paid_on)
        lines.append((reference, number, id_number, name, "" if amount is None else f"{amount:.2f}",
                      paid_on))  # fmt: skip

    for pending in accounts.pending:
        line(*people[pending.student], pending.amount, pending.paid_on)
    for student, reference, amount, paid_on in recorded:
        line(*people[student], amount, paid_on, reference)
    if owing:
        student, owed = owing[0]
        number, _id, name = people[student]
        typo = number[:-2] + f"{(int(number[-2:]) + 50) % 100:02d}"
        while Student.objects.filter(student_number=typo).exists():
            typo = f"{int(typo) + 1}"
        line(typo, "", name, owed, day - dt.timedelta(days=2))
    stranger = demo.id_number(rng, area_code="430104", birth_date=dt.date(1990, 5, 12), gender="M")
    if not Student.objects.filter(id_number=stranger).exists():
        line("", stranger, demo.person_name(rng, "M"), Decimal(3000), day - dt.timedelta(days=3))
    for student, owed in owing[1:3]:
        wrong = owed - Decimal(rng.choice((200, 500, 1000)))
        line(*people[student], wrong, day - dt.timedelta(days=rng.randint(1, 5)))
    if len(owing) > 3:
        student, owed = owing[3]
        number, _id, name = people[student]
        line(number, people[owing[0][0]][1], name, owed, day - dt.timedelta(days=4))
    line("", "", demo.person_name(rng, "F"), None, day - dt.timedelta(days=1))
    lines.sort(key=lambda cells: (cells[5], cells[0]))
    text = "交易流水号,学号,身份证号,姓名,金额,交易日期\n" + "".join(
        ",".join((*cells[:5], f"{cells[5]:%Y-%m-%d}")) + "\n" for cells in lines
    )
    # The file is imported by the finance office in the school's language.
    with translation.override(settings.LANGUAGE_CODE):
        record = payment_import(
            data=text.encode("gbk"),
            file_name=IMPORT_FILE.format(year=accounts.current),
            actor=finance,
        )
    imported_at = timezone.make_aware(dt.datetime.combine(day, dt.time(15, 20)))
    PaymentImport.objects.filter(pk=record.pk).update(imported_at=imported_at)
    FeeEntry.objects.filter(payment_import=record).update(created_at=imported_at, note="银行代收")
    record.refresh_from_db()
    return record
