"""Writes of grades: entry (grid and sheet), submission, makeup exams, change requests and
retakes. Each write is one transaction holding the offering's row lock, checks the locks,
writes all or nothing and records every changed field in the grade history."""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cems.accounts.access import Capability, gradable_offerings_for, has_capability, offerings_for
from cems.accounts.models import User
from cems.catalog.models import GradingScale
from cems.core.audit import event
from cems.students.models import Student, StudentStatus
from cems.teaching import grading
from cems.teaching.models import (
    ChangeSource,
    CourseOffering,
    EnrollmentKind,
    Grade,
    GradeChange,
    GradeChangeRequest,
    OfferingStudent,
    RequestStatus,
    grade_writes,
)

audit = logging.getLogger("cems.audit")


def _require(actor: User, capability: Capability) -> None:
    if not has_capability(actor, capability):
        raise PermissionDenied


@dataclass(frozen=True)
class CellEdit:
    """One cell typed by a user: the roster entry, the field, the text typed, and the value
    the cell showed when the user began (`expected`), to detect a save made meanwhile."""

    entry_id: int
    field: str
    text: str
    expected: str | None = None  # None: no conflict check (e.g. an approved change request)


@dataclass
class CellError:
    entry_id: int
    field: str
    message: str
    current: str | None = None  # set for a conflict: the value saved meanwhile


@dataclass
class GradeEntryError(Exception):
    """Cells that could not be saved; nothing was written."""

    errors: list[CellError] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"{e.entry_id}/{e.field}: {e.message}" for e in self.errors)


@dataclass
class SavedCell:
    entry_id: int
    field: str
    value: str
    grade: Grade


def _locked_offering(actor: User, offering_id: int) -> CourseOffering:
    """The offering, row-locked until the transaction ends, if the actor grades it; saves,
    submissions and decisions on one offering queue behind each other."""
    offering = (
        gradable_offerings_for(actor)
        .select_for_update(of=("self",))
        .select_related("plan_course__course")
        .filter(pk=offering_id)
        .first()
    )
    if offering is None:
        raise PermissionDenied
    return offering


def scale_of(offering: CourseOffering) -> tuple[str, int]:
    course = offering.plan_course.course
    return course.grading_scale, course.coursework_weight


def derive(grade: Grade, scale: str, weight: int, *, with_makeup: bool) -> None:
    """Recompute what a grade's fields come to: the weighted total, passed, and the final
    result, which takes the makeup exam into account once its results are submitted."""
    if scale == GradingScale.PERCENT and weight:
        grade.score = grading.weighted_total(grade.coursework, grade.exam, weight)
    original = grading.outcome(scale, score=grade.score, level=grade.level, mark=grade.mark)
    makeup = grading.NO_RESULT
    if with_makeup and makeup_eligible(grade) and grade.passed is False:
        makeup = grading.outcome(
            scale, score=grade.makeup_score, level=grade.makeup_level, mark=grade.makeup_mark
        )
    result = grading.final(original, makeup)
    grade.passed = original.passed
    grade.final_passed = result.passed
    grade.final_numeric = result.numeric


def makeup_eligible(grade: Grade | None) -> bool:
    """Failed, and not for cheating (a student caught cheating retakes the course)."""
    return grade is not None and grade.passed is False and grade.mark != grading.Mark.CHEATING


def _phase_error(offering: CourseOffering, grade: Grade | None, name: str) -> str | None:
    """Why this field of this grade may not be edited now, or None."""
    if name in grading.ORIGINAL_FIELDS:
        if offering.grades_locked:
            return _("The grades are submitted and locked; request a change instead.")
        return None
    if not offering.grades_locked:
        return _("Makeup results are entered after the grades are submitted.")
    if offering.makeup_locked:
        return _("The makeup results are submitted and locked; request a change instead.")
    if not makeup_eligible(grade):
        return _("This student has no makeup exam.")
    return None


def _write(
    *,
    actor: User,
    offering: CourseOffering,
    edits: Sequence[CellEdit],
    source: str,
    reason: str = "",
    check_phase: bool = True,
) -> list[SavedCell]:
    """Validate every edit, then write them all, or raise GradeEntryError and write none.
    The caller holds the offering's row lock."""
    scale, weight = scale_of(offering)
    allowed = set(grading.entry_fields(scale, weight))
    allowed |= set(grading.entry_fields(scale, weight, makeup=True))
    entries = {
        entry.pk: entry
        for entry in OfferingStudent.objects.filter(
            offering=offering, pk__in={e.entry_id for e in edits}
        ).select_related("grade")
    }
    grades: dict[int, Grade] = {}
    errors: list[CellError] = []
    parsed: list[tuple[CellEdit, Decimal | str | None]] = []
    for edit in edits:
        entry = entries.get(edit.entry_id)
        if entry is None:
            errors.append(
                CellError(edit.entry_id, edit.field, _("Not a student of this offering."))
            )
            continue
        if edit.field not in allowed:
            errors.append(CellError(edit.entry_id, edit.field, _("This course has no such field.")))
            continue
        grade = grades.get(entry.pk) or getattr(entry, "grade", None) or Grade(entry=entry)
        grades[entry.pk] = grade
        if check_phase and (problem := _phase_error(offering, grade, edit.field)):
            errors.append(CellError(edit.entry_id, edit.field, problem))
            continue
        try:
            value = grading.parse_cell(scale, edit.field, edit.text)
        except ValidationError as error:
            errors.append(CellError(edit.entry_id, edit.field, " ".join(error.messages)))
            continue
        current = grading.show(getattr(grade, edit.field))
        if (
            edit.expected is not None
            and current != edit.expected
            and current != grading.show(value)
        ):
            errors.append(
                CellError(
                    edit.entry_id,
                    edit.field,
                    _("Someone else saved %(value)s here meanwhile.")
                    % {"value": current or _("an empty cell")},
                    current=current,
                )
            )
            continue
        parsed.append((edit, value))
    if errors:
        raise GradeEntryError(errors)

    saved: list[SavedCell] = []
    changes: list[GradeChange] = []
    touched: dict[int, Grade] = {}
    for edit, value in parsed:
        grade = grades[edit.entry_id]
        old = grading.show(getattr(grade, edit.field))
        new = grading.show(value)
        saved.append(SavedCell(edit.entry_id, edit.field, new, grade))
        if old == new:
            continue
        setattr(grade, edit.field, value)
        touched[edit.entry_id] = grade
        changes.append(
            GradeChange(
                grade=grade,
                offering=offering,
                field=edit.field,
                old_value=old,
                new_value=new,
                source=source,
                reason=reason,
                changed_by=actor,
            )
        )
    with grade_writes():
        for grade in touched.values():
            derive(grade, scale, weight, with_makeup=offering.makeup_locked)
            grade.updated_by = actor
            grade.save()
    GradeChange.objects.bulk_create(changes)
    return saved


@transaction.atomic
def grades_save(
    *, actor: User, offering_id: int, edits: Sequence[CellEdit], source: str = ChangeSource.GRID
) -> list[SavedCell]:
    """Save typed cells of an offering's grid or sheet: all of them, or none with every
    rejected cell named (GradeEntryError). A cell saved by someone else since the user
    loaded it is a conflict, not overwritten."""
    _require(actor, Capability.ENTER_GRADES)
    offering = _locked_offering(actor, offering_id)
    saved = _write(actor=actor, offering=offering, edits=edits, source=source)
    audit.info(
        "offering %s: %d grade cells saved by %s (%s)",
        offering.pk, len(saved), actor.username, source,
        extra=event(actor, "grade.save", offering,
                    details={"source": source,
                             "cells": [[c.entry_id, c.field, c.value] for c in saved]}),
    )  # fmt: skip
    return saved


def missing_grades(offering: CourseOffering, *, makeup: bool = False) -> QuerySet[OfferingStudent]:
    """The roster entries still without a result (or, for the makeup, without a makeup
    result among those who take it)."""
    roster = offering.roster.all()
    if not makeup:
        return roster.filter(Q(grade=None) | Q(grade__passed=None))
    scale, _weight = scale_of(offering)
    eligible = roster.filter(grade__passed=False).exclude(grade__mark=grading.Mark.CHEATING)
    has_result = Q(grade__makeup_mark__gt="")
    if scale == GradingScale.PERCENT:
        has_result |= Q(grade__makeup_score__isnull=False)
    else:
        has_result |= Q(grade__makeup_level__gt="")
    return eligible.exclude(has_result)


def _missing_message(missing: QuerySet[OfferingStudent]) -> str:
    numbers = list(missing.order_by("student__student_number")
                   .values_list("student__student_number", flat=True)[:5])  # fmt: skip
    count = missing.count()
    return _("%(count)d students have no result yet: %(numbers)s%(more)s.") % {
        "count": count,
        "numbers": ", ".join(numbers),
        "more": " …" if count > len(numbers) else "",
    }


@transaction.atomic
def grades_submit(*, actor: User, offering_id: int) -> CourseOffering:
    """Submit the offering's grades: every student needs a result; then they are locked and
    the failed students form the makeup list."""
    _require(actor, Capability.ENTER_GRADES)
    offering = _locked_offering(actor, offering_id)
    if offering.grades_locked:
        raise ValidationError(_("The grades are already submitted."))
    if not offering.roster.exists():
        raise ValidationError(_("The offering has no students."))
    missing = missing_grades(offering)
    if missing.exists():
        raise ValidationError(_missing_message(missing))
    offering.grades_submitted_at = timezone.now()
    offering.grades_submitted_by = actor
    offering.save(update_fields=["grades_submitted_at", "grades_submitted_by"])
    audit.info(
        "offering %s: grades submitted by %s",
        offering.pk,
        actor.username,
        extra=event(actor, "grade.submit", offering),
    )
    return offering


@transaction.atomic
def makeup_submit(*, actor: User, offering_id: int) -> CourseOffering:
    """Submit the makeup results: every student on the makeup list needs one; then locked."""
    _require(actor, Capability.ENTER_GRADES)
    offering = _locked_offering(actor, offering_id)
    if not offering.grades_locked:
        raise ValidationError(_("Submit the grades before the makeup results."))
    if offering.makeup_locked:
        raise ValidationError(_("The makeup results are already submitted."))
    missing = missing_grades(offering, makeup=True)
    if missing.exists():
        raise ValidationError(_missing_message(missing))
    offering.makeup_submitted_at = timezone.now()
    offering.makeup_submitted_by = actor
    offering.save(update_fields=["makeup_submitted_at", "makeup_submitted_by"])
    # The makeup results now count in the final grades.
    scale, weight = scale_of(offering)
    grades = list(Grade.objects.filter(entry__offering=offering, passed=False))
    for grade in grades:
        derive(grade, scale, weight, with_makeup=True)
    with grade_writes():
        Grade.objects.bulk_update(grades, ["final_passed", "final_numeric"])
    audit.info(
        "offering %s: makeup results submitted by %s",
        offering.pk,
        actor.username,
        extra=event(actor, "grade.makeup_submit", offering),
    )
    return offering


# --- Change requests -------------------------------------------------------------------------


def _changeable_fields(offering: CourseOffering) -> set[str]:
    """The fields a change request may touch: the original grade once submitted, the makeup
    result once that is submitted too (before, it is simply edited)."""
    scale, weight = scale_of(offering)
    fields = set(grading.entry_fields(scale, weight)) if offering.grades_locked else set()
    if offering.makeup_locked:
        fields |= set(grading.entry_fields(scale, weight, makeup=True))
    return fields


@transaction.atomic
def change_request_file(
    *, actor: User, offering_id: int, entry_id: int, changes: dict[str, str], reason: str
) -> GradeChangeRequest:
    """Ask for a change of a submitted grade: the new values (as typed) and the reason."""
    _require(actor, Capability.ENTER_GRADES)
    offering = _locked_offering(actor, offering_id)
    reason = reason.strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors.setdefault("reason", []).append(_("Give the reason for the change."))
    grade = Grade.objects.filter(entry__offering=offering, entry_id=entry_id).first()
    if grade is None:
        raise ValidationError(_("This student has no submitted grade."))
    allowed = _changeable_fields(offering)
    scale, _weight = scale_of(offering)
    proposed: dict[str, dict[str, str]] = {}
    for name, text in changes.items():
        if name not in allowed:
            errors.setdefault(name, []).append(_("This result cannot be changed by request."))
            continue
        try:
            value = grading.show(grading.parse_cell(scale, name, text))
        except ValidationError as error:
            errors.setdefault(name, []).extend(error.messages)
            continue
        current = grading.show(getattr(grade, name))
        if value != current:
            proposed[name] = {"from": current, "to": value}
    if not proposed and not errors:
        errors.setdefault("__all__", []).append(_("The request changes nothing."))
    if errors:
        raise ValidationError(errors)
    request = GradeChangeRequest(
        grade=grade, offering=offering, changes=proposed, reason=reason, requested_by=actor
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise ValidationError(_("This grade already has a pending change request.")) from None
    audit.info(
        "grade %s: change request %s filed by %s",
        grade.pk,
        request.pk,
        actor.username,
        extra=event(
            actor, "grade.change_request", request, reason=request.reason, details=request.changes
        ),
    )
    return request


@transaction.atomic
def change_request_decide(
    *, actor: User, request_id: int, approve: bool, note: str = ""
) -> GradeChangeRequest:
    """Approve (apply the change, recorded in the history with the request's reason) or
    reject a pending request. Nobody decides their own request."""
    _require(actor, Capability.APPROVE_GRADE_CHANGES)
    pending = GradeChangeRequest.objects.filter(pk=request_id).values_list("offering", flat=True)
    offering_id = pending.first()
    if offering_id is None:
        raise PermissionDenied
    offering = (
        CourseOffering.objects.select_for_update(of=("self",))
        .select_related("plan_course__course")
        .get(pk=offering_id)
    )
    request = GradeChangeRequest.objects.select_for_update().get(pk=request_id)
    if request.status != RequestStatus.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if request.requested_by_id == actor.pk:
        raise ValidationError(_("A request is decided by someone other than its author."))
    if approve:
        edits = [
            CellEdit(request.grade_id, name, change["to"], expected=change["from"])
            for name, change in request.changes.items()
        ]
        try:
            _write(
                actor=actor, offering=offering, edits=edits, source=ChangeSource.REQUEST,
                reason=request.reason, check_phase=False,
            )  # fmt: skip
        except GradeEntryError as error:
            raise ValidationError(
                _("The grade has changed since the request: %(errors)s")
                % {"errors": "; ".join(e.message for e in error.errors)}
            ) from None
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note.strip()
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.info(
        "grade change request %s %s by %s",
        request.pk,
        request.status,
        actor.username,
        extra=event(
            actor,
            f"grade.change_{request.status}",
            request.grade,
            reason=request.reason,
            details={"request": request.pk, "changes": request.changes},
        ),
    )
    return request


# --- Retakes ---------------------------------------------------------------------------------


def retake_candidates(offering: CourseOffering) -> QuerySet[Student]:
    """Registered students who finally failed this course in an earlier term (after the
    makeup exam, or caught cheating) and have not passed it since, not on this roster."""
    course = offering.plan_course.course_id
    attempts = Grade.objects.filter(
        entry__offering__plan_course__course=course,
        entry__offering__grades_submitted_at__isnull=False,
    )
    failed = attempts.filter(
        final_passed=False, entry__offering__term__start_date__lt=offering.term.start_date
    ).filter(Q(entry__offering__makeup_submitted_at__isnull=False) | Q(mark=grading.Mark.CHEATING))
    passed = attempts.filter(final_passed=True)
    return (
        Student.objects.filter(
            status=StudentStatus.REGISTERED, pk__in=failed.values("entry__student")
        )
        .exclude(pk__in=passed.values("entry__student"))
        .exclude(pk__in=offering.roster.values("student"))
        .select_related("station", "student_class")
        .order_by("student_number")
    )


@transaction.atomic
def retake_enroll(*, actor: User, offering_id: int, student_ids: Iterable[int]) -> int:
    """Put students who failed the course earlier on a later offering's roster as retakes."""
    _require(actor, Capability.ENROLL_RETAKES)
    offering = (
        offerings_for(actor)
        .select_for_update(of=("self",))
        .select_related("plan_course", "term")
        .filter(pk=offering_id)
        .first()
    )
    if offering is None:
        raise PermissionDenied
    if offering.grades_locked:
        raise ValidationError(_("The offering's grades are submitted; choose a later offering."))
    wanted = set(student_ids)
    if not wanted:
        raise ValidationError(_("Choose at least one student."))
    eligible = set(retake_candidates(offering).filter(pk__in=wanted).values_list("pk", flat=True))
    if stray := wanted - eligible:
        raise ValidationError(
            _("%(count)d of the chosen students cannot retake this course here.")
            % {"count": len(stray)}
        )
    OfferingStudent.objects.bulk_create(
        OfferingStudent(offering=offering, student_id=pk, kind=EnrollmentKind.RETAKE)
        for pk in sorted(eligible)
    )
    audit.info(
        "offering %s: %d retake students added by %s",
        offering.pk,
        len(eligible),
        actor.username,
        extra=event(actor, "grade.retake_add", offering),
    )
    return len(eligible)
