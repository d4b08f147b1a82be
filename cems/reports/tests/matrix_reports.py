"""Role-matrix entries of the report pages (gathered by accounts/tests/test_role_matrix.py).
The index answers those who may open some report; a report page is requested at the
registered-students report (inside) and at an unknown key (outside: 404 for anyone signed
in). Each report's own capability is tested in test_views_reports.py."""

from cems.testing import Entry, statuses

STUDENT_READERS = {"admin", "academic", "finance", "auditor", "station"}

MATRIX = {
    "report_pages:index": Entry(
        statuses(403, **dict.fromkeys(STUDENT_READERS | {"training"}, 200))
    ),
    "report_pages:report": Entry(
        statuses(
            403,
            admin=(200, 404),
            academic=(200, 404),
            finance=(200, 404),
            auditor=(200, 404),
            station=(200, 404),
            training=(403, 404),
            teacher=(403, 404),
            student=(403, 404),
            trainee=(403, 404),
        ),
        objects=lambda world: (("registered-students",), ("no-such-report",)),
        listing=lambda world: (world.station_a.name, world.station_b.name),
    ),
}
