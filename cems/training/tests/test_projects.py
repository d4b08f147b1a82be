import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cems.accounts.models import User
from cems.training import projects as service
from cems.training.models import Enrollment, Project, ProjectStatus
from cems.training.tests.people_fixtures import (
    default_category,
    make_trainee,
    make_training_project,
)

pytestmark = pytest.mark.django_db


def _actor() -> User:
    return User.objects.get(username="training-user")


def test_list_filters_by_category_status_year_and_search(users, client_for):
    a = make_training_project("矿长培训班", code="KZ", start=dt.date(2025, 4, 1))
    b = make_training_project("特种作业培训班", code="TZZY", start=dt.date(2026, 4, 1))
    b.status = ProjectStatus.RUNNING
    b.save()
    client = client_for("auditor")
    url = reverse("training:project_list")

    def titles(**query: object) -> set[str]:
        response = client.get(url, query)
        assert response.status_code == 200
        return {p.title for p in response.context["page"]}

    assert titles() == {a.title, b.title}
    assert titles(category=default_category("KZ").pk) == {a.title}
    assert titles(status="running") == {b.title}
    assert titles(year=2025) == {a.title}
    assert titles(q="特种") == {b.title}
    assert titles(year="abc") == set()  # an invalid filter shows nothing, not everything


def test_list_downloads_csv_and_xlsx(users, client_for):
    project = make_training_project()
    Enrollment.objects.create(project=project, trainee=make_trainee(1))
    client = client_for("training")
    response = client.get(reverse("training:project_list"), {"format": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "矿长培训班" in body
    assert ",1," in body
    response = client.get(reverse("training:project_list"), {"format": "xlsx"})
    assert response.status_code == 200
    assert response.content[:2] == b"PK"


def test_detail_shows_roster_count(users, client_for):
    project = make_training_project()
    for serial in (1, 2):
        Enrollment.objects.create(project=project, trainee=make_trainee(serial))
    response = client_for("auditor").get(reverse("training:project_detail", args=[project.pk]))
    assert response.context["project"].roster_count == 2
    # the auditor reads: no edit link, no status button
    assert reverse("training:project_edit", args=[project.pk]) not in response.content.decode()


def test_create_and_edit_project(users, client_for):
    client = client_for("training")
    data = {
        "category": default_category("TZZY").pk, "title": "电工作业培训",
        "sponsor": "应急管理局", "format": "short_intensive", "cohort": 3,
        "start_date": "2026-05-01", "end_date": "2026-05-05", "venue": "实训楼",
        "capacity": 30, "hours": 40, "fee": "800.00",
    }  # fmt: skip
    response = client.post(reverse("training:project_create"), data)
    project = Project.objects.get(title="电工作业培训")
    assert response.status_code == 302
    assert project.status == ProjectStatus.PLANNED
    response = client.post(
        reverse("training:project_edit", args=[project.pk]), {**data, "end_date": "2026-04-01"}
    )
    assert response.status_code == 400  # ends before it starts
    client.post(reverse("training:project_edit", args=[project.pk]), {**data, "capacity": 35})
    project.refresh_from_db()
    assert project.capacity == 35
    # the same title and cohort twice is refused
    assert client.post(reverse("training:project_create"), data).status_code == 400


def test_status_follows_the_path(users):
    project = make_training_project()
    with pytest.raises(ValidationError):
        service.project_set_status(actor=_actor(), project=project, status="running")
    for status in ("enrolling", "running", "finished", "archived"):
        service.project_set_status(actor=_actor(), project=project, status=status)
        project.refresh_from_db()
        assert project.status == status
    with pytest.raises(ValidationError):
        service.project_set_status(actor=_actor(), project=project, status="planned")


def test_status_view(users, client_for):
    project = make_training_project()
    url = reverse("training:project_status", args=[project.pk])
    assert client_for("auditor").post(url, {"status": "enrolling"}).status_code == 403
    assert client_for("training").post(url, {"status": "enrolling"}).status_code == 302
    project.refresh_from_db()
    assert project.status == "enrolling"


def test_category_rules_edit(users, client_for):
    category = default_category("TZZY")
    url = reverse("training:category_edit", args=[category.pk])
    data = {
        "name": category.name, "name_en": category.name_en, "validity_months": 72,
        "review_interval_months": 36, "refresher_hours": 12, "attempts_before_wait": 2,
        "retake_wait_months": 12, "min_attendance_percent": 90, "pass_score": 70,
        "certificate_number_format": "TZ{year}{seq:05d}",
    }  # fmt: skip
    assert client_for("auditor").post(url, data).status_code == 403
    assert client_for("training").post(url, data).status_code == 302
    category.refresh_from_db()
    assert (category.refresher_hours, category.pass_score) == (12, 70)
    bad = client_for("training").post(url, {**data, "certificate_number_format": "{oops}"})
    assert bad.status_code == 400
    bad = client_for("training").post(url, {**data, "pass_score": 101})
    assert bad.status_code == 400
    listing = client_for("auditor").get(reverse("training:category_list"))
    assert "TZ{year}{seq:05d}" in listing.content.decode()
