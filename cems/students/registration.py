"""Writes for annual registration (缴费注册): each academic year a student in good standing is
registered once the year's tuition is paid, as their fee account shows it (charged, and
nothing of it owed: cems.finance.ledger.tuition_paid)."""

import logging
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cems.accounts.access import Capability, has_capability, students_for
from cems.accounts.models import User
from cems.core.audit import event
from cems.finance import ledger
from cems.finance.models import FeeKind
from cems.students.models import Registration, Student, StudentStatus
from cems.students.status import current_academic_year

audit = logging.getLogger("cems.audit")


def _tuition_error(student: Student, academic_year: int) -> str | None:
    if ledger.tuition_paid(student, academic_year):
        return None
    year = f"{academic_year}–{academic_year + 1}"
    owed = ledger.balance(student, academic_year=academic_year, fee_kind=FeeKind.TUITION)
    owed = owed.quantize(Decimal("0.01"))
    if owed > 0:
        return _(
            "%(name)s owes %(owed)s of tuition for %(year)s: it must be paid before registration."
        ) % {"name": student.name, "owed": owed, "year": year}
    return _(
        "No tuition has been charged to %(name)s for %(year)s: charge the year's fees, then "
        "record the payment, before registration."
    ) % {"name": student.name, "year": year}


def _registration_errors(student: Student, academic_year: int) -> list[str]:
    errors = []
    if (tuition := _tuition_error(student, academic_year)) is not None:
        errors.append(tuition)
    if student.status != StudentStatus.REGISTERED:
        errors.append(
            _("%(name)s is %(status)s; only students in good standing register.")
            % {"name": student.name, "status": student.get_status_display()}
        )
    if academic_year < student.cohort_year:
        errors.append(
            _("%(name)s belongs to the %(cohort)s cohort, later than the year %(year)s.")
            % {"name": student.name, "cohort": student.cohort_year, "year": academic_year}
        )
    if academic_year > current_academic_year() + 1:
        errors.append(
            _("Registration opens at most one academic year ahead (%(year)s).")
            % {"year": current_academic_year() + 1}
        )
    return errors


def _check_may_register(actor: User, students: list[Student]) -> None:
    if not has_capability(actor, Capability.MANAGE_REGISTRATIONS):
        raise PermissionDenied
    ids = {student.pk for student in students}
    if students_for(actor).filter(pk__in=ids).count() != len(ids):
        raise PermissionDenied


@transaction.atomic
def registration_record(*, actor: User, student: Student, academic_year: int) -> Registration:
    """Register a student for an academic year once the tuition is paid (缴费注册)."""
    return registration_record_many(actor=actor, students=[student], academic_year=academic_year)[0]


@transaction.atomic
def registration_record_many(
    *, actor: User, students: Iterable[Student], academic_year: int
) -> list[Registration]:
    """Register several paid students at once; if any of them cannot be, none is. The
    students are locked first, so that a refund recorded meanwhile waits for the check."""
    students = list(students)
    _check_may_register(actor, students)
    ids = list(dict.fromkeys(student.pk for student in students))
    locked = {
        s.pk: s for s in Student.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    already = set(
        Registration.objects.filter(student__in=ids, academic_year=academic_year).values_list(
            "student", flat=True
        )
    )
    errors: list[str] = []
    for pk in ids:
        student = locked[pk]
        if pk in already:
            errors.append(
                _("%(name)s is already registered for %(year)s.")
                % {"name": student.name, "year": academic_year}
            )
        errors.extend(_registration_errors(student, academic_year))
    if errors:
        raise ValidationError(errors)
    registrations = [
        Registration(
            student_id=pk, academic_year=academic_year, tuition_paid=True, registered_by=actor
        )
        for pk in ids
    ]
    Registration.objects.bulk_create(registrations)
    audit.info(
        "%d students registered for %s by %s",
        len(registrations),
        academic_year,
        actor.username,
        extra=event(
            actor,
            "student.register",
            "students.Registration",
            details={"year": academic_year, "students": list(ids)},
        ),
    )
    return registrations
