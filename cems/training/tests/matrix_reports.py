"""Role-matrix entries of the training statistics (gathered by
accounts/tests/test_role_matrix.py): for the training office, the administrator and the
auditor; not for a trainee or anyone else."""

from cems.testing import Entry, statuses

READERS = {"admin", "training", "auditor"}

MATRIX = {
    "training:report": Entry(statuses(403, **dict.fromkeys(READERS, 200))),
}
