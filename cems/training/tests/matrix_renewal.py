"""Role-matrix entry of the one-step renewal (gathered by accounts/tests/test_role_matrix.py):
a POST without a project is sent back to the list by those who may enroll holders."""

from cems.testing import Entry, statuses

MATRIX: dict[str, Entry] = {
    "training:refresher_enroll": Entry(
        statuses(403, admin=302, training=302), method="post", data={"expiring_days": "30"}
    ),
}
