"""Writes for status changes (学籍异动); annual registration is in registration.py.

A request is filed with the rules of its kind, approved step by step (the student's station,
for a change of station also the receiving station, then academic affairs) and applied on
the final approval in the same transaction, after the rules have been checked again: the
student may have changed in between. Dates count from the academic year, which starts on
the 1st of settings.CEMS_ACADEMIC_YEAR_START_MONTH (September); so do a cohort's studies.
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cems.accounts.access import Capability, has_capability, students_for
from cems.accounts.models import Role, User
from cems.catalog.models import Level
from cems.core.audit import event
from cems.core.masking import mask_birth_date
from cems.core.models import PersonalDataLog
from cems.students.models import (
    ApprovalStep,
    RequestState,
    StatusChangeApproval,
    StatusChangeKind,
    StatusChangeRequest,
    Student,
    StudentStatus,
)
from cems.students.services import student_class_for, student_renumber

audit = logging.getLogger("cems.audit")

Kind = StatusChangeKind

# Approval chains: the station first, then the school; a change of station also needs the
# receiving station's consent in between.
STEP_STATE = {
    ApprovalStep.STATION: RequestState.PENDING_STATION,
    ApprovalStep.TARGET_STATION: RequestState.PENDING_TARGET_STATION,
    ApprovalStep.SCHOOL: RequestState.PENDING_SCHOOL,
}
STATE_STEP = {state: step for step, state in STEP_STATE.items()}
PENDING_STATES = tuple(STATE_STEP)
DEFAULT_CHAIN = (ApprovalStep.STATION, ApprovalStep.SCHOOL)
CHAINS = {Kind.CHANGE_STATION: (ApprovalStep.STATION, ApprovalStep.TARGET_STATION,
                                ApprovalStep.SCHOOL)}  # fmt: skip

# What a student may file for themselves (in the portal); station staff file every kind.
STUDENT_KINDS = (Kind.SUSPEND, Kind.WITHDRAW)

# The statuses from which each kind of change is possible.
ACTIVE = (StudentStatus.REGISTERED, StudentStatus.SUSPENDED, StudentStatus.DEFERRED)
ALLOWED_STATUSES: dict[str, tuple[StudentStatus, ...]] = {
    Kind.DEFER: (StudentStatus.REGISTERED,),
    Kind.SUSPEND: (StudentStatus.REGISTERED,),
    Kind.RESUME: (StudentStatus.SUSPENDED,),
    Kind.WITHDRAW: ACTIVE,
    Kind.CHANGE_MAJOR: (StudentStatus.REGISTERED,),
    Kind.CHANGE_MODE: (StudentStatus.REGISTERED,),
    Kind.CHANGE_STATION: (StudentStatus.REGISTERED,),
    Kind.TRANSFER: (StudentStatus.REGISTERED,),
    Kind.CORRECT_DATA: tuple(StudentStatus),
}

# The details each kind carries besides its reason; anything else passed is refused.
PAYLOAD_FIELDS: dict[str, tuple[str, ...]] = {
    Kind.SUSPEND: ("start_date", "end_date"),
    Kind.CHANGE_MAJOR: ("new_program",),
    Kind.CHANGE_MODE: ("new_program",),
    Kind.CHANGE_STATION: ("new_station",),
    Kind.TRANSFER: ("target_school", "target_level"),
    Kind.CORRECT_DATA: ("corrections",),
}
ALL_PAYLOAD_FIELDS = frozenset(name for names in PAYLOAD_FIELDS.values() for name in names)
CORRECTABLE_FIELDS = ("name", "gender", "id_number", "birth_date", "ethnicity", "phone")

Errors = dict[str, list[str]]


# --- Dates ----------------------------------------------------------------------------------


def today() -> dt.date:
    """The date the rules are checked on (tests replace it)."""
    return timezone.localdate()


def academic_year_of(day: dt.date) -> int:
    """The year an academic year starts in: 2026 for 1 Sept 2026 – 31 Aug 2027."""
    return day.year if day.month >= settings.CEMS_ACADEMIC_YEAR_START_MONTH else day.year - 1


def current_academic_year() -> int:
    return academic_year_of(today())


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), the month's last day at most; beyond the
    years a date can hold, the last (or first) date there is."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if year > dt.MAXYEAR:
        return dt.date.max
    if year < dt.MINYEAR:
        return dt.date.min
    last_day = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last_day))


def _years_in_months(years: Decimal | int) -> int:
    return int((Decimal(years) * 12).to_integral_value())


def study_start(cohort_year: int) -> dt.date:
    return dt.date(cohort_year, settings.CEMS_ACADEMIC_YEAR_START_MONTH, 1)


def standard_end(student: Student) -> dt.date:
    """When the standard length of the student's program is over."""
    return add_months(
        study_start(student.cohort_year), _years_in_months(student.program.standard_length_years)
    )


def first_cohort(student: Student) -> int:
    """The cohort the student was admitted with: a resumption moves them to a later one."""
    first = (
        StatusChangeRequest.objects.filter(
            student=student, kind=Kind.RESUME, state=RequestState.APPROVED
        )
        .order_by("decided_at", "pk")
        .values_list("corrections", flat=True)
        .first()
    )
    if first and isinstance(first.get("cohort_from"), int):
        return int(first["cohort_from"])
    return student.cohort_year


def maximum_study_end(student: Student) -> dt.date:
    """The end of the maximum study period (standard length + CEMS_MAX_EXTRA_YEARS), counted
    from the original cohort: suspensions count in it."""
    years = student.program.standard_length_years + settings.CEMS_MAX_EXTRA_YEARS
    return add_months(study_start(first_cohort(student)), _years_in_months(years))


def suspension_limit_days() -> int:
    """CEMS_SUSPENSION_MAX_YEARS in days, a leap day included."""
    return int(Decimal(settings.CEMS_SUSPENSION_MAX_YEARS) * Decimal("365.25") + Decimal("0.5"))


def days_suspended(student: Student, *, excluding: int | None = None) -> int:
    approved = StatusChangeRequest.objects.filter(
        student=student, kind=Kind.SUSPEND, state=RequestState.APPROVED
    )
    if excluding is not None:
        approved = approved.exclude(pk=excluding)
    return sum(
        (end - start).days
        for start, end in approved.values_list("start_date", "end_date")
        if start and end
    )


# --- Who may do what ------------------------------------------------------------------------


def chain(kind: str) -> tuple[ApprovalStep, ...]:
    return CHAINS.get(Kind(kind), DEFAULT_CHAIN)


def current_step(request: StatusChangeRequest) -> ApprovalStep | None:
    return STATE_STEP.get(RequestState(request.state))


def may_file(actor: User, student: Student, kind: str) -> bool:
    if not has_capability(actor, Capability.FILE_STATUS_REQUESTS):
        return False
    if actor.role == Role.STUDENT and kind not in STUDENT_KINDS:
        return False
    return students_for(actor).filter(pk=student.pk).exists()


def may_decide(actor: User, request: StatusChangeRequest) -> bool:
    """Whether the actor is the approver of the request's current step: station staff of
    the student's (resp. the receiving) station, or academic affairs at the school step."""
    step = current_step(request)
    if step == ApprovalStep.SCHOOL:
        return has_capability(actor, Capability.APPROVE_AS_SCHOOL)
    if step is None or not has_capability(actor, Capability.APPROVE_AS_STATION):
        return False
    station_id = (
        request.student.station_id if step == ApprovalStep.STATION else request.new_station_id
    )
    return station_id is not None and actor.stations.filter(pk=station_id).exists()


def may_cancel(actor: User, request: StatusChangeRequest) -> bool:
    return request.filed_by_id == actor.pk and request.state in PENDING_STATES


# --- The rules of each kind ------------------------------------------------------------------


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _status_list(statuses: Iterable[StudentStatus]) -> str:
    return " / ".join(str(status.label) for status in statuses)


def _check_status(errors: Errors, request: StatusChangeRequest, student: Student) -> bool:
    allowed = ALLOWED_STATUSES[request.kind]
    if student.status in allowed:
        return True
    _add(
        errors,
        NON_FIELD_ERRORS,
        _("%(kind)s is only possible for a student who is %(allowed)s; %(name)s is %(status)s.")
        % {
            "kind": request.get_kind_display(),
            "allowed": _status_list(allowed),
            "name": student.name,
            "status": student.get_status_display(),
        },
    )
    return False


def _check_defer(
    errors: Errors, request: StatusChangeRequest, student: Student, day: dt.date
) -> None:
    year = academic_year_of(day)
    if student.cohort_year < year:
        _add(errors, NON_FIELD_ERRORS, _(
            "Admission can only be deferred for a student of the current admission year "
            "(%(year)s); this student's cohort is %(cohort)s."
        ) % {"year": year, "cohort": student.cohort_year})  # fmt: skip
    registered = student.registrations.order_by("academic_year").first()
    if registered is not None:
        _add(errors, NON_FIELD_ERRORS, _(
            "Admission can only be deferred before the student has started; this student "
            "registered for the academic year %(year)s."
        ) % {"year": registered.academic_year})  # fmt: skip


def _check_suspend(errors: Errors, request: StatusChangeRequest, student: Student) -> None:
    start, end = request.start_date, request.end_date
    if start is None:
        _add(errors, "start_date", _("A suspension needs its first day."))
    if end is None:
        _add(errors, "end_date", _("A suspension needs its last day."))
    if start is None or end is None:
        return
    if end <= start:
        _add(errors, "end_date", _("A suspension must end after it starts."))
        return
    if end > add_months(start, 12):
        _add(errors, "end_date", _(
            "A suspension is granted for one year at a time: it may last until %(date)s at most."
        ) % {"date": add_months(start, 12).isoformat()})  # fmt: skip
    used = days_suspended(student, excluding=request.pk)
    limit = suspension_limit_days()
    if used + (end - start).days > limit:
        _add(errors, "end_date", _(
            "Suspensions may total %(years)s years (%(limit)d days); this student has been "
            "suspended for %(used)d days already, so %(left)d days are left."
        ) % {"years": settings.CEMS_SUSPENSION_MAX_YEARS, "limit": limit, "used": used,
             "left": max(limit - used, 0)})  # fmt: skip
    latest = maximum_study_end(student)
    if end > latest:
        _add(errors, "end_date", _(
            "Suspensions count in the maximum study period, which ends on %(date)s for this "
            "student."
        ) % {"date": latest.isoformat()})  # fmt: skip


def _check_change_program(errors: Errors, request: StatusChangeRequest, student: Student) -> None:
    new = request.new_program
    if new is None:
        _add(errors, "new_program", _("Choose the new program."))
        return
    current = student.program
    if not new.is_offered:
        _add(errors, "new_program", _("%(program)s is not offered.") % {"program": new})
    if new.level != current.level:
        _add(errors, "new_program", _(
            "The new program must be at the student's level (%(level)s)."
        ) % {"level": current.get_level_display()})  # fmt: skip
    if request.kind == Kind.CHANGE_MAJOR:
        if new.major_id == current.major_id:
            _add(errors, "new_program", _("A change of major needs another major."))
        if new.mode != current.mode:
            _add(errors, "new_program", _(
                "A change of major keeps the study mode (%(mode)s); a change of mode is "
                "its own request."
            ) % {"mode": current.get_mode_display()})  # fmt: skip
    else:
        if new.mode == current.mode:
            _add(errors, "new_program", _("A change of study mode needs the other study mode."))
        if new.major_id != current.major_id:
            _add(errors, "new_program", _(
                "A change of study mode keeps the major (%(major)s); a change of major is "
                "its own request."
            ) % {"major": current.major.name})  # fmt: skip


def _check_change_station(errors: Errors, request: StatusChangeRequest, student: Student) -> None:
    new = request.new_station
    if new is None:
        _add(errors, "new_station", _("Choose the receiving station."))
    elif new.pk == student.station_id:
        _add(errors, "new_station", _("The student already studies at %(station)s.")
             % {"station": new.name})  # fmt: skip
    elif not new.is_active:
        _add(errors, "new_station", _("%(station)s is not active.") % {"station": new.name})


def _check_transfer(
    errors: Errors, request: StatusChangeRequest, student: Student, day: dt.date
) -> None:
    if not request.target_school.strip():
        _add(errors, "target_school", _("Name the receiving school."))
    level = request.corrections.get("target_level")
    if level not in Level.values:
        _add(
            errors, "target_level", _("Give the level the receiving school admits the student to.")
        )
    elif level != student.program.level:
        _add(errors, "target_level", _(
            "A transfer may not change level: the student studies at the level %(level)s."
        ) % {"level": student.program.get_level_display()})  # fmt: skip
    first_term_end = add_months(study_start(student.cohort_year), 6)
    if day < first_term_end:
        _add(errors, NON_FIELD_ERRORS, _(
            "No transfer in the first term: a transfer is possible from %(date)s."
        ) % {"date": first_term_end.isoformat()})  # fmt: skip
    graduating_from = add_months(standard_end(student), -12)
    if day >= graduating_from:
        _add(errors, NON_FIELD_ERRORS, _(
            "No transfer in the graduating year: this student's graduating year began on "
            "%(date)s."
        ) % {"date": graduating_from.isoformat()})  # fmt: skip


def field_label(name: str) -> str:
    field = Student._meta.get_field(name)
    assert isinstance(field, models.Field)
    return str(field.verbose_name)


def corrected_copy(student: Student, corrections: dict[str, Any]) -> Student:
    """The student as the corrections would make them (unsaved)."""
    corrected = copy.copy(student)
    for field, value in corrections.items():
        if field == "birth_date" and isinstance(value, str):
            value = dt.date.fromisoformat(value)
        setattr(corrected, field, value)
    return corrected


def _check_correct_data(errors: Errors, request: StatusChangeRequest, student: Student) -> None:
    corrections = {k: v for k, v in request.corrections.items() if k in CORRECTABLE_FIELDS}
    unknown = set(request.corrections) - set(CORRECTABLE_FIELDS) - {"previous"}
    if unknown:
        _add(errors, NON_FIELD_ERRORS, _("These fields cannot be corrected: %(fields)s.")
             % {"fields": ", ".join(sorted(unknown))})  # fmt: skip
        return
    current = {field: getattr(student, field) for field in corrections}
    if "birth_date" in current:
        current["birth_date"] = current["birth_date"].isoformat()
    if not corrections or corrections == current:
        _add(errors, NON_FIELD_ERRORS, _("Give at least one value that differs from the record."))
        return
    try:
        corrected = corrected_copy(student, corrections)
    except ValueError:
        _add(errors, "birth_date", _("Enter a valid date."))
        return
    try:
        # The model's own rules: the ID validator and its cross-check with birth date and
        # gender, the phone validator, lengths and choices.
        corrected.full_clean(exclude=["student_number", "exam_number"])
    except ValidationError as error:
        for field, problems in error.error_dict.items():
            for problem in problems:
                _mask_record_dates(problem, corrections)
                for message in problem.messages:
                    _add(errors, field, message)


def _mask_record_dates(problem: ValidationError, corrections: dict[str, Any]) -> None:
    """A disagreement of ID number and birth date names both dates: the one the record
    holds (its birth date, or the one its ID number gives) is masked, as the page shows it;
    a corrected value is shown as entered."""
    if problem.code != "birth_date_mismatch" or not problem.params:
        return
    params = dict(problem.params)
    if "id_number" not in corrections:
        params["id_date"] = mask_birth_date(dt.date.fromisoformat(str(params["id_date"])))
    if "birth_date" not in corrections:
        params["record_date"] = mask_birth_date(params["record_date"])
    problem.params = params


def rule_errors(request: StatusChangeRequest, student: Student, *, day: dt.date) -> Errors:
    """Everything that stands against the request now; empty when it may go ahead."""
    errors: Errors = {}
    pending = StatusChangeRequest.objects.filter(
        student=student, kind=request.kind, state__in=PENDING_STATES
    ).exclude(pk=request.pk)
    if pending.exists():
        _add(errors, NON_FIELD_ERRORS, _(
            "This student already has a pending request of this type; it must be decided "
            "or cancelled first."
        ))  # fmt: skip
    if not _check_status(errors, request, student):
        return errors
    kind = request.kind
    if kind == Kind.DEFER:
        _check_defer(errors, request, student, day)
    elif kind == Kind.SUSPEND:
        _check_suspend(errors, request, student)
    elif kind in (Kind.CHANGE_MAJOR, Kind.CHANGE_MODE):
        _check_change_program(errors, request, student)
    elif kind == Kind.CHANGE_STATION:
        _check_change_station(errors, request, student)
    elif kind == Kind.TRANSFER:
        _check_transfer(errors, request, student, day)
    elif kind == Kind.CORRECT_DATA:
        _check_correct_data(errors, request, student)
    return errors


# --- Filing, deciding, cancelling -------------------------------------------------------------


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _set_payload(request: StatusChangeRequest, payload: dict[str, Any]) -> None:
    fields = PAYLOAD_FIELDS.get(request.kind, ())
    for name in fields:
        value = payload.get(name)
        if name == "target_level":
            request.corrections = {"target_level": value or ""}
        elif name == "corrections":
            request.corrections = {
                field: _json_value(v.strip() if isinstance(v, str) else v)
                for field, v in (value or {}).items()
            }
        elif name == "target_school":
            request.target_school = (value or "").strip()
        elif value is not None:
            setattr(request, name, value)


def _locked_student(student: Student) -> Student:
    """The student's row, locked until the transaction ends (PostgreSQL): two requests or
    decisions for one student are taken one after the other."""
    return (
        Student.objects.select_for_update(of=("self",))
        .select_related("program__major", "station")
        .get(pk=student.pk)
    )


@transaction.atomic
def status_request_file(
    *, actor: User, student: Student, kind: str, reason: str, **payload: Any
) -> StatusChangeRequest:
    """File a request; payload by kind: start_date, end_date (SUSPEND); new_program
    (CHANGE_MAJOR, CHANGE_MODE); new_station (CHANGE_STATION); target_school, target_level
    (TRANSFER); corrections, a dict of field → new value (CORRECT_DATA)."""
    if unknown := set(payload) - ALL_PAYLOAD_FIELDS:
        raise TypeError(f"unknown payload for a status change: {sorted(unknown)}")
    kind = Kind(kind)
    if not may_file(actor, student, kind):
        raise PermissionDenied
    student = _locked_student(student)
    request = StatusChangeRequest(
        student=student, kind=kind, reason=(reason or "").strip(), filed_by=actor
    )
    _set_payload(request, payload)
    errors: Errors = {}
    try:
        request.full_clean(exclude=["student", "filed_by", "corrections"])
    except ValidationError as error:
        errors.update(error.message_dict)
    for field, messages in rule_errors(request, student, day=today()).items():
        errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    request.save()
    audit.info(
        "status change %s (%s) for %s filed by %s",
        request.pk, kind.value, student.student_number, actor.username,
        extra=event(actor, "status.file", student,
                    summary=f"status change {request.pk} ({kind.value}) filed",
                    reason=request.reason,
                    details={"request": request.pk, "kind": kind.value}),
    )  # fmt: skip
    return request


def _next_state(request: StatusChangeRequest, step: ApprovalStep) -> RequestState:
    steps = chain(request.kind)
    position = steps.index(step)
    if position + 1 < len(steps):
        return STEP_STATE[steps[position + 1]]
    return RequestState.APPROVED


def _lock_request(request: StatusChangeRequest) -> StatusChangeRequest:
    return (
        StatusChangeRequest.objects.select_for_update(of=("self",))
        .select_related("student__station", "new_program__major", "new_station")
        .get(pk=request.pk)
    )


@transaction.atomic
def status_request_decide(
    *, actor: User, request: StatusChangeRequest, approve: bool, comment: str = ""
) -> StatusChangeRequest:
    """Approve or reject the request's current step; the final approval applies it."""
    request = _lock_request(request)
    step = current_step(request)
    if step is None:
        raise ValidationError(
            _("This request is %(state)s; it can no longer be decided.")
            % {"state": request.get_state_display()}
        )
    if not may_decide(actor, request):
        raise PermissionDenied
    comment = (comment or "").strip()
    now = timezone.now()
    if not approve:
        if not comment:
            raise ValidationError({"comment": _("A rejection needs its reason.")})
        StatusChangeApproval.objects.create(
            request=request, step=step, approved=False, comment=comment, decided_by=actor
        )
        request.state = RequestState.REJECTED
        request.rejection_reason = comment
        request.decided_at = now
        request.save(update_fields=["state", "rejection_reason", "decided_at"])
        audit.info(
            "status change %s rejected by %s",
            request.pk,
            actor.username,
            extra=event(
                actor,
                "status.reject",
                request.student,
                reason=comment,
                details={"request": request.pk, "step": step.value},
            ),
        )
        return request
    student = _locked_student(request.student)
    request.student = student
    if errors := rule_errors(request, student, day=today()):
        raise ValidationError(errors)
    StatusChangeApproval.objects.create(
        request=request, step=step, approved=True, comment=comment, decided_by=actor
    )
    request.state = _next_state(request, step)
    if request.state == RequestState.APPROVED:
        _apply(request, student, day=today())
        request.decided_at = now
    request.save(update_fields=["state", "decided_at", "corrections"])
    audit.info(
        "status change %s: %s approved by %s", request.pk, step.value, actor.username,
        extra=event(actor, "status.approve", student,
                    reason=comment,
                    details={"request": request.pk, "step": step.value, "state": request.state})
    )  # fmt: skip
    return request


@transaction.atomic
def status_request_cancel(*, actor: User, request: StatusChangeRequest) -> StatusChangeRequest:
    """The filer withdraws a request that is still pending."""
    request = _lock_request(request)
    if request.filed_by_id != actor.pk:
        raise PermissionDenied
    if request.state not in PENDING_STATES:
        raise ValidationError(
            _("This request is %(state)s; only a pending request can be cancelled.")
            % {"state": request.get_state_display()}
        )
    request.state = RequestState.CANCELLED
    request.decided_at = timezone.now()
    request.save(update_fields=["state", "decided_at"])
    audit.info(
        "status change %s cancelled by %s",
        request.pk,
        actor.username,
        extra=event(actor, "status.cancel", request.student, details={"request": request.pk}),
    )
    return request


# --- Effects ----------------------------------------------------------------------------------


def _years_suspended(student: Student, day: dt.date) -> int:
    """Academic years between the start of the latest suspension and the resumption; the
    student joins the cohort that many years later (at least the next one)."""
    start = (
        StatusChangeRequest.objects.filter(
            student=student, kind=Kind.SUSPEND, state=RequestState.APPROVED
        )
        .order_by("-decided_at", "-pk")
        .values_list("start_date", flat=True)
        .first()
    )
    if start is None:
        return 1
    return max(1, academic_year_of(day) - academic_year_of(start))


def _apply(request: StatusChangeRequest, student: Student, *, day: dt.date) -> None:
    kind = request.kind
    changed: list[str] = []
    new_status = {
        Kind.DEFER: StudentStatus.DEFERRED,
        Kind.SUSPEND: StudentStatus.SUSPENDED,
        Kind.WITHDRAW: StudentStatus.WITHDRAWN,
        Kind.TRANSFER: StudentStatus.TRANSFERRED,
    }
    if kind in new_status:
        student.status = new_status[Kind(kind)]
        changed = ["status"]
    elif kind == Kind.RESUME:
        years = _years_suspended(student, day)
        request.corrections = {
            "cohort_from": student.cohort_year,
            "cohort_to": student.cohort_year + years,
        }
        student.status = StudentStatus.REGISTERED
        student.cohort_year += years
        student.student_class = None
        changed = ["status", "cohort_year", "student_class"]
    elif kind in (Kind.CHANGE_MAJOR, Kind.CHANGE_MODE):
        assert request.new_program is not None  # checked by the rules
        # A new 学号 (the old one kept in the history) and the class of the new program.
        student_renumber(student=student, program=request.new_program, request=request)
    elif kind == Kind.CHANGE_STATION:
        assert request.new_station is not None
        student.station = request.new_station
        student.student_class = student_class_for(
            station=request.new_station, program=student.program, cohort_year=student.cohort_year
        )
        changed = ["station", "student_class"]
    elif kind == Kind.CORRECT_DATA:
        corrections = {k: v for k, v in request.corrections.items() if k in CORRECTABLE_FIELDS}
        previous = {field: _json_value(getattr(student, field)) for field in corrections}
        corrected = corrected_copy(student, corrections)
        for field in corrections:
            setattr(student, field, getattr(corrected, field))
        student.full_clean(exclude=["student_number", "exam_number"])
        request.corrections = {**corrections, "previous": previous}
        changed = list(corrections)
    if changed:
        student.save(update_fields=[*changed, "updated_at"])
    audit.info(
        "status change %s (%s) applied to %s", request.pk, kind, student.student_number,
        extra=event(None, "status.apply", student,
                    summary=f"status change {request.pk} ({kind}) applied",
                    details={"request": request.pk, "kind": kind, "fields": changed})
    )  # fmt: skip


def request_unmask_log(*, actor: User, request: StatusChangeRequest) -> None:
    """Log that the actor unmasked the personal data a correction request carries."""
    fields = [f for f in ("id_number", "phone", "birth_date") if f in request.corrections]
    PersonalDataLog.objects.create(
        user=actor,
        action=PersonalDataLog.Action.UNMASK,
        subject=f"students.StatusChangeRequest:{request.pk}",
        fields=",".join(fields),
        reason="status change: correction of personal data",
    )
