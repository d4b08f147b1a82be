"""Role-matrix entries of the status change, registration and portal pages (/requests/)."""

from cems.accounts.models import User
from cems.conftest import World
from cems.students.models import RequestState, StatusChangeKind, StatusChangeRequest, Student
from cems.testing import Entry, own_student_pair, statuses, student_pair

# Roles that see status change requests (VIEW_STATUS_REQUESTS), school-wide.
REQUEST_READERS = {"admin", "academic", "finance", "auditor"}


def _request(
    student: Student, kind: str = StatusChangeKind.WITHDRAW, **fields
) -> StatusChangeRequest:
    filer = User.objects.get(username="station-user")
    return StatusChangeRequest.objects.create(
        student=student, kind=kind, reason="matrix", filed_by=filer, **fields
    )


def request_pair(world: World) -> tuple[StatusChangeRequest, StatusChangeRequest]:
    """Withdrawals waiting for the station: about a1 (station A) and about b1 (station B)."""
    return _request(world.a1), _request(world.b1)


def own_request_pair(world: World) -> tuple[StatusChangeRequest, StatusChangeRequest]:
    """The student user's own request (about a1) and a classmate's (a2, same station)."""
    return _request(world.a1), _request(world.a2)


_STUDENT = {"student": own_request_pair}


def _listed_requests(world: World) -> tuple[tuple[()], tuple[()]]:
    """Requests for the lists; the list URLs take no arguments."""
    _request(world.a1)
    _request(world.a1, StatusChangeKind.SUSPEND, state=RequestState.PENDING_SCHOOL)
    _request(world.b1)
    return (), ()


def _numbers(world: World) -> tuple[str, str]:
    return world.a1.student_number, world.b1.student_number


MATRIX: dict[str, Entry] = {
    "status_changes:list": Entry(
        statuses(403, **dict.fromkeys(REQUEST_READERS | {"station", "student"}, 200)),
        objects=_listed_requests,
        listing=_numbers,
    ),
    "status_changes:pending": Entry(
        statuses(403, admin=200, academic=200, station=200),
        objects=_listed_requests,
        listing=_numbers,
    ),
    "status_changes:detail": Entry(
        statuses(
            403, **dict.fromkeys(REQUEST_READERS, 200), station=(200, 404), student=(200, 404)
        ),
        objects=request_pair,
        objects_for=_STUDENT,
    ),
    # Only station staff of the student's station decide the first step; academic affairs
    # and administrators see the request but are not its approvers yet.
    "status_changes:decide": Entry(
        statuses(403, station=(302, 404)),
        objects=request_pair,
        method="post",
        data={"decision": "approve", "comment": ""},
    ),
    # Only the filer (here the station staff user) cancels.
    "status_changes:cancel": Entry(
        statuses(403, station=(302, 404), student=(403, 404)),
        objects=request_pair,
        objects_for=_STUDENT,
        method="post",
    ),
    "status_changes:file": Entry(
        statuses(403, admin=200, station=(200, 404), student=(200, 404)),
        objects=student_pair,
        objects_for={"student": own_student_pair},
    ),
    "status_changes:registration": Entry(
        statuses(403, admin=200, academic=200, station=200),
        listing=_numbers,
    ),
    "status_changes:portal": Entry(statuses(403, student=200)),
}
