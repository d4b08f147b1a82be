import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from cems.catalog.models import Level, Major, Program, StudyMode
from cems.conftest import World, add_student, make_id_number
from cems.core.masking import mask_id_number
from cems.organization.models import Station
from cems.students.models import Student, StudentStatus

LIST = reverse("students:list")
X_ID = make_id_number(dt.date(1990, 5, 17), "M", 5)  # 43030219900517051X
X_ID_MASKED = "4303**********051X"


def detail_url(student: Student) -> str:
    return reverse("students:detail", args=[student.pk])


def add_x_student(world: World) -> Student:
    return add_student(world, 5, name="钱七", id_number=X_ID, birth_date=dt.date(1990, 5, 17))


def listed(response) -> list[str]:
    return [s.name for s in response.context["page"]]


def csv_rows(response) -> list[list[Any]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def xlsx_rows(response) -> list[list[Any]]:
    return (
        CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        .get_sheet_by_index(0)
        .to_python()
    )


def download(client, fmt: str, **params: str) -> list[list[Any]]:
    response = client.get(LIST, {**params, "format": fmt})
    assert response.status_code == 200
    return list(csv_rows(response) if fmt == "csv" else xlsx_rows(response))


class TestAccess:
    def test_anonymous_is_sent_to_sign_in(self, world, client_for):
        response = client_for(None).get(LIST)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]

    @pytest.mark.parametrize("role", ["student", "teacher", "trainee", "training"])
    def test_roles_that_cannot_list_get_403(self, world, client_for, role):
        assert client_for(role).get(LIST).status_code == 403
        assert client_for(role).get(LIST, {"format": "csv"}).status_code == 403

    def test_school_role_sees_all(self, world, client_for):
        assert listed(client_for("auditor").get(LIST)) == ["张伟", "李娜", "王芳"]

    def test_station_staff_see_their_station_only(self, world, client_for):
        response = client_for("station").get(LIST)
        assert listed(response) == ["张伟", "李娜"]
        assert "王芳" not in response.content.decode()
        assert list(response.context["form"].fields["station"].queryset) == [world.station_a]


class TestFilters:
    @pytest.fixture
    def more(self, world: World) -> dict[str, Student]:
        major = Major.objects.create(
            code="120203K", short_code="002", name="会计学", name_en="Accounting",
            discipline="management",
        )  # fmt: skip
        program = Program.objects.create(
            major=major, level=Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE, mode=StudyMode.SPARE_TIME,
            standard_length_years=Decimal("2.5"), credits_to_graduate=70,
            tuition_per_year=Decimal("2800"),
        )  # fmt: skip
        return {
            "accounting": add_student(
                world, 1, name="孙八", program=program, station=world.station_b
            ),
            "old": add_student(
                world, 2, name="周九", cohort_year=2023, status=StudentStatus.GRADUATED
            ),
        }

    @pytest.mark.parametrize(
        ("param", "expected"),
        [
            ("station", ["王芳", "孙八"]),
            ("province", ["张伟", "李娜", "周九"]),
            ("major", ["孙八"]),
            ("level", ["孙八"]),
            ("mode", ["孙八"]),
            ("cohort", ["周九"]),
            ("status", ["周九"]),
        ],
    )
    def test_each_filter(self, world, client_for, more, param, expected):
        value = {
            "station": world.station_b.pk,
            "province": world.hunan.pk,
            "major": more["accounting"].program.major_id,
            "level": Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE.value,
            "mode": StudyMode.SPARE_TIME.value,
            "cohort": 2023,
            "status": StudentStatus.GRADUATED.value,
        }[param]
        response = client_for("academic").get(LIST, {param: value})
        assert response.context["form"].errors == {}
        assert listed(response) == expected

    def test_filters_combine(self, world, client_for, more):
        params = {"province": world.hunan.pk, "status": "registered", "cohort": "2025"}
        assert listed(client_for("academic").get(LIST, params)) == ["张伟", "李娜"]

    @pytest.mark.parametrize(
        ("q", "expected"),
        [
            ("娜", ["李娜"]),
            ("1020250010", ["张伟", "李娜", "王芳"]),  # 学号 prefix
            ("102025001003", ["王芳"]),
            ("26102025001001", ["张伟"]),  # 考生号
            ("没有这个人", []),
        ],
    )
    def test_search(self, world, client_for, q, expected):
        assert listed(client_for("academic").get(LIST, {"q": q})) == expected

    @pytest.mark.parametrize("q", [X_ID, X_ID.lower()])
    def test_search_by_exact_id_number(self, world, client_for, q):
        add_x_student(world)
        assert listed(client_for("finance").get(LIST, {"q": q})) == ["钱七"]

    def test_station_outside_scope_is_a_form_error_over_an_empty_list(self, world, client_for):
        response = client_for("station").get(LIST, {"station": world.station_b.pk})
        assert response.status_code == 200
        assert "station" in response.context["form"].errors
        assert listed(response) == []
        html = response.content.decode()
        assert "王芳" not in html
        assert response.context["form"].errors["station"][0] in html

    def test_station_outside_scope_never_widens_downloads(self, world, client_for):
        rows = download(client_for("station"), "csv", station=str(world.station_b.pk))
        assert rows[1:] == []

    def test_unknown_station_is_a_form_error(self, world, client_for):
        response = client_for("finance").get(LIST, {"station": "99999"})
        assert "station" in response.context["form"].errors
        assert listed(response) == []

    @pytest.mark.parametrize("cohort", ["abc", "1800", "20245"])
    def test_impossible_cohort_shows_an_error_over_an_empty_list(self, world, client_for, cohort):
        response = client_for("academic").get(
            LIST, {"cohort": cohort, "station": world.station_a.pk}
        )
        assert response.status_code == 200
        form = response.context["form"]
        assert list(form.errors) == ["cohort"]
        assert form.errors["cohort"][0] in response.content.decode()
        assert listed(response) == []

    def test_pagination(self, world, client_for, settings):
        settings.CEMS_PAGE_SIZE = 2
        client = client_for("academic")
        first = client.get(LIST)
        assert listed(first) == ["张伟", "李娜"]
        assert first.context["page"].paginator.num_pages == 2
        assert listed(client.get(LIST, {"page": 2})) == ["王芳"]
        assert listed(client.get(LIST, {"page": "x"})) == ["张伟", "李娜"]

    def test_page_links_keep_the_filters(self, world, client_for, settings):
        settings.CEMS_PAGE_SIZE = 1
        html = client_for("academic").get(LIST, {"province": world.hunan.pk}).content.decode()
        assert f"province={world.hunan.pk}&amp;page=2" in html
        assert f"province={world.hunan.pk}&amp;format=csv" in html


class TestDownloads:
    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    @pytest.mark.parametrize("role", ["finance", "auditor"])
    def test_id_and_phone_numbers_are_masked(self, world, client_for, fmt, role):
        add_x_student(world)
        rows = download(client_for(role), fmt)
        _header, *data = rows
        assert len(data) == 4
        by_name = {row[2]: row for row in data}
        assert by_name["钱七"][4] == X_ID_MASKED
        assert by_name["钱七"][7] == "139****5678"
        assert by_name["张伟"][4] == mask_id_number(world.a1.id_number)
        # The birth date would give away the digits masked in the ID number.
        assert by_name["钱七"][5] == "1990-**-**"
        assert by_name["张伟"][5] == "1995-**-**"
        for row in data:
            assert "*" in str(row[4])
        flat = repr(rows)
        for student in Student.objects.all():
            assert student.id_number not in flat
            assert student.birth_date.isoformat() not in flat
        assert "13812345678" not in flat

    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    @pytest.mark.parametrize("role", ["academic", "station"])
    def test_id_and_phone_numbers_are_in_full(self, world, client_for, fmt, role):
        add_x_student(world)
        _header, *data = download(client_for(role), fmt)
        by_name = {row[2]: row for row in data}
        assert by_name["钱七"][4] == X_ID
        assert by_name["钱七"][5] == "1990-05-17"
        assert by_name["钱七"][7] == "13912345678"
        assert by_name["张伟"][4] == world.a1.id_number

    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_downloads_hold_the_filtered_rows_of_every_page(self, world, client_for, settings, fmt):
        settings.CEMS_PAGE_SIZE = 1
        header, *data = download(
            client_for("academic"), fmt, province=str(world.hunan.pk), page="2"
        )
        assert len(header) == 15
        assert [row[0] for row in data] == ["102025001001", "102025001002"]
        assert data[0][1:4] == ["26102025001001", "张伟", world.a1.get_gender_display()]
        assert data[0][8:10] == ["湖南省", "长沙函授站"]

    def test_station_staff_download_only_their_students(self, world, client_for):
        _header, *data = download(client_for("station"), "xlsx")
        assert [row[2] for row in data] == ["张伟", "李娜"]

    def test_csv_is_an_attachment_excel_can_read(self, world, client_for):
        response = client_for("academic").get(LIST, {"format": "csv"})
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith('attachment; filename="students-')
        assert b"".join(response.streaming_content).startswith("\ufeff".encode())


class TestListPage:
    @pytest.mark.parametrize("role", ["finance", "auditor"])
    def test_id_numbers_are_masked(self, world, client_for, role):
        add_x_student(world)
        html = client_for(role).get(LIST).content.decode()
        for student in Student.objects.all():
            assert student.id_number not in html
            assert mask_id_number(student.id_number) in html
        assert X_ID_MASKED in html

    @pytest.mark.parametrize("role", ["academic", "station"])
    def test_id_numbers_are_shown(self, world, client_for, role):
        add_x_student(world)
        html = client_for(role).get(LIST).content.decode()
        assert X_ID in html
        assert world.a1.id_number in html

    def test_links_to_each_students_record(self, world, client_for):
        html = client_for("academic").get(LIST).content.decode()
        for student in (world.a1, world.a2, world.b1):
            assert f'href="{detail_url(student)}"' in html

    def test_htmx_request_gets_the_table_only(self, world, client_for):
        response = client_for("academic").get(
            LIST, {"station": world.station_b.pk}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="students"' in html
        assert "<html" not in html
        assert "<form" not in html
        assert "王芳" in html
        assert "张伟" not in html
        assert "HX-Request" in response["Vary"]

    def test_full_page_has_the_filters_and_the_table(self, world, client_for):
        response = client_for("academic").get(LIST)
        html = response.content.decode()
        assert "<html" in html
        assert 'id="student-table"' in html
        assert 'id="students"' in html
        assert "HX-Request" in response["Vary"]

    def test_htmx_history_restore_gets_the_whole_page(self, world, client_for):
        headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
        html = client_for("academic").get(LIST, headers=headers).content.decode()
        assert "<html" in html
        assert 'id="student-table"' in html

    def test_constant_number_of_queries(self, world, client_for):
        client = client_for("academic")
        client.get(LIST)  # warm up the session and caches

        def count_queries() -> int:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(LIST)
            assert response.status_code == 200
            return len(queries)

        with_three = count_queries()
        major = Major.objects.create(
            code="120203K", short_code="002", name="会计学", name_en="Accounting",
            discipline="management",
        )  # fmt: skip
        program = Program.objects.create(
            major=major, level=Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE, mode=StudyMode.SPARE_TIME,
            standard_length_years=Decimal("2.5"), credits_to_graduate=70,
            tuition_per_year=Decimal("2800"),
        )  # fmt: skip
        stations = [
            Station.objects.create(
                code=f"ZD43{n}", name=f"教学点{n}", province=world.hunan, city="湘潭",
                host_institution="某中心", contact_person="刘老师",
                contact_phone="0731-2223333", agreement_start=dt.date(2020, 1, 1),
            )
            for n in (10, 11, 12)
        ]  # fmt: skip
        for serial in range(1, 28):
            add_student(
                world, serial, station=stations[serial % 3],
                program=program if serial % 2 else world.program,
            )  # fmt: skip
        assert Student.objects.count() == 30
        assert count_queries() == with_three
        assert with_three <= 10


class TestDetail:
    def test_student_sees_their_own_record_in_full(self, world, client_for):
        response = client_for("student").get(detail_url(world.a1))
        assert response.status_code == 200
        html = response.content.decode()
        assert world.a1.id_number in html
        assert "13812345678" in html

    @pytest.mark.parametrize(("role", "student"), [("station", "b1"), ("student", "a2")])
    def test_outside_scope_is_not_found(self, world, client_for, role, student):
        assert client_for(role).get(detail_url(getattr(world, student))).status_code == 404

    @pytest.mark.parametrize("role", ["teacher", "trainee", "training"])
    def test_roles_without_the_capability_get_403(self, world, client_for, role):
        assert client_for(role).get(detail_url(world.a1)).status_code == 403

    def test_unknown_student_is_not_found(self, world, client_for):
        assert client_for("academic").get("/students/99999/").status_code == 404

    def test_station_staff_see_students_of_their_station(self, world, client_for):
        response = client_for("station").get(detail_url(world.a2))
        assert response.status_code == 200
        assert world.a2.id_number in response.content.decode()

    @pytest.mark.parametrize("role", ["finance", "auditor"])
    def test_phone_and_id_number_are_masked(self, world, client_for, role):
        response = client_for(role).get(detail_url(world.b1))
        assert response.status_code == 200
        html = response.content.decode()
        assert "13812345678" not in html
        assert "138****5678" in html
        assert world.b1.id_number not in html
        assert mask_id_number(world.b1.id_number) in html
        assert world.b1.birth_date.isoformat() not in html
        assert "1995-**-**" in html
        assert "王芳" in html

    def test_academic_sees_the_phone_in_full(self, world, client_for):
        html = client_for("academic").get(detail_url(world.b1)).content.decode()
        assert "13812345678" in html
        assert world.b1.id_number in html
        assert world.b1.birth_date.isoformat() in html


class TestIdNumberSearch:
    def test_an_invalid_id_number_is_refused_with_its_reason(self, world, client_for, settings):
        client = client_for("academic")
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        number = world.a1.id_number
        wrong = number[:17] + ("0" if number[17] != "0" else "1")
        response = client.get(LIST, {"q": wrong})
        assert response.status_code == 200
        errors = response.context["form"].errors["q"]
        assert "check character" in errors[0]
        assert errors[0] in response.content.decode()
        assert listed(response) == []

    def test_a_valid_id_number_finds_its_student(self, world, client_for):
        response = client_for("academic").get(LIST, {"q": world.a1.id_number})
        assert listed(response) == [world.a1.name]
