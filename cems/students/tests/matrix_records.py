"""Role-matrix entries of the student record pages: enrollment, showing personal data,
downloads with full numbers."""

from cems.conftest import World
from cems.students.tests.candidates import add_candidate
from cems.testing import STUDENT_READERS, Entry, own_student_pair, statuses, student_pair


def _candidates(world: World) -> tuple[tuple[()], tuple[()]]:
    """An admitted candidate at each station; the enrollment page takes no arguments."""
    add_candidate(world, 1, name="甲候选", station=world.station_a)
    add_candidate(world, 2, name="乙候选", station=world.station_b)
    return (), ()


MATRIX: dict[str, Entry] = {
    "students:enroll": Entry(
        statuses(403, admin=200, academic=200),
        objects=_candidates,
        listing=lambda w: ("甲候选", "乙候选"),
    ),
    # Showing personal data: roles that may (SEE_PERSONAL_DATA), within their scope.
    "students:unmask": Entry(
        statuses(403, admin=200, academic=200, station=(200, 404), student=(200, 404)),
        objects=student_pair,
        objects_for={"student": own_student_pair},
        method="post",
        data={"reason": "matrix"},
    ),
    "students:export": Entry(
        statuses(403, **dict.fromkeys(STUDENT_READERS, 200)),
        method="post",
        data={"format": "csv"},
    ),
}
