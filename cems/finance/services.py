"""Writes of fee accounts: fee items, charges raised for a cohort, payments, refunds and
waivers recorded by hand, payment imports and the resolution of the rows they leave.

Each service checks that the actor may manage fees (and sees the student), validates, and
writes in one transaction; payments and refunds lock the student's row, so that what is
checked against the balance (a refund no more than paid) holds when it is written."""

import datetime as dt
import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as _noop

from cems.accounts.access import Capability, fee_students_for, has_capability
from cems.accounts.models import User
from cems.admissions.issues import ImportStopped, clean
from cems.catalog.models import Program
from cems.core.audit import event
from cems.core.bulk import bulk_insert, db_value
from cems.core.services import assign_changed
from cems.finance import payments
from cems.finance.ledger import ZERO, balance
from cems.finance.models import (
    EntryKind,
    FeeEntry,
    FeeItem,
    PaymentImport,
    PaymentRow,
    RowStatus,
)
from cems.students.models import Student, StudentStatus

audit = logging.getLogger("cems.audit")

# The statuses whose students are charged by default; suspended students may be added.
CHARGED_STATUSES = (StudentStatus.REGISTERED,)
COUNT_KEYS = ("rows", *(status.value for status in RowStatus if status not in
              (RowStatus.RESOLVED, RowStatus.DISMISSED)))  # fmt: skip


def _require_manager(actor: User) -> None:
    if not has_capability(actor, Capability.MANAGE_FEES):
        raise PermissionDenied


def _check_money(amount: Decimal, field: str = "amount") -> None:
    if amount <= 0:
        raise ValidationError({field: _("The amount must be positive.")})
    if amount != amount.quantize(payments.CENT):
        raise ValidationError({field: _("The amount has at most two decimals.")})


# --- Fee items -------------------------------------------------------------------------------

ITEM_FIELDS = ("program", "academic_year", "kind", "name", "amount")
# Once charged, an item's charges carry its amount: only its name may still change.
CHARGED_ITEM_FIELDS = ("name",)


@transaction.atomic
def fee_item_create(
    *, actor: User, program: Program, academic_year: int, kind: str, name: str, amount: Decimal
) -> FeeItem:
    _require_manager(actor)
    item = FeeItem(
        program=program, academic_year=academic_year, kind=kind, name=name, amount=amount
    )
    item.full_clean()
    item.save()
    audit.info(
        "fee item %s created by %s: %s",
        item.pk,
        actor.username,
        item,
        extra=event(actor, "fee_item.create", item),
    )
    return item


@transaction.atomic
def fee_item_update(*, actor: User, item: FeeItem, data: dict[str, Any]) -> FeeItem:
    _require_manager(actor)
    item = FeeItem.objects.select_for_update().get(pk=item.pk)
    charged = item.entries.exists()
    changed = assign_changed(item, data, ITEM_FIELDS)
    if charged and (frozen := [f for f in changed if f not in CHARGED_ITEM_FIELDS]):
        labels = {"program": _("program"), "academic_year": _("academic year"),
                  "kind": _("kind"), "amount": _("amount")}  # fmt: skip
        raise ValidationError(
            _("This fee has been charged to students; only its name can change now "
              "(not: %(fields)s). Add another fee item, or waive a part by hand.")
            % {"fields": ", ".join(labels[f] for f in frozen)}
        )  # fmt: skip
    if changed:
        item.full_clean()
        item.save(update_fields=changed)
        audit.info(
            "fee item %s changed by %s: %s",
            item.pk,
            actor.username,
            changed,
            extra=event(actor, "fee_item.change", item, details={"fields": changed}),
        )
    return item


# --- Charges ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChargeResult:
    students: int  # the students of the cohort charged (or already charged)
    items: int  # the fee items of the programs and year
    created: int  # charges written now
    already: int  # charges found already written
    without_items: int  # students whose program has no fee item for the year


@transaction.atomic
def charges_raise(
    *,
    actor: User,
    program: Program | None,
    cohort_year: int,
    academic_year: int,
    include_suspended: bool = False,
    booked_on: dt.date | None = None,
) -> ChargeResult:
    """Charge every fee item of the academic year to each student of a cohort (of one
    program, or of all), once: charges already raised are counted, not written again."""
    _require_manager(actor)
    booked_on = booked_on or timezone.localdate()
    statuses = [*CHARGED_STATUSES, *([StudentStatus.SUSPENDED] if include_suspended else [])]
    items = FeeItem.objects.filter(academic_year=academic_year)
    students = Student.objects.filter(cohort_year=cohort_year, status__in=statuses)
    if program is not None:
        items = items.filter(program=program)
        students = students.filter(program=program)
    # Two raises of the same items wait for each other instead of colliding on a charge.
    by_program: dict[int, list[FeeItem]] = defaultdict(list)
    for item in items.select_for_update().order_by("pk"):
        by_program[item.program_id].append(item)
    members = list(students.order_by("pk").values_list("pk", "program_id"))
    charged = set(
        FeeEntry.objects.filter(
            kind=EntryKind.CHARGE,
            fee_item__in=[i.pk for group in by_program.values() for i in group],
            student__in=students,
        ).values_list("student", "fee_item")
    )
    counts = {"created": 0, "already": 0, "without": 0}
    now = db_value(FeeEntry, "created_at", timezone.now())

    def rows() -> Iterator[tuple[Any, ...]]:
        for student, program_id in members:
            group = by_program.get(program_id, [])
            if not group:
                counts["without"] += 1
            for item in group:
                if (student, item.pk) in charged:
                    counts["already"] += 1
                    continue
                counts["created"] += 1
                yield (student, academic_year, EntryKind.CHARGE.value, item.kind, item.pk,
                       item.amount, booked_on.isoformat(), "", "", actor.pk, now)  # fmt: skip

    fields = ("student", "academic_year", "kind", "fee_kind", "fee_item", "amount",
              "booked_on", "reference", "note", "created_by", "created_at")  # fmt: skip
    bulk_insert(FeeEntry, fields, rows())
    result = ChargeResult(
        students=len(members),
        items=sum(len(group) for group in by_program.values()),
        created=counts["created"],
        already=counts["already"],
        without_items=counts["without"],
    )
    audit.info(
        "charges for cohort %s, %s, program %s raised by %s: %s",
        cohort_year, academic_year, program.pk if program else "all", actor.username, result,
        extra=event(actor, "fee.charges", program or "finance.FeeEntry",
                    details={"cohort": cohort_year, "year": academic_year}),
    )  # fmt: skip
    return result


# --- Entries by hand -------------------------------------------------------------------------

HAND_KINDS = (EntryKind.PAYMENT, EntryKind.REFUND, EntryKind.WAIVER)


def _paid(student: Student, academic_year: int, fee_kind: str) -> Decimal:
    """Paid for a year and kind of fee, less what was refunded."""
    totals = FeeEntry.objects.filter(
        student=student, academic_year=academic_year, fee_kind=fee_kind
    ).aggregate(
        paid=Sum("amount", filter=Q(kind=EntryKind.PAYMENT)),
        refunded=Sum("amount", filter=Q(kind=EntryKind.REFUND)),
    )
    return (totals["paid"] or ZERO) - (totals["refunded"] or ZERO)


def reference_taken(reference: str) -> bool:
    return FeeEntry.objects.filter(kind=EntryKind.PAYMENT, reference=reference).exists()


@transaction.atomic
def entry_record(
    *,
    actor: User,
    student: Student,
    kind: str,
    academic_year: int,
    fee_kind: str,
    amount: Decimal,
    booked_on: dt.date,
    reference: str = "",
    note: str = "",
) -> FeeEntry:
    """Record a payment, refund or waiver on a student's account."""
    _require_manager(actor)
    if kind not in HAND_KINDS:
        raise ValidationError(_("Charges are raised from fee items, not recorded by hand."))
    if not fee_students_for(actor).filter(pk=student.pk).exists():
        raise PermissionDenied
    student = Student.objects.select_for_update().get(pk=student.pk)
    _check_money(amount)
    reference = reference.strip()
    if kind == EntryKind.PAYMENT:
        if not reference:
            raise ValidationError(
                {"reference": _("A payment needs its transaction or receipt number.")}
            )
        if reference_taken(reference):
            raise ValidationError(
                {"reference": _("A payment with the transaction number %(reference)s is "
                                "already recorded.") % {"reference": reference}}
            )  # fmt: skip
    elif kind == EntryKind.REFUND:
        paid = _paid(student, academic_year, fee_kind)
        if amount > paid:
            raise ValidationError(
                {"amount": _("A refund is at most what was paid: %(paid)s for this year and "
                             "fee.") % {"paid": payments.money(paid)}}
            )  # fmt: skip
    else:
        owed = balance(student, academic_year=academic_year, fee_kind=fee_kind)
        if amount > owed:
            raise ValidationError(
                {"amount": _("A waiver is at most what is owed: %(owed)s for this year and "
                             "fee.") % {"owed": payments.money(max(owed, ZERO))}}
            )  # fmt: skip
    entry = FeeEntry(
        student=student,
        academic_year=academic_year,
        kind=kind,
        fee_kind=fee_kind,
        amount=amount,
        booked_on=booked_on,
        reference=reference,
        note=note.strip(),
        created_by=actor,
    )
    entry.full_clean()
    entry.save()
    audit.info(
        "%s of %s for %s (%s) recorded by %s on student %s",
        kind, amount, academic_year, fee_kind, actor.username, student.pk,
        extra=event(actor, f"fee.{kind}", student,
                    details={"entry": entry.pk, "amount": amount, "year": academic_year,
                             "fee_kind": fee_kind}),
    )  # fmt: skip
    return entry


# --- Payment imports -------------------------------------------------------------------------


def _counts(outcomes: list[payments.Outcome]) -> dict[str, Any]:
    counts: dict[str, Any] = dict.fromkeys(COUNT_KEYS, 0)
    counts["rows"] = len(outcomes)
    recorded = ZERO
    for outcome in outcomes:
        counts[outcome.status] += 1
        recorded += sum((a.amount for a in outcome.allocations), ZERO)
    counts["recorded_amount"] = str(recorded)
    return counts


def waiting_count(counts: dict[str, Any]) -> int:
    return sum(int(counts.get(status, 0)) for status in payments.WAITING)


def payment_import(*, data: bytes, file_name: str, actor: User) -> PaymentImport:
    """Read a payment file, match its rows and record the payments they settle, all in one
    transaction; every row is kept with its status. Raises ImportStopped (nothing written)
    for a file that cannot be read or lacks a column."""
    _require_manager(actor)
    read = payments.read_payment_file(data, file_name)
    try:
        with transaction.atomic():
            outcomes = payments.match_lines(read.lines, lock=True)
            record = PaymentImport.objects.create(
                file_name=clean(PurePath(file_name).name)[:255] or "upload",
                file_sha256=hashlib.sha256(data).hexdigest(),
                imported_by=actor,
                counts=_counts(outcomes),
            )
            _write_outcomes(record, outcomes, actor)
    except IntegrityError as error:
        raise ImportStopped(
            _noop("Another import or a payment by hand recorded some of these transactions at "
                  "the same time; nothing was written. Import the file again.")
        ) from error  # fmt: skip
    audit.info(
        "payment import %s (%s) by %s: %s", record.pk, record.file_name, actor.username,
        record.counts, extra=event(actor, "fee.import", record, details=record.counts),
    )  # fmt: skip
    return record


def _write_outcomes(record: PaymentImport, outcomes: list[payments.Outcome], actor: User) -> None:
    entries: list[FeeEntry] = []
    first_entry: dict[int, int] = {}  # outcome index -> index of its first entry
    for index, outcome in enumerate(outcomes):
        line = outcome.line
        for allocation in outcome.allocations:
            assert outcome.student is not None
            assert line.paid_on is not None
            first_entry.setdefault(index, len(entries))
            entries.append(
                FeeEntry(
                    student=outcome.student,
                    academic_year=allocation.academic_year,
                    kind=EntryKind.PAYMENT,
                    fee_kind=allocation.fee_kind,
                    amount=allocation.amount,
                    booked_on=line.paid_on,
                    reference=line.reference,
                    payment_import=record,
                    created_by=actor,
                )
            )
    FeeEntry.objects.bulk_create(entries, batch_size=1000)
    rows = []
    for index, outcome in enumerate(outcomes):
        line = outcome.line
        position = first_entry.get(index)
        rows.append(
            PaymentRow(
                payment_import=record,
                row_number=line.row_number,
                reference=line.reference,
                student_number=line.student_number,
                id_number=line.id_number,
                name=line.name,
                amount=line.amount,
                paid_on=line.paid_on,
                status=outcome.status,
                message=clean(outcome.message)[:300],
                student=outcome.student,
                entry=entries[position] if position is not None else None,
            )
        )
    PaymentRow.objects.bulk_create(rows, batch_size=1000)


def _waiting_row(row: PaymentRow, allowed: tuple[str, ...]) -> PaymentRow:
    locked = PaymentRow.objects.select_for_update().get(pk=row.pk)
    if locked.status not in allowed:
        raise ValidationError(
            _("This row is %(status)s: nothing is left to do with it.")
            % {"status": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def payment_row_resolve(
    *, actor: User, row: PaymentRow, student: Student, academic_year: int, note: str = ""
) -> PaymentRow:
    """Record a waiting row's payment for the student and academic year a person chose."""
    _require_manager(actor)
    if not fee_students_for(actor).filter(pk=student.pk).exists():
        raise PermissionDenied
    row = _waiting_row(row, payments.RESOLVABLE)
    if row.amount is None or row.paid_on is None or not row.reference:
        raise ValidationError(_("This row has no valid amount, date or transaction number."))
    student = Student.objects.select_for_update().get(pk=student.pk)
    if reference_taken(row.reference):
        raise ValidationError(
            _("A payment with the transaction number %(reference)s is already recorded; "
              "dismiss this row.") % {"reference": row.reference}
        )  # fmt: skip
    balances = payments.Balances([student.pk])
    entries = [
        FeeEntry(
            student=student,
            academic_year=allocation.academic_year,
            kind=EntryKind.PAYMENT,
            fee_kind=allocation.fee_kind,
            amount=allocation.amount,
            booked_on=row.paid_on,
            reference=row.reference,
            note=note.strip()[:200],
            payment_import_id=row.payment_import_id,
            created_by=actor,
        )
        for allocation in balances.allocate(student.pk, academic_year, row.amount)
    ]
    for entry in entries:
        entry.full_clean(validate_constraints=False)
    FeeEntry.objects.bulk_create(entries)
    row.status = RowStatus.RESOLVED
    row.student = student
    row.entry = entries[0]
    row.resolved_by = actor
    row.resolved_at = timezone.now()
    row.note = note.strip()[:200]
    row.save(update_fields=["status", "student", "entry", "resolved_by", "resolved_at", "note"])
    audit.info(
        "payment row %s resolved by %s: student %s, %s", row.pk, actor.username, student.pk,
        academic_year,
        extra=event(actor, "fee.import_resolve", student,
                    details={"row": row.pk, "year": academic_year}),
    )  # fmt: skip
    return row


@transaction.atomic
def payment_row_dismiss(*, actor: User, row: PaymentRow, note: str) -> PaymentRow:
    """Set a waiting row aside (not a payment to us, recorded otherwise, ...), saying why."""
    _require_manager(actor)
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Say why the row is dismissed.")})
    row = _waiting_row(row, payments.WAITING)
    row.status = RowStatus.DISMISSED
    row.resolved_by = actor
    row.resolved_at = timezone.now()
    row.note = note[:200]
    row.save(update_fields=["status", "resolved_by", "resolved_at", "note"])
    audit.info(
        "payment row %s dismissed by %s",
        row.pk,
        actor.username,
        extra=event(actor, "fee.import_dismiss", row),
    )
    return row
