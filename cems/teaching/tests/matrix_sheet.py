"""Role-matrix entries of the grade sheet (download and upload): those who enter grades,
within their grading scope (a teacher's own offerings; academic affairs and admins all)."""

from cems.teaching.tests.matrix import offering_pair, teacher_offering_pair
from cems.testing import Entry, statuses

# ENTER_GRADES: academic affairs and admins for every offering, a teacher for their own.
_GRADERS = statuses(403, admin=200, academic=200, teacher=(200, 404))
_TEACHER = {"teacher": teacher_offering_pair}  # outside: a colleague's offering, same station

MATRIX: dict[str, Entry] = {
    "teaching:grade_sheet": Entry(_GRADERS, objects=offering_pair, objects_for=_TEACHER),
    "teaching:grade_sheet_upload": Entry(_GRADERS, objects=offering_pair, objects_for=_TEACHER),
}
