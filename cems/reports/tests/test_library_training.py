"""Training reports: the statistics per category and year (as cems.training.reports computes
them, with a chart) and certificates expiring per month."""

import datetime as dt

import pytest
from django.utils import translation

from cems.reports.tests.report_fixtures import certificate, query_count, run
from cems.training import certificates, reports
from cems.training.models import Enrollment, Project, TrainingCategory
from cems.training.tests.people_fixtures import make_trainee, make_training_project

TODAY = dt.date(2026, 3, 15)


@pytest.fixture(autouse=True)
def _english_today(monkeypatch):
    monkeypatch.setattr(certificates, "today", lambda: TODAY)
    with translation.override("en"):
        yield


def enroll(project: Project, serials: list[int], status: str = "completed") -> None:
    for serial in serials:
        trainee = make_trainee(serial, name=f"学员{serial}")
        Enrollment.objects.create(project=project, trainee=trainee, status=status)


class TestTrainingStatistics:
    @pytest.fixture
    def projects(self, db):
        first = make_training_project(title="矿长A", code="KZ", start=dt.date(2025, 3, 1))
        enroll(first, [1, 2])
        second = make_training_project(title="矿长B", code="KZ", start=dt.date(2026, 3, 1))
        enroll(second, [3])
        return first, second

    def test_rows_are_the_training_reports(self, users, projects):
        table = run("training", users["training"])
        expected = reports.report_table(reports.training_report({}))
        assert [*table.rows, table.totals] == expected
        assert [row[2] for row in table.rows] == [2025, 2026, "Total"]
        assert table.totals is not None
        assert table.totals[5] == 3
        assert [column.numeric for column in table.columns][:4] == [False, False, False, True]

    def test_chart_of_person_times_per_category(self, users, projects):
        table = run("training", users["training"])
        assert table.chart is not None
        category = TrainingCategory.objects.get(code="KZ")
        assert [(p.label, p.value) for p in table.chart.points] == [(category.name, 3)]
        assert table.chart.points[0].url == f"/training/projects/?category={category.pk}"

    def test_invalid_filters_give_no_rows(self, users, projects):
        table = run("training", users["training"], invalid=True)
        assert table.rows == []
        assert table.totals is None
        assert table.chart is None

    def test_fixed_number_of_queries(self, users, projects):
        def report():
            return run("training", users["training"])

        small = query_count(report)
        third = make_training_project(title="矿长C", code="KZ", start=dt.date(2024, 3, 1))
        enroll(third, [4, 5, 6])
        assert query_count(report) == small


class TestExpiringCertificates:
    @pytest.fixture
    def issued(self, db):
        certificate(1, dt.date(2026, 3, 20))
        certificate(2, dt.date(2026, 3, 31))
        certificate(3, dt.date(2026, 5, 1))
        certificate(4, dt.date(2027, 2, 28))
        certificate(5, dt.date(2027, 3, 1))  # after the next twelve months
        certificate(6, dt.date(2026, 2, 28))  # before this month
        certificate(7, dt.date(2026, 4, 1), status="revoked")
        certificate(8, None)  # does not expire

    def test_the_next_twelve_months(self, users, issued):
        table = run("expiring-certificates", users["training"])
        name = TrainingCategory.objects.get(code="KZ").name
        assert table.rows == [
            ["2026-03", "KZ", name, 2],
            ["2026-05", "KZ", name, 1],
            ["2027-02", "KZ", name, 1],
        ]
        assert table.totals == ["", "", "Total", 4]
        assert table.chart is not None
        assert [(p.label, p.value) for p in table.chart.points] == [
            ("2026-03", 2), ("2026-05", 1), ("2027-02", 1),
        ]  # fmt: skip

    def test_a_year(self, users, issued):
        table = run("expiring-certificates", users["training"], {"year": 2027})
        assert [row[0] for row in table.rows] == ["2027-02", "2027-03"]

    def test_a_category(self, users, issued):
        certificate(9, dt.date(2026, 6, 1), code="GP")
        other = TrainingCategory.objects.get(code="GP")
        table = run("expiring-certificates", users["training"], {"category": other})
        assert [row[:2] for row in table.rows] == [["2026-06", "GP"]]

    def test_no_certificates_for_roles_without_training(self, users, issued):
        assert run("expiring-certificates", users["auditor"]).rows != []
        assert run("expiring-certificates", users["academic"]).rows == []

    def test_fixed_number_of_queries(self, users, issued):
        def report():
            return run("expiring-certificates", users["training"])

        small = query_count(report)
        for serial in range(10, 16):
            certificate(serial, dt.date(2026, serial - 6, 1), code="GP")
        assert query_count(report) == small == 1
