"""The report registry: registration, who may open which report, the rows downloaded."""

import pytest
from django.http import Http404

from cems.accounts.access import Capability
from cems.reports.registry import (
    Column,
    Report,
    ReportForm,
    Table,
    all_reports,
    get_report,
    register,
    reports_for,
)

STUDENT_REPORTS = ["registered-students", "yearly-intake", "status-changes"]
TRAINING_REPORTS = ["training", "expiring-certificates"]


def keys(reports: list[Report]) -> list[str]:
    return [report.key for report in reports]


def test_every_report_in_order():
    assert keys(all_reports()) == [*STUDENT_REPORTS, "fees", *TRAINING_REPORTS]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", [*STUDENT_REPORTS, "fees", *TRAINING_REPORTS]),
        ("auditor", [*STUDENT_REPORTS, "fees", *TRAINING_REPORTS]),
        ("academic", [*STUDENT_REPORTS, "fees"]),
        ("finance", [*STUDENT_REPORTS, "fees"]),
        ("station", [*STUDENT_REPORTS, "fees"]),
        ("training", TRAINING_REPORTS),
        ("teacher", []),
        ("student", []),
        ("trainee", []),
    ],
)
def test_reports_for_a_role(users, role, expected):
    assert keys(reports_for(users[role])) == expected


def test_unknown_key_is_not_found():
    with pytest.raises(Http404):
        get_report("no-such-report")


def test_a_key_is_registered_once():
    existing = get_report("fees")
    assert register(existing) is existing  # registering the same report again is harmless
    twin = Report("fees", "Twin", "", Capability.VIEW_FEES, ReportForm, existing.run)
    with pytest.raises(ValueError, match="two reports"):
        register(twin)
    assert get_report("fees") is existing


def test_downloads_end_with_the_totals():
    table = Table([Column("a", "A"), Column("n", "N", numeric=True)], [["x", 1]], None, ["T", 1])
    assert table.download_rows() == [["x", 1], ["T", 1]]
    assert table.titles() == ["A", "N"]
    assert table.numeric_positions() == {1}
    assert Table([Column("a", "A")], [["x"]]).download_rows() == [["x"]]
