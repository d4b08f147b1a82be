"""Role-matrix entry of the annual statistical return (gathered by
accounts/tests/test_role_matrix.py): for those who list students (LIST_STUDENTS), each over
their own students."""

from cems.testing import STUDENT_READERS, Entry, statuses

MATRIX = {
    "annual_return:page": Entry(statuses(403, **dict.fromkeys(STUDENT_READERS, 200))),
}
