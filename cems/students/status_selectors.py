"""Reads of status change requests and registrations, starting from what the user may see."""

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from cems.accounts.access import (
    AnyUser,
    Capability,
    get_in_scope_or_404,
    has_capability,
    status_requests_for,
    students_for,
)
from cems.accounts.models import User
from cems.catalog.models import Level, Program
from cems.organization.models import Station
from cems.students.models import (
    Registration,
    RequestState,
    StatusChangeApproval,
    StatusChangeKind,
    StatusChangeRequest,
    Student,
    StudentStatus,
)
from cems.students.selectors import search_condition
from cems.students.status import CORRECTABLE_FIELDS, chain, current_step, field_label

_REQUEST_RELATED = (
    "student__station",
    "student__program__major",
    "new_station",
    "new_program__major",
    "filed_by",
)


def _student_search(q: str) -> Q:
    """The student list's search (name, 学号, 考生号, ID number) on the request's student."""
    condition = search_condition(q)
    return Q(student__in=Student.objects.filter(condition).values("pk"))


def request_list(*, user: AnyUser, filters: dict[str, Any] | None) -> QuerySet[StatusChangeRequest]:
    """The user's requests matching the filters (kind, state, station, q); None matches
    nothing. The station filter matches the student's station and the receiving one."""
    requests = status_requests_for(user)
    if filters is None:
        return requests.none()
    if kind := filters.get("kind"):
        requests = requests.filter(kind=kind)
    if state := filters.get("state"):
        requests = requests.filter(state=state)
    if station := filters.get("station"):
        requests = requests.filter(Q(student__station=station) | Q(new_station=station))
    if q := (filters.get("q") or "").strip():
        requests = requests.filter(_student_search(q))
    return requests.select_related(*_REQUEST_RELATED).order_by("-filed_at", "-pk")


def pending_for(*, user: AnyUser, filters: dict[str, Any] | None) -> QuerySet[StatusChangeRequest]:
    """The requests waiting for the user's decision: at the station step for their
    stations' students, at the receiving step for their stations, at the school step for
    academic affairs."""
    waiting = Q(pk__in=[])
    if has_capability(user, Capability.APPROVE_AS_STATION) and isinstance(user, User):
        stations = Station.objects.filter(staff=user)
        waiting |= Q(state=RequestState.PENDING_STATION, student__station__in=stations)
        waiting |= Q(state=RequestState.PENDING_TARGET_STATION, new_station__in=stations)
    if has_capability(user, Capability.APPROVE_AS_SCHOOL):
        waiting |= Q(state=RequestState.PENDING_SCHOOL)
    return request_list(user=user, filters=filters).filter(waiting).order_by("filed_at", "pk")


def pending_count(*, user: AnyUser) -> int:
    return pending_for(user=user, filters={}).count()


def request_get(*, user: AnyUser, pk: int) -> StatusChangeRequest:
    approvals = StatusChangeApproval.objects.select_related("decided_by").order_by(
        "decided_at", "pk"
    )
    scope = (
        status_requests_for(user)
        .select_related(*_REQUEST_RELATED, "student__station__province", "student__student_class")
        .prefetch_related(Prefetch("approvals", queryset=approvals))
    )
    return get_in_scope_or_404(scope, pk=pk)


def receiving_stations(student: Student) -> QuerySet[Station]:
    """Stations a student may move to: every active station but their own. Not a scope: the
    filer chooses among all stations, whose names are no secret."""
    return (
        Station.objects.filter(is_active=True)
        .exclude(pk=student.station_id)
        .select_related("province")
        .order_by("province__code", "code")
    )


def programs_for_change(student: Student, kind: str) -> QuerySet[Program]:
    """Offered programs at the student's level: other majors in the same mode (a change of
    major) or the same major in another mode (a change of mode)."""
    current = student.program
    programs = Program.objects.filter(is_offered=True, level=current.level).select_related("major")
    if kind == StatusChangeKind.CHANGE_MAJOR:
        return programs.filter(mode=current.mode).exclude(major=current.major_id)
    return programs.filter(major=current.major_id).exclude(mode=current.mode)


# --- Registration -------------------------------------------------------------------------


def registration_list(
    *, user: AnyUser, academic_year: int, filters: dict[str, Any] | None, registered: bool
) -> QuerySet[Student]:
    """The user's students who still have to register for the academic year (students in
    good standing whose cohort has begun), or those who have registered (with the time
    they were, as registered_at)."""
    students = students_for(user)
    if filters is None:
        return students.none()
    this_year = Registration.objects.filter(student=OuterRef("pk"), academic_year=academic_year)
    done = Exists(this_year)
    if registered:
        students = students.filter(done).annotate(
            registered_at=Subquery(this_year.values("registered_at")[:1])
        )
    else:
        students = students.filter(
            ~done, status=StudentStatus.REGISTERED, cohort_year__lte=academic_year
        )
    if station := filters.get("station"):
        students = students.filter(station=station)
    if cohort := filters.get("cohort"):
        students = students.filter(cohort_year=cohort)
    if program := filters.get("program"):
        students = students.filter(program=program)
    return students.select_related("station", "program__major", "student_class").order_by(
        "station__code", "cohort_year", "student_number"
    )


# --- Portal --------------------------------------------------------------------------------


def portal_records(*, user: AnyUser) -> list[Student]:
    """The student records linked to the signed-in student, with their registrations and
    requests (each with its decisions)."""
    if not isinstance(user, User):
        return []
    approvals = StatusChangeApproval.objects.order_by("decided_at", "pk")
    requests = StatusChangeRequest.objects.select_related(
        "new_station", "new_program__major"
    ).prefetch_related(Prefetch("approvals", queryset=approvals))
    return list(
        students_for(user)
        .filter(user=user)
        .select_related("station__province", "program__major", "student_class")
        .prefetch_related(
            Prefetch("registrations", queryset=Registration.objects.order_by("-academic_year")),
            Prefetch("status_requests", queryset=requests.order_by("-filed_at", "-pk")),
        )
    )


# --- Presentation helpers ---------------------------------------------------------------------


def student_for_request(*, user: AnyUser, pk: int) -> Student:
    """A student in the user's scope (404 otherwise), for filing a request about them."""
    return get_in_scope_or_404(
        students_for(user).select_related("station", "program__major"), pk=pk
    )


def request_summary(request: StatusChangeRequest) -> str:
    """The details of a request in one line (lists and downloads)."""
    kind = request.kind
    if kind == StatusChangeKind.SUSPEND and request.start_date and request.end_date:
        return f"{request.start_date:%Y-%m-%d} – {request.end_date:%Y-%m-%d}"
    if kind in (StatusChangeKind.CHANGE_MAJOR, StatusChangeKind.CHANGE_MODE) and (
        program := request.new_program
    ):
        return str(program)
    if kind == StatusChangeKind.CHANGE_STATION and request.new_station:
        return f"→ {request.new_station.name}"
    if kind == StatusChangeKind.TRANSFER:
        level = request.corrections.get("target_level")
        return f"→ {request.target_school} ({Level(level).label if level in Level.values else '?'})"
    if kind == StatusChangeKind.RESUME and "cohort_to" in request.corrections:
        return f"{request.corrections.get('cohort_from')} → {request.corrections['cohort_to']}"
    if kind == StatusChangeKind.CORRECT_DATA:
        return ", ".join(
            field_label(name) for name in CORRECTABLE_FIELDS if name in request.corrections
        )
    return ""


def request_progress(request: StatusChangeRequest) -> list[dict[str, Any]]:
    """The request's approval chain, step by step: done, rejected, current or to come, with
    the decision taken (uses the prefetched approvals)."""
    decisions = {approval.step: approval for approval in request.approvals.all()}
    current = current_step(request)
    steps = []
    ended = False
    for step in chain(request.kind):
        decision = decisions.get(step)
        if decision is not None:
            state = "approved" if decision.approved else "rejected"
            ended = ended or not decision.approved
        elif step == current:
            state = "current"
        else:
            state = "skipped" if ended or request.state == RequestState.CANCELLED else "waiting"
        steps.append({"step": step, "label": step.label, "state": state, "decision": decision})
    return steps
