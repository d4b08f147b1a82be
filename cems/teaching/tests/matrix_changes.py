"""Role-matrix entries of grade change requests, grade history, retakes and results
(gathered by accounts/tests/test_role_matrix.py).

Inside: station A's offering taught by the teacher user, with a1's grade submitted and a
pending change request; outside: station B's, with b1's."""

from typing import Any

from cems.accounts.models import Role, User
from cems.conftest import World
from cems.teaching.models import (
    Grade,
    GradeChangeRequest,
    OfferingStudent,
    grade_writes,
)
from cems.teaching.tests.matrix import READERS, offering_pair, teacher_offering_pair
from cems.testing import STUDENT_READERS, Entry, own_student_pair, statuses, student_pair

GRADERS_INSIDE = {"admin": 200, "academic": 200, "teacher": (200, 404)}


def _submitted(world: World, *, colleague: bool = False) -> tuple[Any, Any]:
    """The two offerings, each with one submitted grade and a pending change request; with
    `colleague`, the second is a colleague's offering at station A (with a2's grade)."""
    pairs = []
    requester = User.objects.get(username=f"{Role.ACADEMIC.value}-user")
    offerings = teacher_offering_pair(world) if colleague else offering_pair(world)
    students = (world.a1, world.a2) if colleague else (world.a1, world.b1)
    for offering, student in zip(offerings, students, strict=True):
        entry = OfferingStudent.objects.create(offering=offering, student=student)
        with grade_writes():
            grade = Grade.objects.create(
                entry=entry, score=55, passed=False, final_passed=False, final_numeric=55
            )
        offering.grades_submitted_at = offering.created_at
        offering.save(update_fields=["grades_submitted_at"])
        request = GradeChangeRequest.objects.create(
            grade=grade, offering=offering, changes={"score": {"from": "55", "to": "65"}},
            reason="复核", requested_by=requester,
        )  # fmt: skip
        pairs.append((offering, entry, request))
    return pairs[0], pairs[1]


def _entries(world: World, colleague: bool = False) -> tuple[Any, Any]:
    inside, outside = _submitted(world, colleague=colleague)
    return (inside[0].pk, inside[1].pk), (outside[0].pk, outside[1].pk)


def _offerings(world: World, colleague: bool = False) -> tuple[Any, Any]:
    inside, outside = _submitted(world, colleague=colleague)
    return inside[0], outside[0]


def _requests(world: World, colleague: bool = False) -> tuple[Any, Any]:
    inside, outside = _submitted(world, colleague=colleague)
    return inside[2], outside[2]


def _for_teacher(build: Any) -> dict[str, Any]:
    """The teacher user's pair: their own offering and a colleague's at the same station."""
    return {"teacher": lambda world: build(world, colleague=True)}


def _listed_requests(world: World) -> tuple[tuple[()], tuple[()]]:
    _submitted(world)
    return (), ()


def _request_students(world: World) -> tuple[str, str]:
    return world.a1.student_number, world.b1.student_number


def _in_scope(**allowed: Any) -> dict[str, tuple[int, int]]:
    return statuses(403, **allowed)


VIEWERS = {
    **dict.fromkeys(READERS - {"station", "teacher"}, 200),
    "station": (200, 404),
    "teacher": (200, 404),
}

MATRIX: dict[str, Entry] = {
    "teaching:change_request_new": Entry(
        _in_scope(**GRADERS_INSIDE), objects=_entries, objects_for=_for_teacher(_entries)
    ),
    "teaching:grade_history": Entry(
        _in_scope(**VIEWERS), objects=_offerings, objects_for=_for_teacher(_offerings)
    ),
    "teaching:retakes": Entry(_in_scope(admin=200, academic=200), objects=_offerings),
    "teaching:change_request_list": Entry(
        _in_scope(**dict.fromkeys(READERS, 200)),
        objects=_listed_requests,
        listing=_request_students,
    ),
    "teaching:change_request_detail": Entry(
        _in_scope(**VIEWERS), objects=_requests, objects_for=_for_teacher(_requests)
    ),
    # Academic affairs filed both requests, so only the administrator may decide them; a
    # decision without "approve" or "reject" is sent back to the request.
    "teaching:change_request_decide": Entry(
        _in_scope(admin=302, academic=302), objects=_requests, method="post"
    ),
    "teaching:my_grades": Entry(statuses(403, student=200)),
    "teaching:student_grades": Entry(
        statuses(
            403,
            **dict.fromkeys(STUDENT_READERS - {"station"}, 200),
            station=(200, 404),
            student=(200, 404),
        ),
        objects=student_pair,
        objects_for={"student": own_student_pair},
    ),
}
