import pytest

from cems.conftest import add_student
from cems.organization.models import Station
from cems.reports.selectors import Chart, dashboard_charts, dashboard_figures
from cems.students.models import StudentStatus


def charts_of(user) -> dict[str, Chart]:
    return {chart.key: chart for chart in dashboard_charts(user=user)}


def bars(chart: Chart) -> list[tuple[str, int]]:
    return [(bar.label, bar.count) for bar in chart.bars]


class TestDashboardCharts:
    def test_charts_in_order(self, world, users):
        keys = [chart.key for chart in dashboard_charts(user=users["academic"])]
        assert keys == ["province", "station", "level", "mode", "cohort", "status"]

    def test_school_wide_counts_largest_first(self, world, users):
        charts = charts_of(users["academic"])
        assert bars(charts["province"]) == [("湖南省", 2), ("广东省", 1)]
        assert bars(charts["station"]) == [("长沙函授站", 2), ("广州函授站", 1)]
        assert bars(charts["level"]) == [(str(world.program.get_level_display()), 3)]
        assert bars(charts["mode"]) == [(str(world.program.get_mode_display()), 3)]
        assert charts["province"].total == 3

    def test_bar_lengths_are_relative_to_the_longest(self, world, users):
        add_student(world, 1, station=world.station_b)
        add_student(world, 2, station=world.station_b)
        add_student(world, 3, station=world.station_b)  # B: 4, A: 2
        chart = charts_of(users["academic"])["station"]
        assert [bar.percent for bar in chart.bars] == [100.0, 50.0]

    def test_bars_carry_the_filters_of_the_list_behind_them(self, world, users):
        charts = charts_of(users["academic"])
        assert charts["province"].bars[0].filters == {
            "status": "registered",
            "province": world.hunan.pk,
        }
        assert charts["station"].bars[1].filters == {
            "status": "registered",
            "station": world.station_b.pk,
        }
        assert charts["cohort"].bars[0].filters == {"status": "registered", "cohort": 2025}
        assert charts["status"].bars[0].filters == {"status": "registered"}

    def test_only_registered_students_except_in_the_status_chart(self, world, users):
        world.b1.status = StudentStatus.WITHDRAWN
        world.b1.save()
        add_student(world, 1, status=StudentStatus.GRADUATED, cohort_year=2019)
        charts = charts_of(users["academic"])
        for key in ("province", "station", "level", "mode", "cohort"):
            assert charts[key].total == 2, key
        assert bars(charts["province"]) == [("湖南省", 2)]
        assert bars(charts["cohort"]) == [("2025", 2)]
        status = {bar.filters["status"]: bar.count for bar in charts["status"].bars}
        assert status == {"registered": 2, "withdrawn": 1, "graduated": 1}

    def test_cohorts_are_in_year_order(self, world, users):
        for serial, year in enumerate([2024, 2024, 2024, 2026], start=1):
            add_student(world, serial, cohort_year=year)
        chart = charts_of(users["academic"])["cohort"]
        assert bars(chart) == [("2024", 3), ("2025", 3), ("2026", 1)]

    def test_station_staff_see_their_station_only(self, world, users):
        charts = charts_of(users["station"])
        assert bars(charts["province"]) == [("湖南省", 2)]
        assert bars(charts["station"]) == [("长沙函授站", 2)]
        assert charts["status"].total == 2

    def test_empty_scope_gives_empty_charts(self, world, users):
        charts = dashboard_charts(user=users["teacher"])
        assert len(charts) == 6
        assert all(chart.bars == [] and chart.total == 0 for chart in charts)


class TestDashboardFigures:
    def test_school_wide(self, world, users):
        user = users["finance"]
        figures = dashboard_figures(user=user, charts=dashboard_charts(user=user))
        assert figures == {"registered": 3, "provinces": 2, "stations": 2, "majors": 1}

    def test_inactive_stations_and_other_statuses_are_left_out(self, world, users):
        Station.objects.filter(pk=world.station_b.pk).update(is_active=False)
        world.b1.status = StudentStatus.GRADUATED
        world.b1.save()
        user = users["academic"]
        figures = dashboard_figures(user=user, charts=dashboard_charts(user=user))
        assert figures == {"registered": 2, "provinces": 1, "stations": 1, "majors": 1}

    def test_station_staff(self, world, users):
        user = users["station"]
        figures = dashboard_figures(user=user, charts=dashboard_charts(user=user))
        assert figures == {"registered": 2, "provinces": 1, "stations": 1, "majors": 1}

    @pytest.mark.parametrize("role", ["teacher", "trainee"])
    def test_nothing_in_scope(self, world, users, role):
        user = users[role]
        figures = dashboard_figures(user=user, charts=dashboard_charts(user=user))
        assert figures == {"registered": 0, "provinces": 0, "stations": 0, "majors": 0}
