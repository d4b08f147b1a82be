"""Payment files from the bank or the online-payment platform: reading them, and matching each
row to a student and an academic year.

A file (csv in UTF-8 or GBK, xlsx, and whatever else `read_sheet` reads) has its columns
found by their Chinese headings: 交易流水号 (the transaction number, required), 学号 and/or
身份证号 (at least one), 姓名 (optional, checked against the student), 金额 and 交易日期.

Matching, row by row in file order (`match_lines`):
- a transaction number already recorded, seen earlier in the file, or in an earlier import's
  row still waiting or dismissed: duplicate (the same file imported twice records nothing
  twice, and its waiting rows do not come back);
- a row without a transaction number, with a bad amount, date or ID number: invalid;
- the student by 学号 (the current one or an old one), else by ID number; none: unmatched;
  several, or 学号 and ID number (or the name) pointing at different people: ambiguous;
- the amount must equal what the student owes for one academic year (the oldest first) or
  in all: it is recorded for that year (or every year owing); otherwise: wrong amount.
Within a year the payment is split by kind of fee, tuition first, so that the year's
tuition shows as paid (annual registration checks it).
"""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as _noop

from cems.admissions.issues import ImportStopped, clean
from cems.admissions.reader import Sheet, read_sheet
from cems.core import idcard
from cems.finance.ledger import owed_sum
from cems.finance.models import EntryKind, FeeEntry, FeeKind, PaymentRow, RowStatus
from cems.students.models import Student, StudentNumberChange

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("99999999.99")
# The order in which a payment settles the kinds of fee of a year.
FEE_KIND_ORDER = (FeeKind.TUITION, FeeKind.BOOKS, FeeKind.OTHER)
# Rows that wait for a person: to be resolved (assigned to a student and year) or dismissed.
WAITING = (RowStatus.UNMATCHED, RowStatus.AMBIGUOUS, RowStatus.WRONG_AMOUNT, RowStatus.INVALID)
RESOLVABLE = (RowStatus.UNMATCHED, RowStatus.AMBIGUOUS, RowStatus.WRONG_AMOUNT)

# Headings as banks and payment platforms write them; units in brackets are ignored.
HEADINGS: dict[str, tuple[str, ...]] = {
    "reference": ("交易流水号", "流水号", "交易号", "交易单号", "支付流水号", "订单号",
                  "商户订单号"),
    "student_number": ("学号",),
    "id_number": ("身份证号", "身份证号码", "证件号码", "证件号", "身份证"),
    "name": ("姓名", "学生姓名", "缴费人", "缴费人姓名"),
    "amount": ("金额", "交易金额", "缴费金额", "实收金额", "支付金额"),
    "paid_on": ("交易日期", "日期", "交易时间", "缴费日期", "支付日期", "支付时间"),
}  # fmt: skip
REQUIRED = ("reference", "amount", "paid_on")
_ALIASES = {alias: key for key, aliases in HEADINGS.items() for alias in aliases}
_UNITS = re.compile(r"[（(][^）)]*[）)]")
_SPACES = re.compile(r"\s+")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT].*)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:\d{6})?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
EARLIEST_DATE = dt.date(2000, 1, 1)


# Values per `IN (...)` list: a bank file of tens of thousands of rows stays within the
# databases' limits on the parameters of one statement.
CHUNK = 2000


def chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    items = sorted(set(values))
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def money(value: Decimal) -> Decimal:
    """An amount with its two decimals (SQLite's sums come back without them)."""
    return Decimal(value).quantize(CENT)


def year_label(year: int) -> str:
    return f"{year}–{year + 1}"


def _heading(text: str) -> str:
    return _UNITS.sub("", _SPACES.sub("", text))


def header_score(cells: Sequence[str]) -> int:
    return sum(1 for cell in cells if _heading(cell) in _ALIASES)


# --- Reading ---------------------------------------------------------------------------------


@dataclass
class PaymentLine:
    """A data row of a payment file, its cells read into values; `problems` make it invalid."""

    row_number: int
    reference: str = ""
    student_number: str = ""
    id_number: str = ""
    name: str = ""
    amount: Decimal | None = None
    paid_on: dt.date | None = None
    problems: list[str] = field(default_factory=list)


@dataclass
class PaymentFile:
    file_format: str
    encoding: str
    columns: dict[str, str]  # field -> the heading as written
    lines: list[PaymentLine]


def read_payment_file(data: bytes, file_name: str) -> PaymentFile:
    """The rows of a payment file. Raises ImportStopped for a file that cannot be read or
    lacks a required column (nothing is written then)."""
    sheet = read_sheet(data, file_name, header_score=header_score)
    columns = _columns(sheet)
    index = {key: sheet.header.index(heading) for key, heading in columns.items()}
    lines = []
    for number, cells in sheet.rows:

        def cell(key: str, cells: list[str] = cells) -> str:
            position = index.get(key)
            if position is None or position >= len(cells):
                return ""
            return clean(cells[position].strip())

        lines.append(
            parse_line(
                number,
                reference=cell("reference"),
                student_number=cell("student_number"),
                id_number=cell("id_number"),
                name=cell("name"),
                amount=cell("amount"),
                paid_on=cell("paid_on"),
            )
        )
    return PaymentFile(sheet.file_format, sheet.encoding, columns, lines)


def _columns(sheet: Sheet) -> dict[str, str]:
    columns: dict[str, str] = {}
    for heading in sheet.header:
        key = _ALIASES.get(_heading(heading))
        if key and key not in columns:
            columns[key] = heading
    missing = [HEADINGS[key][0] for key in REQUIRED if key not in columns]
    if missing:
        raise ImportStopped(
            _noop("The file has no column %(columns)s (the heading row is row %(row)d)."),
            {"columns": "、".join(missing), "row": sheet.header_row},
        )
    if "student_number" not in columns and "id_number" not in columns:
        raise ImportStopped(
            _noop("The file has neither a column 学号 nor a column 身份证号: one is needed to "
                  "find the student.")
        )  # fmt: skip
    return columns


def parse_line(
    row_number: int,
    *,
    reference: str,
    student_number: str,
    id_number: str,
    name: str,
    amount: str,
    paid_on: str,
) -> PaymentLine:
    line = PaymentLine(row_number, name=_SPACES.sub("", name)[:50])
    problems = line.problems
    if not reference:
        problems.append(_("The transaction number is missing."))
    elif len(reference) > 64:
        problems.append(_("The transaction number is longer than 64 characters."))
    else:
        line.reference = reference
    line.student_number = _SPACES.sub("", student_number).upper()[:20]
    if id_number:
        try:
            line.id_number = idcard.parse(id_number).number
        except ValidationError as error:
            line.id_number = idcard.normalize(id_number)[:18]
            problems.append(_("ID number %(number)s: %(reason)s") % {
                "number": line.id_number, "reason": " ".join(error.messages)})  # fmt: skip
    if not line.student_number and not id_number:
        problems.append(_("Neither a 学号 nor an ID number is given."))
    try:
        line.amount = parse_amount(amount)
    except ValueError as error:
        problems.append(str(error))
    try:
        line.paid_on = parse_date(paid_on)
    except ValueError as error:
        problems.append(str(error))
    return line


def parse_amount(text: str) -> Decimal:
    """A positive amount of yuan with at most two decimals ("¥3,000.00元" is 3000.00)."""
    plain = re.sub(r"[\s,，¥￥元]", "", text).removeprefix("RMB").removeprefix("CNY")
    if not plain:
        raise ValueError(_("The amount is missing."))
    try:
        amount = Decimal(plain)
    except InvalidOperation:
        raise ValueError(_("The amount %(amount)s is not a number.") % {"amount": text}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValueError(_("The amount %(amount)s is not positive.") % {"amount": text})
    if amount != amount.quantize(CENT, rounding="ROUND_DOWN"):
        raise ValueError(_("The amount %(amount)s has more than two decimals.") % {"amount": text})
    if amount > MAX_AMOUNT:
        raise ValueError(_("The amount %(amount)s is too large.") % {"amount": text})
    return amount.quantize(CENT)


def parse_date(text: str, *, today: dt.date | None = None) -> dt.date:
    """A date as banks write it: 2026-09-01, 2026/9/1, 2026年9月1日, 20260901 (with or
    without a time), or a spreadsheet's day number."""
    text = text.strip()
    if not text:
        raise ValueError(_("The date is missing."))
    day = None
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    try:
        if match:
            day = dt.date(int(match[1]), int(match[2]), int(match[3]))
        elif text.isdigit() and 20000 <= int(text) <= 80000:
            day = _EXCEL_EPOCH + dt.timedelta(days=int(text))
    except ValueError:
        day = None
    latest = (today or timezone.localdate()) + dt.timedelta(days=1)
    if day is None or not EARLIEST_DATE <= day <= latest:
        raise ValueError(_("The date %(date)s is not a date of payment.") % {"date": text})
    return day


# --- Balances --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Allocation:
    """The part of a payment recorded for one academic year and kind of fee."""

    academic_year: int
    fee_kind: str
    amount: Decimal


class Balances:
    """What students owe per academic year and kind of fee, read in one query and kept up
    to date as the rows of a file are matched."""

    def __init__(self, student_ids: Iterable[int]) -> None:
        self.owed: dict[int, dict[tuple[int, str], Decimal]] = defaultdict(dict)
        for chunk in chunks(student_ids):
            rows = (
                FeeEntry.objects.filter(student__in=chunk)
                .values("student", "academic_year", "fee_kind")
                .annotate(owed=owed_sum())
                .values_list("student", "academic_year", "fee_kind", "owed")
                .order_by()
            )
            for student, year, kind, owed in rows:
                self.owed[student][(year, kind)] = money(owed)

    def years(self, student: int) -> list[tuple[int, Decimal]]:
        """(academic year, owed) of the years the student owes something for, oldest first."""
        totals: dict[int, Decimal] = defaultdict(Decimal)
        for (year, _kind), owed in self.owed.get(student, {}).items():
            totals[year] += owed
        return sorted((year, owed) for year, owed in totals.items() if owed > 0)

    def allocate(self, student: int, year: int, amount: Decimal) -> list[Allocation]:
        """Split a payment for a year by kind of fee, tuition first, each kind up to what is
        owed for it; what is left (paid in advance or over) goes to tuition."""
        owed = self.owed[student]
        parts: dict[str, Decimal] = {}
        left = amount
        for kind in FEE_KIND_ORDER:
            due = owed.get((year, kind), Decimal(0))
            if left > 0 and due > 0:
                part = min(left, due)
                parts[kind] = part
                left -= part
        if left > 0:
            parts[FeeKind.TUITION] = parts.get(FeeKind.TUITION, Decimal(0)) + left
        allocations = []
        for kind in FEE_KIND_ORDER:
            if kind in parts:
                owed[(year, kind)] = owed.get((year, kind), Decimal(0)) - parts[kind]
                allocations.append(Allocation(year, kind, parts[kind]))
        return allocations


# --- Matching --------------------------------------------------------------------------------


@dataclass
class Outcome:
    line: PaymentLine
    status: str
    message: str = ""
    student: Student | None = None
    allocations: list[Allocation] = field(default_factory=list)


class Directory:
    """The students a file's rows name, found by current or old 学号 and by ID number, in
    three queries."""

    def __init__(self, lines: Sequence[PaymentLine]) -> None:
        numbers = {line.student_number for line in lines if line.student_number}
        ids = {line.id_number for line in lines if line.id_number and not line.problems}
        found: dict[int, Student] = {}
        for chunk in chunks(numbers):
            found.update((s.pk, s) for s in Student.objects.filter(student_number__in=chunk))
        for chunk in chunks(ids):
            found.update((s.pk, s) for s in Student.objects.filter(id_number__in=chunk))
        self.by_number: dict[str, Student] = {}
        self.by_id: dict[str, list[Student]] = defaultdict(list)
        for _pk, student in sorted(found.items()):
            if student.student_number in numbers:
                self.by_number[student.student_number] = student
            if student.id_number in ids:
                self.by_id[student.id_number].append(student)
        self.by_old_number: dict[str, list[Student]] = defaultdict(list)
        old = numbers - set(self.by_number)
        for chunk in chunks(old):
            changes = StudentNumberChange.objects.filter(old_number__in=chunk)
            for change in changes.select_related("student").order_by("pk"):
                if change.student not in self.by_old_number[change.old_number]:
                    self.by_old_number[change.old_number].append(change.student)

    def students(self) -> set[int]:
        pks = {s.pk for s in self.by_number.values()}
        pks.update(s.pk for group in self.by_id.values() for s in group)
        pks.update(s.pk for group in self.by_old_number.values() for s in group)
        return pks

    def find(self, line: PaymentLine) -> tuple[str, Student | None, str]:
        """(status, student, message): MATCHED with the student, or why not."""
        by_id = self.by_id.get(line.id_number, []) if line.id_number else []
        student = None
        if line.student_number:
            student = self.by_number.get(line.student_number)
            if student is None:
                old = self.by_old_number.get(line.student_number, [])
                if len(old) > 1:
                    return (
                        RowStatus.AMBIGUOUS,
                        None,
                        _("The old 学号 %(number)s was held by several students.")
                        % {"number": line.student_number},
                    )
                student = old[0] if old else None
            if student is not None and line.id_number and student.id_number != line.id_number:
                return (
                    RowStatus.AMBIGUOUS,
                    student,
                    _("The 学号 %(number)s is %(name)s's, but the ID number is not theirs.")
                    % {"number": line.student_number, "name": student.name},
                )
        if student is None:
            if not by_id:
                if line.student_number:
                    return (
                        RowStatus.UNMATCHED,
                        None,
                        _("No student has the 学号 %(number)s.") % {"number": line.student_number},
                    )
                return RowStatus.UNMATCHED, None, _("No student has this ID number.")
            if len(by_id) > 1:
                return (
                    RowStatus.AMBIGUOUS,
                    None,
                    _("%(count)d students have this ID number: %(numbers)s.")
                    % {"count": len(by_id), "numbers": ", ".join(s.student_number for s in by_id)},
                )
            student = by_id[0]
        if line.name and line.name != student.name:
            return (
                RowStatus.AMBIGUOUS,
                student,
                _("The name %(given)s is not the student's: %(number)s is %(name)s.")
                % {"given": line.name, "number": student.student_number, "name": student.name},
            )
        return RowStatus.MATCHED, student, ""


def match_amount(
    balances: Balances, student: Student, amount: Decimal
) -> tuple[str, list[Allocation]] | None:
    """The years (as text) and allocations of a payment that settles one year (the oldest
    first) or all that the student owes; None when it settles neither."""
    years = balances.years(student.pk)
    for year, owed in years:
        if owed == amount:
            return year_label(year), balances.allocate(student.pk, year, amount)
    if len(years) > 1 and sum(owed for _year, owed in years) == amount:
        allocations = []
        for year, owed in years:
            allocations.extend(balances.allocate(student.pk, year, owed))
        return ", ".join(year_label(year) for year, _owed in years), allocations
    return None


def _wrong_amount(balances: Balances, student: Student, amount: Decimal) -> str:
    years = balances.years(student.pk)
    if not years:
        return _("%(name)s owes nothing; %(amount)s cannot be matched.") % {
            "name": student.name, "amount": amount}  # fmt: skip
    if len(years) == 1:
        return _("%(amount)s is not what %(name)s owes: %(owed)s for %(year)s.") % {
            "amount": amount, "name": student.name, "owed": years[0][1],
            "year": year_label(years[0][0])}  # fmt: skip
    per_year = "; ".join(f"{year_label(year)}: {owed}" for year, owed in years)
    return _(
        "%(amount)s is neither what %(name)s owes for one year (%(owed)s) nor in all "
        "(%(total)s)."
    ) % {"amount": amount, "name": student.name, "owed": per_year,
         "total": sum(o for _y, o in years)}  # fmt: skip


@dataclass
class Seen:
    """Transaction numbers seen before: recorded payments, rows waiting or dismissed."""

    recorded: set[str]
    earlier_rows: dict[str, PaymentRow]

    @classmethod
    def load(cls, references: set[str]) -> "Seen":
        recorded: set[str] = set()
        for chunk in chunks(references):
            payments = FeeEntry.objects.filter(kind=EntryKind.PAYMENT, reference__in=chunk)
            recorded.update(payments.values_list("reference", flat=True))
        earlier: dict[str, PaymentRow] = {}
        for chunk in chunks(references - recorded):
            rows = PaymentRow.objects.filter(
                reference__in=chunk, status__in=(*WAITING, RowStatus.DISMISSED)
            ).select_related("payment_import")
            for row in rows.order_by("-pk"):
                earlier[row.reference] = row  # the first of them last, to be kept
        return cls(recorded, earlier)


def match_lines(lines: Sequence[PaymentLine], *, lock: bool = False) -> list[Outcome]:
    """What becomes of each row; `lock` (inside the import's transaction) locks the students
    found, so that a payment recorded by hand at the same time waits for the import."""
    directory = Directory(lines)
    student_ids = directory.students()
    if lock:
        for chunk in chunks(student_ids):
            locked = Student.objects.select_for_update().filter(pk__in=chunk).order_by("pk")
            list(locked.values_list("pk", flat=True))
    balances = Balances(student_ids)
    seen = Seen.load({line.reference for line in lines if line.reference})
    in_file: dict[str, int] = {}
    outcomes = []
    for line in lines:
        outcomes.append(_match(line, directory, balances, seen, in_file))
        if line.reference:
            in_file.setdefault(line.reference, line.row_number)
    return outcomes


def _match(
    line: PaymentLine, directory: Directory, balances: Balances, seen: Seen, in_file: dict[str, int]
) -> Outcome:
    if line.reference:
        if line.reference in seen.recorded:
            return Outcome(line, RowStatus.DUPLICATE, _("This transaction is already recorded."))
        if line.reference in in_file:
            return Outcome(line, RowStatus.DUPLICATE, _(
                "The same transaction number is in row %(row)d of this file."
            ) % {"row": in_file[line.reference]})  # fmt: skip
        if (earlier := seen.earlier_rows.get(line.reference)) is not None:
            return Outcome(line, RowStatus.DUPLICATE, _(
                "Already imported on %(date)s (row %(row)d), %(status)s there."
            ) % {
                "date": timezone.localtime(earlier.payment_import.imported_at).date(),
                "row": earlier.row_number, "status": earlier.get_status_display(),
            })  # fmt: skip
    if line.problems:
        return Outcome(line, RowStatus.INVALID, " ".join(line.problems))
    status, student, message = directory.find(line)
    if status != RowStatus.MATCHED or student is None:
        return Outcome(line, status, message, student)
    assert line.amount is not None
    matched = match_amount(balances, student, line.amount)
    if matched is None:
        return Outcome(
            line, RowStatus.WRONG_AMOUNT, _wrong_amount(balances, student, line.amount), student
        )
    years, allocations = matched
    return Outcome(line, RowStatus.MATCHED, years, student, allocations)
