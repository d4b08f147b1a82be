"""Role-matrix entries of the audit trail (gathered by accounts/tests/test_role_matrix.py):
for the auditor and the administrator only."""

from cems.testing import Entry, statuses

MATRIX = {
    "audit_trail:list": Entry(statuses(403, admin=200, auditor=200)),
}
