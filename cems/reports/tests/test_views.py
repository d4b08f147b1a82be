import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cems.conftest import World, add_student
from cems.organization.models import Station
from cems.students.models import Student, StudentStatus

DASHBOARD = reverse("reports:dashboard")


def bar_links(response) -> list[tuple[str, int]]:
    """(link, count) of every bar on the page, read from the HTML."""
    found = re.findall(
        r'<a href="(/students/\?[^"]*)">.*?<span class="barvalue">(\d+)</span>',
        response.content.decode(),
        flags=re.DOTALL,
    )
    return [(html.unescape(link), int(count)) for link, count in found]


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
        assert links[f"/students/?status=registered&station={world.station_a.pk}"] == 2
        assert links[f"/students/?status=registered&province={world.hunan.pk}"] == 2

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
    def test_other_roles_get_the_plain_page(self, world, users, client_for, role):
        response = client_for(role).get(DASHBOARD)
        assert response.status_code == 200
        assert "charts" not in response.context
        assert "figures" not in response.context
        assert "own_records" not in response.context
        page = response.content.decode()
        assert users[role].get_role_display() in page
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
        assert len(links) == sum(len(chart.bars) for chart in charts)
        assert len(links) >= 6
        for link, count in links:
            listed = client.get(link)
            assert listed.status_code == 200, link
            assert listed.context["form"].errors == {}, link
            assert listed.context["page"].paginator.count == count, link
