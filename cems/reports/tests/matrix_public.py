"""Role-matrix entry of the public page (gathered by accounts/tests/test_role_matrix.py):
everyone, signed in or not."""

from cems.testing import Entry, statuses

MATRIX = {
    "public:home": Entry(statuses(200, anonymous=200)),
}
