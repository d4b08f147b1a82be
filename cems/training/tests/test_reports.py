"""Training statistics per category and year: the figures on a small known set, filters,
downloads, a fixed number of queries, who may see them."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from cems.conftest import make_id_number
from cems.training import reports
from cems.training.models import (
    Attendance,
    Enrollment,
    Project,
    Session,
    Trainee,
    TrainingCategory,
)
from cems.training.tests.people_fixtures import default_category

pytestmark = pytest.mark.django_db
URL = reverse("training:report")


def project(code: str, year: int, hours: int, title: str) -> Project:
    return Project.objects.create(
        category=default_category(code), title=title, sponsor="湖南省教育厅",
        format="short_intensive", start_date=dt.date(year, 5, 1), end_date=dt.date(year, 5, 10),
        venue="培训中心", capacity=50, hours=hours, status="finished",
    )  # fmt: skip


def trainee(serial: int) -> Trainee:
    birth = dt.date(1980, 1, 1) + dt.timedelta(days=serial)
    return Trainee.objects.create(
        id_number=make_id_number(birth, "M", serial), name=f"学员{serial}", gender="M",
        birth_date=birth,
    )  # fmt: skip


@pytest.fixture
def figures() -> dict[str, Project]:
    """GP 2024 (60 h, no sessions): t1, t2 completed, t3 withdrawn. GP 2025 (two 4-hour
    sessions): t1 completed, at both; t4 failed, at one. MKAQ 2025: nobody yet."""
    t1, t2, t3, t4 = (trainee(n) for n in (1, 2, 3, 4))
    p2024 = project("GP", 2024, 60, "国培计划A")
    for person, status in ((t1, "completed"), (t2, "completed"), (t3, "withdrawn")):
        Enrollment.objects.create(project=p2024, trainee=person, status=status)
    p2025 = project("GP", 2025, 40, "国培计划B")
    first, second = (
        Session.objects.create(project=p2025, date=dt.date(2025, 5, day), start_time=dt.time(8),
                               end_time=dt.time(12), topic="课堂教学", hours=Decimal(4))
        for day in (1, 2)
    )  # fmt: skip
    e1 = Enrollment.objects.create(project=p2025, trainee=t1, status="completed")
    e4 = Enrollment.objects.create(project=p2025, trainee=t4, status="failed")
    for session, enrollment, present in (
        (first, e1, True), (second, e1, True), (first, e4, True), (second, e4, False),
    ):  # fmt: skip
        Attendance.objects.create(session=session, enrollment=enrollment, present=present)
    p_coal = project("MKAQ", 2025, 48, "安全资格培训")
    return {"2024": p2024, "2025": p2025, "coal": p_coal}


def table(rows: list[reports.ReportRow]) -> list[tuple[object, ...]]:
    return [
        (r.category.code if r.category else None, r.year, r.projects, r.trainees,
         r.person_times, r.completed, r.hours, r.pass_rate)
        for r in rows
    ]  # fmt: skip


def test_figures_per_category_and_year(figures):
    assert table(reports.training_report({})) == [
        ("GP", 2024, 1, 3, 3, 2, 120, Decimal("66.7")),  # the withdrawn trainee has no hours
        ("GP", 2025, 1, 2, 2, 1, 12, Decimal("50.0")),  # attended hours: 4 + 4, 4
        ("GP", None, 2, 4, 5, 3, 132, Decimal("60.0")),  # t1 counted once
        ("MKAQ", 2025, 1, 0, 0, 0, 0, None),
        ("MKAQ", None, 1, 0, 0, 0, 0, None),
        (None, None, 3, 4, 5, 3, 132, Decimal("60.0")),
    ]


def test_filters(figures):
    gp = TrainingCategory.objects.filter(code="GP")
    assert table(reports.training_report({"categories": gp, "year_from": 2025})) == [
        ("GP", 2025, 1, 2, 2, 1, 12, Decimal("50.0")),
        ("GP", None, 1, 2, 2, 1, 12, Decimal("50.0")),
        (None, None, 1, 2, 2, 1, 12, Decimal("50.0")),
    ]
    assert [r.year for r in reports.training_report({"year_to": 2024})] == [2024, None, None]
    assert reports.training_report({"year_from": 2030}) == []
    assert reports.training_report(None) == []


def test_a_fixed_number_of_queries(figures, django_assert_num_queries):
    with django_assert_num_queries(6):
        reports.training_report({})
    more = project("TZZY", 2023, 40, "特种作业")
    Enrollment.objects.create(project=more, trainee=trainee(9), status="completed")
    with django_assert_num_queries(6):
        assert len(reports.training_report({})) == 8


def test_the_page(figures, client_for):
    client = client_for("training")
    with CaptureQueriesContext(connection) as few:
        response = client.get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert "国培计划（中小学教师）" in text
    assert "66.7" in text
    assert "132" in text
    project("KZ", 2022, 48, "矿长培训")
    with CaptureQueriesContext(connection) as more:
        client.get(URL)
    assert len(more) == len(few)
    gp = default_category("GP").pk
    response = client.get(URL, {"categories": gp, "year_from": 2025, "year_to": 2025})
    assert "66.7" not in response.content.decode()
    assert "50.0" in response.content.decode()


def test_invalid_years_show_the_error_and_no_rows(figures, client_for):
    response = client_for("auditor").get(URL, {"year_from": 2025, "year_to": 2024})
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert response.context["form"].errors["year_to"]


def test_in_english(figures, client_for):
    client = client_for("admin")
    client.cookies["django_language"] = "en"
    text = client.get(URL).content.decode()
    assert "Training statistics" in text
    assert "Person-times" in text


def test_downloads(figures, client_for):
    client = client_for("training")
    response = client.get(URL, {"format": "csv", "year_from": 2024})
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith(("Category", "类别"))
    assert "GP,国培计划（中小学教师）,2024,1,3,3,2,120,66.7" in lines
    assert len(lines) == 7
    response = client.get(URL, {"format": "xlsx"})
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    rows = sheet.to_python()
    assert rows[1][:8] == ["GP", "国培计划（中小学教师）", 2024, 1, 3, 3, 2, 120]
    assert len(rows) == 7


@pytest.mark.parametrize(("role", "status"), [
    ("trainee", 403), ("academic", 403), ("student", 403), ("station", 403), (None, 302),
])  # fmt: skip
def test_wrong_roles(figures, client_for, role, status):
    assert client_for(role).get(URL).status_code == status
    assert client_for(role).get(URL, {"format": "csv"}).status_code == status
