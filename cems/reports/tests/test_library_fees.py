"""Fees per station: charged, waived, collected and owed on hand-built entries, the scope,
a fixed number of queries."""

from decimal import Decimal

import pytest
from django.utils import translation

from cems.conftest import add_student
from cems.reports.tests.report_fixtures import (
    CHARGE,
    PAYMENT,
    REFUND,
    WAIVER,
    fee,
    query_count,
    run,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def D(text: str) -> Decimal:
    return Decimal(text)


@pytest.fixture
def entries(world):
    fee(world.a1, CHARGE, "3000")
    fee(world.a1, PAYMENT, "3000")
    fee(world.a1, REFUND, "200")  # a1 owes 200 again
    fee(world.a2, CHARGE, "3000")
    fee(world.a2, WAIVER, "500")
    fee(world.a2, PAYMENT, "1000")  # a2 owes 1500
    fee(world.a2, CHARGE, "3000", year=2026)  # and 3000 for the next year
    fee(world.b1, CHARGE, "2800")
    fee(world.b1, PAYMENT, "3000")  # b1 paid 200 in advance


class TestFeesPerStation:
    def test_school_wide(self, world, users, entries):
        table = run("fees", users["finance"])
        assert table.rows == [
            ["ZD4302", "长沙函授站", D("9000"), D("500"), D("3800"), D("4700")],
            ["ZD4401", "广州函授站", D("2800"), D("0"), D("3000"), D("-200")],
        ]
        assert table.totals == ["", "Total", D("11800"), D("500"), D("6800"), D("4500")]

    def test_owed_is_the_ledgers_balance(self, world, users, entries):
        from cems.finance.ledger import balance

        table = run("fees", users["finance"], {"station": world.station_a})
        assert table.rows[0][-1] == balance(world.a1) + balance(world.a2)

    def test_academic_year_and_cohort(self, world, users, entries):
        table = run("fees", users["finance"], {"academic_year": 2026})
        assert table.rows == [["ZD4302", "长沙函授站", D("3000"), D("0"), D("0"), D("3000")]]
        assert run("fees", users["finance"], {"cohort": 2024}).rows == []

    def test_station_staff_see_their_station_only(self, world, users, entries):
        table = run("fees", users["station"])
        assert [row[1] for row in table.rows] == ["长沙函授站"]
        assert table.totals == ["", "Total", D("9000"), D("500"), D("3800"), D("4700")]

    def test_chart_of_what_is_owed_links_to_the_arrears(self, world, users, entries):
        table = run("fees", users["finance"], {"academic_year": 2025})
        assert table.chart is not None
        assert [(p.label, p.value) for p in table.chart.points] == [
            ("长沙函授站", D("1700")),
            ("广州函授站", D("0")),  # paid in advance: no bar below zero
        ]
        assert table.chart.points[0].url == (
            f"/fees/arrears/?station={world.station_a.pk}&academic_year=2025"
        )

    def test_no_fees_for_roles_without_them(self, world, users, entries):
        assert run("fees", users["academic"]).rows != []
        assert run("fees", users["teacher"]).rows == []

    @pytest.mark.parametrize("role", ["finance", "station"])
    def test_fixed_number_of_queries(self, world, users, role):
        def report():
            return run("fees", users[role])

        fee(world.a1, CHARGE, "3000")
        small = query_count(report)
        for serial in range(1, 6):
            student = add_student(world, serial)
            fee(student, CHARGE, "3000", year=2020 + serial)
            fee(student, PAYMENT, "100", year=2020 + serial)
        assert query_count(report) == small == 1
