"""Arrears per station and per student: filters, downloads, station scope, and a fixed
number of queries whatever the number of students."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cems.conftest import add_student
from cems.core.models import PersonalDataLog
from cems.finance import selectors, services
from cems.finance.tests.conftest import pay

STUDENTS = reverse("finance:arrears_students")
STATIONS = reverse("finance:arrears_stations")


@pytest.fixture
def as_role(client_for, settings):
    def make(role):
        client = client_for(role)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def names(response) -> list[str]:
    return [s.name for s in response.context["page"]]


@pytest.fixture
def owing(world, fees):
    """a1 has paid 2025 (owes 3300 for 2026), a2 owes 300 of books in 2025 (and 3300 for
    2026), b1 has paid everything."""
    pay(fees.finance, world.a1, 2025, "3300", "R1")
    pay(fees.finance, world.a2, 2025, "3000", "R2")
    pay(fees.finance, world.b1, 2025, "3300", "R3")
    pay(fees.finance, world.b1, 2026, "3300", "R5")
    return fees


class TestStudents:
    def test_who_owes_and_how_much(self, world, owing, as_role):
        response = as_role("finance").get(STUDENTS)
        assert names(response) == ["张伟", "李娜"]
        owed = {s.name: (s.charged, s.paid, s.owed) for s in response.context["page"]}
        assert owed == {"张伟": (6600, 3300, 3300), "李娜": (6600, 3000, 3600)}

    @pytest.mark.parametrize(
        ("filters", "expected"),
        [({"academic_year": 2025}, ["李娜"]), ({"academic_year": 2026}, ["张伟", "李娜"]),
         ({"min_amount": "3500"}, ["李娜"]), ({"q": "李"}, ["李娜"]),
         ({"q": "102025001001"}, ["张伟"]), ({"cohort": 2026}, []),
         ({"min_amount": "x"}, []), ({"academic_year": "1800"}, [])],
    )  # fmt: skip
    def test_filters(self, world, owing, as_role, filters, expected):
        assert names(as_role("auditor").get(STUDENTS, filters)) == expected

    def test_station_and_program_filters(self, world, owing, as_role, users):
        from cems.students.tests.status_support import extra

        other = add_student(world, 9, program=extra(world).accounting)
        services.fee_item_create(actor=users["finance"], program=other.program,
                                 academic_year=2026, kind="tuition", name="学费",
                                 amount=Decimal("2500"))  # fmt: skip
        services.charges_raise(actor=users["finance"], program=other.program, cohort_year=2025,
                               academic_year=2026)  # fmt: skip
        client = as_role("academic")
        assert names(client.get(STUDENTS, {"program": other.program.pk})) == [other.name]
        assert names(client.get(STUDENTS, {"station": world.station_b.pk})) == []
        pay(owing.finance, world.b1, 2026, "1", "R4", fee_kind="books")  # b1 now owes -1
        assert names(client.get(STUDENTS, {"station": world.station_a.pk})) == [
            "张伟", "李娜", other.name,
        ]  # fmt: skip

    def test_station_staff_see_their_stations_students(self, world, fees, as_role):
        response = as_role("station").get(STUDENTS)
        assert names(response) == ["张伟", "李娜"]
        assert world.b1.student_number not in response.content.decode()
        # Another station in the filter is not a choice: the list is empty, never theirs.
        assert names(as_role("station").get(STUDENTS, {"station": world.station_b.pk})) == []

    def test_download(self, world, owing, as_role, users):
        rows = csv_rows(as_role("finance").get(STUDENTS, {"format": "csv"}))
        assert rows[0][-4:] == ["Charged", "Paid", "Waived", "Owed"]
        assert [(r[1], r[-1]) for r in rows[1:]] == [("张伟", "3300.0"), ("李娜", "3600.0")]
        assert PersonalDataLog.objects.get(subject="finance.arrears").row_count == 2
        xlsx = as_role("finance").get(STUDENTS, {"format": "xlsx"})
        assert xlsx["Content-Disposition"].endswith('.xlsx"')

    @pytest.mark.parametrize("role", ["training", "teacher", "student", "trainee"])
    def test_wrong_roles(self, world, owing, as_role, role):
        assert as_role(role).get(STUDENTS).status_code == 403
        assert as_role(role).get(STUDENTS, {"format": "csv"}).status_code == 403


class TestStations:
    def test_per_station_and_year(self, world, owing, as_role):
        response = as_role("finance").get(STATIONS)
        report = response.context["report"]
        by_code = {row.station.code: row for row in report.stations}
        a, b = by_code[world.station_a.code], by_code[world.station_b.code]
        assert (a.students, a.owed) == (2, Decimal("6900"))
        assert a.by_year == {2025: (1, Decimal("300")), 2026: (2, Decimal("6600"))}
        assert (b.students, b.owed, b.by_year) == (0, 0, {})
        assert report.years == [2025, 2026]
        assert (report.students, report.owed) == (2, Decimal("6900"))
        html = response.content.decode()
        assert "2025–2026" in html
        assert "6900.00" in html

    def test_year_filter(self, world, owing, as_role):
        report = as_role("auditor").get(STATIONS, {"academic_year": 2025}).context["report"]
        assert (report.students, report.owed, report.years) == (1, Decimal("300"), [2025])
        empty = as_role("auditor").get(STATIONS, {"cohort": "x"}).context["report"]
        assert (empty.students, empty.years) == (0, [])

    def test_station_staff_see_their_stations(self, world, owing, as_role):
        response = as_role("station").get(STATIONS)
        assert [row.station for row in response.context["report"].stations] == [world.station_a]
        assert world.station_b.name not in response.content.decode()

    def test_download(self, world, owing, as_role):
        rows = csv_rows(as_role("finance").get(STATIONS, {"format": "csv"}))
        assert rows[0][:4] == ["Station code", "Station", "Students owing", "Owed"]
        assert rows[0][4:] == ["Students owing 2025–2026", "Owed 2025–2026",
                               "Students owing 2026–2027", "Owed 2026–2027"]  # fmt: skip
        assert rows[1] == [world.station_a.code, world.station_a.name, "2", "6900.0", "1",
                           "300.0", "2", "6600.0"]  # fmt: skip
        assert rows[-1][1:4] == ["Total", "2", "6900.0"]

    @pytest.mark.parametrize("role", ["training", "teacher", "student", "trainee"])
    def test_wrong_roles(self, world, as_role, role):
        assert as_role(role).get(STATIONS).status_code == 403


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", [STUDENTS, STATIONS])
@pytest.mark.parametrize("role", ["finance", "station"])
def test_a_fixed_number_of_queries_for_3_or_30_students(world, fees, as_role, settings, url,
                                                        role):  # fmt: skip
    settings.CEMS_PAGE_SIZE = 50
    client = as_role(role)
    few = _queries(client, url)
    for serial in range(20, 47):
        add_student(world, serial)
    services.charges_raise(actor=fees.finance, program=world.program, cohort_year=2025,
                           academic_year=2026)  # fmt: skip
    assert len(selectors.arrears_students(user=fees.finance, filters={})) == 30
    assert _queries(client, url) == few
