"""The student reports: registered students by a dimension, the yearly intake, status
changes. Figures on hand-built data, the user's scope, a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from cems.conftest import add_student
from cems.reports.tests.report_fixtures import (
    candidate,
    graduate,
    query_count,
    register_year,
    run,
    status_request,
)
from cems.students.models import StudentStatus


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


class TestRegisteredStudents:
    def test_by_station_largest_first_with_shares_and_total(self, world, users):
        add_student(world, 1, station=world.station_b)
        add_student(world, 2, station=world.station_b)
        add_student(world, 3, station=world.station_b, status=StudentStatus.WITHDRAWN)
        table = run("registered-students", users["academic"])
        assert table.rows == [
            ["广州函授站", 3, Decimal("60.0")],
            ["长沙函授站", 2, Decimal("40.0")],
        ]
        assert table.totals == ["Total", 5, Decimal("100.0")]

    def test_group_by_cohort_in_year_order(self, world, users):
        add_student(world, 1, cohort_year=2023)
        add_student(world, 2, cohort_year=2026)
        add_student(world, 3, cohort_year=2026)
        table = run("registered-students", users["academic"], {"group_by": "cohort"})
        assert [row[:2] for row in table.rows] == [["2023", 1], ["2025", 3], ["2026", 2]]
        assert table.chart is not None
        assert table.chart.kind == "column"

    def test_group_by_province_with_filters(self, world, users):
        add_student(world, 1, cohort_year=2024)
        table = run(
            "registered-students",
            users["academic"],
            {"group_by": "province", "cohort": 2025, "station": world.station_a},
        )
        assert table.rows == [["湖南省", 2, Decimal("100.0")]]

    @pytest.mark.parametrize("group_by", ["level", "major", "mode"])
    def test_other_dimensions_count_everyone(self, world, users, group_by):
        table = run("registered-students", users["academic"], {"group_by": group_by})
        assert [row[1] for row in table.rows] == [3]

    def test_bars_link_to_the_student_list_with_the_same_filters(self, world, users):
        table = run(
            "registered-students", users["academic"], {"group_by": "station", "cohort": 2025}
        )
        assert table.chart is not None
        urls = [point.url for point in table.chart.points]
        assert urls[0] == (f"/students/?status=registered&station={world.station_a.pk}&cohort=2025")

    def test_station_staff_see_their_station_only(self, world, users):
        add_student(world, 1, station=world.station_b)
        table = run("registered-students", users["station"], {"group_by": "province"})
        assert table.rows == [["湖南省", 2, Decimal("100.0")]]

    def test_invalid_filters_give_no_rows(self, world, users):
        table = run("registered-students", users["academic"], invalid=True)
        assert table.rows == []
        assert table.totals is None
        assert [column.key for column in table.columns] == ["group", "students", "share"]

    @pytest.mark.parametrize("group_by", ["province", "station", "major", "cohort"])
    def test_fixed_number_of_queries(self, world, users, group_by):
        def report():
            return run("registered-students", users["station"], {"group_by": group_by})

        small = query_count(report)
        for serial in range(1, 8):
            add_student(world, serial, cohort_year=2020 + serial)
        assert query_count(report) == small == 1


class TestYearlyIntake:
    @pytest.fixture
    def intake(self, world):
        candidate(world, 1, station=world.station_a, year=2024, enrolled=True)
        candidate(world, 2, station=world.station_a, year=2025)
        candidate(world, 3, station=world.station_b, year=2025, enrolled=True)
        register_year(world.a1, 2025)
        register_year(world.a2, 2025)
        register_year(world.a1, 2026)
        register_year(world.b1, 2025)
        graduate(world.a2, on=dt.date(2026, 7, 1))
        graduate(world.b1, on=dt.date(2026, 7, 1))

    def test_school_wide(self, world, users, intake):
        table = run("yearly-intake", users["academic"])
        assert table.rows == [
            [2024, 1, 1, 0, 0],
            [2025, 2, 1, 3, 0],
            [2026, 0, 0, 1, 2],
        ]
        assert table.totals == ["Total", 3, 2, 4, 2]

    def test_station_staff_see_their_station_only(self, world, users, intake):
        table = run("yearly-intake", users["station"])
        assert table.rows == [[2024, 1, 1, 0, 0], [2025, 1, 0, 2, 0], [2026, 0, 0, 1, 1]]

    def test_years_and_station(self, world, users, intake):
        table = run(
            "yearly-intake",
            users["academic"],
            {"station": world.station_b, "year_from": 2025, "year_to": 2025},
        )
        assert table.rows == [[2025, 1, 1, 1, 0]]

    def test_admissions_need_the_candidates_capability(self, world, users, intake):
        table = run("yearly-intake", users["finance"])
        assert table.rows == [[2025, 0, 0, 3, 0], [2026, 0, 0, 1, 2]]
        assert table.chart is not None
        assert all(point.url is None for point in table.chart.points)

    def test_chart_links_to_the_candidates_of_the_year(self, world, users, intake):
        table = run("yearly-intake", users["academic"], {"station": world.station_a})
        assert table.chart is not None
        assert table.chart.points[0].url == (f"/admissions/?year=2024&station={world.station_a.pk}")

    @pytest.mark.parametrize("role", ["academic", "station"])
    def test_fixed_number_of_queries(self, world, users, role):
        def report():
            return run("yearly-intake", users[role])

        small = query_count(report)
        for serial in range(1, 6):
            student = add_student(world, serial)
            register_year(student, 2020 + serial)
            candidate(world, serial + 10, station=world.station_a, year=2020 + serial)
            graduate(student, on=dt.date(2020 + serial, 7, 1))
        assert query_count(report) == small == 3


class TestStatusChanges:
    @pytest.fixture
    def requests(self, world):
        status_request(world.a1, "suspend", "approved")
        status_request(world.a1, "suspend", "pending_station")
        status_request(world.a2, "suspend", "rejected")
        status_request(world.a2, "withdraw", "pending_school")
        status_request(world.b1, "withdraw", "cancelled")
        # Asked to move b1 into station A: station staff see it as the receiving station.
        status_request(
            world.b1, "change_station", "pending_target_station", new_station=world.station_a
        )

    def test_school_wide(self, world, users, requests):
        table = run("status-changes", users["academic"])
        assert table.rows == [
            ["Suspend studies (休学)", 1, 1, 1, 0, 3],
            ["Withdraw (退学)", 1, 0, 0, 1, 2],
            ["Change station (转函授站)", 1, 0, 0, 0, 1],
        ]
        assert table.totals == ["Total", 3, 1, 1, 1, 6]

    def test_station_staff_count_each_request_once(self, world, users, requests):
        table = run("status-changes", users["station"])
        assert table.rows == [
            ["Suspend studies (休学)", 1, 1, 1, 0, 3],
            ["Withdraw (退学)", 1, 0, 0, 0, 1],
            ["Change station (转函授站)", 1, 0, 0, 0, 1],
        ]

    def test_filters(self, world, users, requests):
        year = dt.date.today().year
        table = run("status-changes", users["academic"], {"kind": "withdraw", "year": year})
        assert table.rows == [["Withdraw (退学)", 1, 0, 0, 1, 2]]
        assert run("status-changes", users["academic"], {"year": year - 1}).rows == []
        table = run("status-changes", users["academic"], {"station": world.station_b})
        assert [row[0] for row in table.rows] == ["Withdraw (退学)", "Change station (转函授站)"]

    def test_chart_links_to_the_requests_of_the_type(self, world, users, requests):
        table = run("status-changes", users["academic"], {"station": world.station_a})
        assert table.chart is not None
        assert table.chart.points[0].url == (
            f"/requests/?kind=suspend&station={world.station_a.pk}"
        )

    @pytest.mark.parametrize("role", ["academic", "station"])
    def test_fixed_number_of_queries(self, world, users, role):
        def report():
            return run("status-changes", users[role])

        status_request(world.a1, "suspend", "approved")
        small = query_count(report)
        for serial in range(1, 6):
            student = add_student(world, serial)
            status_request(student, "withdraw", "rejected")
            status_request(student, "correct_data", "pending_station")
        assert query_count(report) == small == 1
