"""Role-matrix entries of the grade grid (gathered by accounts/tests/test_role_matrix.py).

Inside: station A's offering taught by the teacher user, with a1 on its roster; outside:
station B's, taught by another teacher, with b1. Those who may read offerings see the grid;
those who grade them (ENTER_GRADES within gradable_offerings_for) save cells and submit."""

from typing import Any

from cems.conftest import World
from cems.teaching.models import OfferingStudent
from cems.teaching.tests.matrix import MANAGERS, READERS, offering_pair, teacher_offering_pair
from cems.testing import Entry, statuses


def _with_roster(world: World) -> tuple[Any, Any]:
    inside, outside = offering_pair(world)
    OfferingStudent.objects.create(offering=inside, student=world.a1)
    OfferingStudent.objects.create(offering=outside, student=world.b1)
    return inside, outside


def _teacher_roster(world: World) -> tuple[Any, Any]:
    """The teacher user's offering with a1, and a colleague's at station A with a2."""
    own, colleague = teacher_offering_pair(world)
    OfferingStudent.objects.create(offering=own, student=world.a1)
    OfferingStudent.objects.create(offering=colleague, student=world.a2)
    return own, colleague


_TEACHER = {"teacher": _teacher_roster}


def _readers() -> dict[str, tuple[int, int]]:
    return statuses(
        403,
        **dict.fromkeys(READERS - {"station", "teacher"}, 200),
        station=(200, 404),
        teacher=(200, 404),
    )


def _graders(status: int) -> dict[str, tuple[int, int]]:
    """Station staff and the school's readers may not grade: 403 before any look-up."""
    return statuses(403, **dict.fromkeys(MANAGERS, status), teacher=(status, 404))


MATRIX: dict[str, Entry] = {
    "teaching:grade_grid": Entry(_readers(), objects=_with_roster, objects_for=_TEACHER),
    "teaching:makeup_grid": Entry(_readers(), objects=_with_roster, objects_for=_TEACHER),
    # Posted without a cell: 400 once the offering is found in the user's grading scope.
    "teaching:grade_cell": Entry(
        _graders(400), objects=_with_roster, objects_for=_TEACHER, method="post"
    ),
    # Grades incomplete: the submission is refused with a message and a redirect.
    "teaching:grades_submit": Entry(
        _graders(302), objects=_with_roster, objects_for=_TEACHER, method="post"
    ),
    "teaching:makeup_submit": Entry(
        _graders(302), objects=_with_roster, objects_for=_TEACHER, method="post"
    ),
}
