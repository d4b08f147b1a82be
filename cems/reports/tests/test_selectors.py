import datetime as dt
from decimal import Decimal

import pytest

from cems.conftest import add_student
from cems.finance.models import EntryKind, FeeEntry, FeeKind
from cems.organization.models import Station
from cems.reports.selectors import (
    Chart,
    MonthCount,
    dashboard_charts,
    dashboard_figures,
    expiring_certificates,
    fees_by_station,
    own_trainee,
    pending_requests,
    training_this_year,
)
from cems.students.models import (
    RequestState,
    StatusChangeKind,
    StatusChangeRequest,
    StudentStatus,
)
from cems.training.models import Certificate, CertificateStatus, Enrollment
from cems.training.tests.certificate_fixtures import certified
from cems.training.tests.people_fixtures import make_trainee


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


# --- Requests, fees, training, one's own file ------------------------------------------------


def entry(student, kind: str, amount: str, year: int = 2026) -> FeeEntry:
    return FeeEntry.objects.create(
        student=student, academic_year=year, kind=kind, fee_kind=FeeKind.TUITION,
        amount=Decimal(amount), booked_on=dt.date(year, 9, 1),
    )  # fmt: skip


def request(student, state: str, filer) -> StatusChangeRequest:
    return StatusChangeRequest.objects.create(
        student=student, kind=StatusChangeKind.WITHDRAW, reason="本人申请", filed_by=filer,
        state=state,
    )  # fmt: skip


class TestPendingRequests:
    def test_per_step_in_order_decided_ones_left_out(self, world, users):
        filer = users["station"]
        request(world.a1, RequestState.PENDING_SCHOOL, filer)
        request(world.a2, RequestState.PENDING_STATION, filer)
        request(world.b1, RequestState.PENDING_STATION, filer)
        request(world.b1, RequestState.APPROVED, filer)
        counts = pending_requests(user=users["academic"])
        assert [(c.state, c.count) for c in counts] == [
            ("pending_station", 2),
            ("pending_school", 1),
        ]

    def test_station_staff_count_their_stations_requests(self, world, users):
        filer = users["station"]
        request(world.a2, RequestState.PENDING_STATION, filer)
        request(world.b1, RequestState.PENDING_STATION, filer)
        counts = pending_requests(user=users["station"])
        assert [(c.state, c.count) for c in counts] == [("pending_station", 1)]

    def test_one_query(self, world, users, django_assert_num_queries):
        request(world.a1, RequestState.PENDING_SCHOOL, users["station"])
        with django_assert_num_queries(1):
            pending_requests(user=users["academic"])


class TestFeesByStation:
    @pytest.fixture
    def ledger(self, world):
        entry(world.a1, EntryKind.CHARGE, "3000")
        entry(world.a1, EntryKind.PAYMENT, "3000")
        entry(world.a2, EntryKind.CHARGE, "3000")
        entry(world.a2, EntryKind.PAYMENT, "1000")
        entry(world.a2, EntryKind.REFUND, "200")  # collected 800, owes 2,200
        entry(world.b1, EntryKind.CHARGE, "2500")
        entry(world.b1, EntryKind.WAIVER, "500")  # owes 2,000

    def test_charged_collected_owed(self, world, users, ledger):
        rows = fees_by_station(user=users["finance"])
        assert [(r.station, r.charged, r.collected, r.owed, r.owing) for r in rows] == [
            (world.station_a, Decimal("6000"), Decimal("3800"), Decimal("2200.00"), 1),
            (world.station_b, Decimal("2500"), Decimal("0"), Decimal("2000.00"), 1),
        ]

    def test_station_staff_get_their_station_only(self, world, users, ledger):
        rows = fees_by_station(user=users["station"])
        assert [(r.station, r.charged, r.owed) for r in rows] == [
            (world.station_a, Decimal("6000"), Decimal("2200.00")),
        ]

    def test_stations_without_entries_show_zero(self, world, users):
        rows = fees_by_station(user=users["finance"])
        zero = Decimal(0)
        assert [(r.charged, r.collected, r.owed, r.owing) for r in rows] == [
            (zero, zero, zero, 0)
        ] * 2

    def test_four_queries_whatever_the_data(self, world, users, ledger, django_assert_num_queries):
        with django_assert_num_queries(4):
            fees_by_station(user=users["finance"])
        for serial in range(1, 8):
            entry(add_student(world, serial), EntryKind.CHARGE, "100", year=2020 + serial % 3)
        with django_assert_num_queries(4):
            rows = fees_by_station(user=users["finance"])
        assert rows[0].owing == 8


class TestTraining:
    def test_this_years_trainees_and_person_times(self, db):
        first = certified(1, code="TZZY")  # a project starting 2026-03-01
        Enrollment.objects.create(project=first.enrollment.project, trainee=make_trainee(2))
        certified(3, code="KZ")
        rows = training_this_year(year=2026)
        assert sorted((r.category.code, r.trainees, r.person_times) for r in rows) == [
            ("KZ", 1, 1),
            ("TZZY", 2, 2),
        ]
        assert training_this_year(year=2025) == []

    def test_expiring_per_month_and_category(self, db, users):
        today = dt.date(2026, 11, 28)
        dates = [dt.date(2026, 11, 30), dt.date(2026, 12, 1), dt.date(2027, 11, 28),
                 dt.date(2027, 11, 29), dt.date(2026, 11, 27)]  # fmt: skip
        made = []
        for serial, expires in enumerate(dates, start=1):
            cert = certified(serial, code="TZZY" if serial % 2 else "KZ")
            Certificate.objects.filter(pk=cert.pk).update(expires_on=expires)
            made.append(cert)
        Certificate.objects.filter(pk=made[1].pk).update(status=CertificateStatus.REVOKED,
                                                         revocation_reason="x")  # fmt: skip
        expiring = expiring_certificates(user=users["training"], today=today)
        assert expiring.months[0] == MonthCount(dt.date(2026, 11, 1), 1, 2)
        assert expiring.months[1] == MonthCount(dt.date(2026, 12, 1), 0, 33)
        assert expiring.months[-1] == MonthCount(dt.date(2027, 11, 1), 1, 365)
        assert len(expiring.months) == 13
        assert expiring.total == 2  # the revoked, the expired and the one too late are left out
        assert [(c.name, c.count) for c in expiring.categories] == [(made[0].category.name, 2)]

    def test_nobody_else_sees_certificates(self, db, users):
        cert = certified(1)
        Certificate.objects.filter(pk=cert.pk).update(expires_on=dt.date(2026, 12, 1))
        expiring = expiring_certificates(user=users["academic"], today=dt.date(2026, 11, 28))
        assert expiring.total == 0
        assert expiring.categories == []

    def test_own_trainee(self, db, users):
        cert = certified(1, user=users["trainee"])
        Certificate.objects.filter(pk=cert.pk).update(expires_on=dt.date(2030, 1, 1))
        certified(2)  # someone else's
        trainee = own_trainee(user=users["trainee"], today=dt.date(2026, 11, 28))
        assert trainee == cert.trainee
        assert getattr(trainee, "certificates_in_force", None) == 1
        later = own_trainee(user=users["trainee"], today=dt.date(2030, 1, 2))
        assert getattr(later, "certificates_in_force", None) == 0
        assert own_trainee(user=users["academic"], today=dt.date(2026, 11, 28)) is None
