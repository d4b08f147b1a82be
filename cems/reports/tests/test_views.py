import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cems.conftest import World, add_student
from cems.finance.models import EntryKind, FeeEntry, FeeKind
from cems.organization.models import Station
from cems.students.models import (
    RequestState,
    StatusChangeKind,
    StatusChangeRequest,
    Student,
    StudentStatus,
)
from cems.training import certificates
from cems.training.models import Certificate, Project
from cems.training.tests.certificate_fixtures import certified

DASHBOARD = reverse("reports:dashboard")


def bar_links(response, prefix: str = "/students/") -> list[tuple[str, str]]:
    """(link, value) of every linked bar of the page's SVG charts leading to `prefix`."""
    found = re.findall(
        rf'<a href="({re.escape(prefix)}\?[^"]*)"><g class="bar">.*?'
        r'<text class="value"[^>]*>([\d,.]+)</text>',
        response.content.decode(),
        flags=re.DOTALL,
    )
    return [(html.unescape(link), value.replace(",", "")) for link, value in found]


class TestDashboard:
    def test_anonymous_is_sent_to_sign_in(self, world, client_for):
        response = client_for(None).get(DASHBOARD)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]

    @pytest.mark.parametrize("role", ["admin", "academic", "finance", "auditor"])
    def test_school_roles_see_figures_for_all_students(self, world, client_for, role):
        response = client_for(role).get(DASHBOARD)
        assert response.status_code == 200
        assert response.context["figures"]["registered"] == 3
        assert response.context["figures"]["stations"] == 2
        page = response.content.decode()
        assert "长沙函授站" in page
        assert "广州函授站" in page
        assert "own_records" not in response.context

    def test_station_staff_see_their_station_only(self, world, client_for):
        response = client_for("station").get(DASHBOARD)
        assert response.status_code == 200
        assert response.context["figures"] == {
            "registered": 2, "provinces": 1, "stations": 1, "majors": 1,
        }  # fmt: skip
        page = response.content.decode()
        assert "长沙函授站" in page
        assert "广州函授站" not in page
        assert "广东省" not in page
        links = dict(bar_links(response))
        assert links[f"/students/?status=registered&station={world.station_a.pk}"] == "2"
        assert links[f"/students/?status=registered&province={world.hunan.pk}"] == "2"
        assert '<svg class="chart bars"' in page
        assert '<svg class="chart columns"' in page  # cohorts over the years

    def test_student_sees_their_own_record_only(self, world, client_for):
        response = client_for("student").get(DASHBOARD)
        assert response.status_code == 200
        assert response.context["own_records"] == [world.a1]
        assert "charts" not in response.context
        page = response.content.decode()
        assert "张伟" in page
        assert world.a1.student_number in page
        assert reverse("students:detail", args=[world.a1.pk]) in page
        for other in (world.a2, world.b1):
            assert other.name not in page
            assert other.student_number not in page

    def test_student_without_a_record_gets_the_plain_page(self, world, users, client_for):
        Student.objects.filter(pk=world.a1.pk).update(user=None)
        response = client_for("student").get(DASHBOARD)
        assert response.status_code == 200
        assert "charts" not in response.context
        assert not response.context["own_records"]
        assert "张伟" not in response.content.decode()
        assert users["student"].get_role_display() in response.content.decode()

    @pytest.mark.parametrize("role", ["teacher", "trainee", "training"])
    def test_other_roles_see_no_student(self, world, users, client_for, role):
        response = client_for(role).get(DASHBOARD)
        assert response.status_code == 200
        assert "charts" not in response.context
        assert "figures" not in response.context
        assert "own_records" not in response.context
        page = response.content.decode()
        assert bar_links(response) == []
        for student in (world.a1, world.a2, world.b1):
            assert student.name not in page

    def test_bounded_number_of_queries(self, world, client_for):
        client = client_for("academic")
        client.get(DASHBOARD)

        def count_queries() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(DASHBOARD).status_code == 200
            return len(queries)

        with_three = count_queries()
        stations = [
            Station.objects.create(
                code=f"ZD44{n}", name=f"教学点{n}", province=world.guangdong, city="深圳",
                host_institution="某中心", contact_person="刘老师",
                contact_phone="0755-2223333", agreement_start=dt.date(2020, 1, 1),
            )
            for n in (10, 11, 12)
        ]  # fmt: skip
        statuses = list(StudentStatus)
        for serial in range(1, 28):
            add_student(
                world, serial, station=stations[serial % 3], cohort_year=2020 + serial % 5,
                status=statuses[serial % len(statuses)],
            )  # fmt: skip
        assert count_queries() == with_three
        assert with_three <= 12


class TestBarLinks:
    @pytest.fixture
    def varied(self, world: World) -> None:
        world.b1.status = StudentStatus.SUSPENDED
        world.b1.save()
        add_student(world, 1, station=world.station_b, cohort_year=2024)
        add_student(
            world, 2, station=world.station_b, cohort_year=2024, status=StudentStatus.GRADUATED
        )
        add_student(world, 3, cohort_year=2023)

    @pytest.mark.parametrize("role", ["academic", "station", "finance"])
    def test_each_bar_leads_to_a_list_of_as_many_students(self, world, client_for, varied, role):
        client = client_for(role)
        response = client.get(DASHBOARD)
        links = bar_links(response)
        charts = response.context["charts"]
        assert len(links) == sum(len(chart.points) for chart in charts)
        assert len(links) >= 6
        for link, count in links:
            listed = client.get(link)
            assert listed.status_code == 200, link
            assert listed.context["form"].errors == {}, link
            assert listed.context["page"].paginator.count == int(count), link


# --- The dashboards by role ------------------------------------------------------------------


def entry(student: Student, kind: str, amount: str, year: int = 2026) -> FeeEntry:
    return FeeEntry.objects.create(
        student=student, academic_year=year, kind=kind, fee_kind=FeeKind.TUITION,
        amount=Decimal(amount), booked_on=dt.date(year, 9, 1),
    )  # fmt: skip


def pending(student: Student, state: str, filer) -> StatusChangeRequest:
    return StatusChangeRequest.objects.create(
        student=student, kind=StatusChangeKind.WITHDRAW, reason="本人申请", filed_by=filer,
        state=state,
    )  # fmt: skip


def expiring(serial: int, code: str, days: int, **fields) -> Certificate:
    """A certificate of this year's project, expiring `days` from today."""
    cert = certified(serial, code=code, **fields)
    today = certificates.today()
    Project.objects.filter(pk=cert.enrollment.project_id).update(
        start_date=dt.date(today.year, 1, 1), end_date=dt.date(today.year, 1, 10)
    )
    Certificate.objects.filter(pk=cert.pk).update(expires_on=today + dt.timedelta(days=days))
    return cert


class TestRequests:
    @pytest.fixture
    def requests(self, world, users):
        filer = users["station"]
        pending(world.a1, RequestState.PENDING_STATION, filer)
        pending(world.a2, RequestState.PENDING_SCHOOL, filer)
        pending(world.b1, RequestState.PENDING_STATION, filer)
        pending(world.b1, RequestState.REJECTED, filer)

    @pytest.mark.parametrize(("role", "total"), [("academic", 3), ("auditor", 3), ("station", 2)])
    def test_pending_count_and_bars_to_the_list(self, world, client_for, requests, role, total):
        client = client_for(role)
        response = client.get(DASHBOARD)
        assert response.context["requests"]["total"] == total
        links = bar_links(response, reverse("status_changes:list"))
        assert len(links) == 2
        for link, count in links:
            listed = client.get(link)
            assert listed.status_code == 200, link
            assert listed.context["page"].paginator.count == int(count), link
        if role == "station":
            assert dict(links)[f"{reverse('status_changes:list')}?state=pending_station"] == "1"

    def test_approvers_are_led_to_their_pending_list(self, world, client_for, requests):
        page = client_for("academic").get(DASHBOARD).content.decode()
        assert f'href="{reverse("status_changes:pending")}"' in page
        auditor = client_for("auditor").get(DASHBOARD)
        assert auditor.context["requests"]["pending_url"] is None


class TestFinance:
    @pytest.fixture
    def ledger(self, world):
        entry(world.a1, EntryKind.CHARGE, "3000")
        entry(world.a1, EntryKind.PAYMENT, "1000")
        entry(world.a2, EntryKind.CHARGE, "3000")
        entry(world.a2, EntryKind.PAYMENT, "3000")
        entry(world.b1, EntryKind.CHARGE, "2500")

    def test_fees_per_station_and_the_students(self, world, client_for, ledger):
        response = client_for("finance").get(DASHBOARD)
        fees = response.context["fees"]
        assert (fees["charged"], fees["collected"], fees["owed"]) == (8500, 4000, 4500)
        assert "charts" in response.context  # the students' figures follow
        page = response.content.decode()
        assert 'id="fees-by-station"' in page

    def test_owed_bars_lead_to_the_arrears_of_the_station(self, world, client_for, ledger):
        client = client_for("finance")
        links = bar_links(client.get(DASHBOARD), reverse("finance:arrears_students"))
        assert dict(links) == {
            f"/fees/arrears/?station={world.station_a.pk}": "2000",
            f"/fees/arrears/?station={world.station_b.pk}": "2500",
        }
        for link, owed in links:
            listed = client.get(link)
            assert listed.context["form"].errors == {}
            assert sum(s.owed for s in listed.context["page"]) == Decimal(owed)

    @pytest.mark.parametrize("role", ["academic", "station", "auditor", "admin"])
    def test_other_roles_get_no_fee_section(self, world, client_for, ledger, role):
        assert "fees" not in client_for(role).get(DASHBOARD).context


class TestTraining:
    @pytest.fixture
    def certs(self, users):
        expiring(1, "TZZY", 10)
        expiring(2, "TZZY", 40)
        expiring(3, "KZ", 300)
        expiring(4, "KZ", 400)  # beyond the year

    def test_this_years_figures_and_expiring_certificates(self, client_for, certs):
        response = client_for("training").get(DASHBOARD)
        training = response.context["training"]
        assert training["trainees"] == 4
        assert training["person_times"] == 4
        assert training["expiring"].total == 3
        assert "charts" not in response.context
        assert "fees" not in response.context

    def test_bars_lead_to_their_lists(self, client_for, certs):
        client = client_for("training")
        response = client.get(DASHBOARD)
        certificate_links = bar_links(response, reverse("training:certificate_list"))
        report_links = bar_links(response, reverse("training:report"))
        assert len(report_links) == 4  # trainees and person-times of two categories
        for link, _count in report_links:
            listed = client.get(link)
            assert listed.context["form"].errors == {}, link
            assert len([r for r in listed.context["rows"] if r.year]) == 1, link
        by_category = [(link, n) for link, n in certificate_links if "category=" in link]
        assert sorted(n for _link, n in by_category) == ["1", "2"]
        for link, count in by_category:
            listed = client.get(link)
            assert listed.context["form"].errors == {}, link
            assert listed.context["page"].paginator.count == int(count), link
        months = [(link, n) for link, n in certificate_links if "category=" not in link]
        assert len(months) in (12, 13)
        assert sum(int(n) for _link, n in months) == 3

    def test_no_training_figures_for_others(self, world, client_for, certs):
        assert "training" not in client_for("auditor").get(DASHBOARD).context


class TestTrainee:
    def test_own_record_links_to_the_portal(self, world, users, client_for):
        expiring(1, "TZZY", 100, user=users["trainee"], name="孙强")
        expiring(2, "TZZY", 100, name="周杰")
        response = client_for("trainee").get(DASHBOARD)
        assert response.context["trainee"].name == "孙强"
        page = response.content.decode()
        assert reverse("training:portal") in page
        assert "周杰" not in page

    def test_trainee_without_a_file(self, world, users, client_for):
        response = client_for("trainee").get(DASHBOARD)
        assert response.context["trainee"] is None
        assert users["trainee"].get_role_display() in response.content.decode()


def grow(world: World, users, size: int) -> None:
    """More of everything each dashboard counts: students at new stations, fee entries,
    pending requests, certificates expiring soon."""
    stations = [
        Station.objects.create(
            code=f"ZD45{size}{n}", name=f"教学点{size}{n}", province=world.guangdong,
            city="深圳", host_institution="某中心", contact_person="刘老师",
            contact_phone="0755-2223333", agreement_start=dt.date(2020, 1, 1),
        )
        for n in range(size)
    ]  # fmt: skip
    if stations:
        users["station"].stations.add(stations[0])
    for serial in range(1, size * 4 + 1):
        student = add_student(
            world, size * 100 + serial, station=stations[serial % size],
            cohort_year=2020 + serial % 5, status=list(StudentStatus)[serial % 6],
        )  # fmt: skip
        entry(student, EntryKind.CHARGE, "1000", year=2020 + serial % 4)
        entry(student, EntryKind.PAYMENT, "300")
        pending(student, [RequestState.PENDING_STATION, RequestState.PENDING_SCHOOL][serial % 2],
                users["station"])  # fmt: skip
    for serial in range(1, size * 2 + 1):
        expiring(size * 10 + serial, ["TZZY", "KZ"][serial % 2], serial * 17)


class TestQueries:
    @pytest.mark.parametrize(
        "role", ["admin", "academic", "station", "auditor", "finance", "training", "teacher",
                 "student", "trainee"],
    )  # fmt: skip
    def test_fixed_number_of_queries_per_dashboard(self, world, users, client_for, role):
        expiring(1, "TZZY", 30, user=users["trainee"])
        client = client_for(role)
        client.get(DASHBOARD)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(DASHBOARD).status_code == 200
            return len(queries)

        grow(world, users, 2)
        small = count()
        grow(world, users, 5)
        assert count() == small
        assert small <= 16  # 11 for the students' dashboards, 15 with the fees
