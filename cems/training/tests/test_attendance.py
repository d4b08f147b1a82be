"""Sessions, the attendance grid and each trainee's hours and attendance rate."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cems.admissions.tests.writers import write_xlsx
from cems.training.attendance import attendance_grid, attendance_rates, attendance_save
from cems.training.models import Attendance, Session
from cems.training.roster import roster_import
from cems.training.tests.roster_fixtures import HEADINGS, person_row, project

__all__ = ["project"]


def _session(project: Any, day: int, hours: int) -> Session:
    return Session.objects.create(
        project=project, date=dt.date(2026, 3, day), start_time=dt.time(9),
        end_time=dt.time(12), topic=f"第{day}讲", hours=Decimal(hours),
    )  # fmt: skip


@pytest.fixture
def filled(project):
    roster_import(
        project_id=project.pk,
        data=write_xlsx([HEADINGS, *(person_row(n) for n in range(1, 4))]),
        file_name="r.xlsx",
    )
    sessions = [_session(project, 1, 3), _session(project, 2, 3), _session(project, 3, 2)]
    enrollments = list(project.enrollments.order_by("trainee__name"))
    return project, sessions, enrollments


def test_save_and_rates(filled):
    project, (s1, s2, s3), (e1, e2, e3) = filled
    changed = attendance_save(project=project, present=[(e1.pk, s1.pk), (e1.pk, s2.pk),
                                                        (e2.pk, s3.pk)])  # fmt: skip
    assert changed == 9  # every cell is written once, absent or present
    assert attendance_save(project=project, present=[(e1.pk, s1.pk), (e1.pk, s2.pk),
                                                     (e2.pk, s3.pk)]) == 0  # fmt: skip
    rates = {e.pk: (e.attended_hours, e.rate) for e in attendance_rates(project)}  # type: ignore[attr-defined]
    assert rates[e1.pk][0] == Decimal(6)
    assert float(rates[e1.pk][1]) == pytest.approx(75)
    assert rates[e2.pk][0] == Decimal(2)
    assert float(rates[e2.pk][1]) == pytest.approx(25)
    assert rates[e3.pk][0] == 0
    grid = attendance_grid(project)
    assert grid.total_hours == Decimal(8)
    row = next(r for r in grid.rows if r.enrollment.pk == e1.pk)
    assert row.rate == Decimal("75.0")
    assert [p for _s, p in row.cells] == [True, True, False]
    # unticking saves absence
    assert attendance_save(project=project, present=[(e1.pk, s1.pk)]) == 2
    assert not Attendance.objects.get(enrollment=e1, session=s2).present


def test_grid_query_count_does_not_grow(filled):
    project, _sessions, _enrollments = filled
    with CaptureQueriesContext(connection) as small:
        attendance_grid(project)
    for n in range(4, 30):
        roster_import(project_id=project.pk, data=write_xlsx([HEADINGS, person_row(n)]),
                      file_name="r.xlsx")  # fmt: skip
    for day in range(4, 10):
        _session(project, day, 1)
    with CaptureQueriesContext(connection) as large:
        grid = attendance_grid(project)
    assert len(grid.rows) == 29
    assert len(large) == len(small) == 4


def test_cells_of_other_projects_are_ignored(filled, db):
    from cems.training.tests.roster_fixtures import make_project

    project, _sessions, enrollments = filled
    other = make_project(title="其他")
    foreign = _session(other, 5, 1)
    attendance_save(project=project, present=[(enrollments[0].pk, foreign.pk)])
    assert not Attendance.objects.filter(session=foreign).exists()


def test_grid_page_and_one_post(filled, client_for):
    project, (s1, s2, _s3), (e1, e2, _e3) = filled
    client = client_for("training")
    url = reverse("training:attendance", args=[project.pk])
    response = client.post(url, {"present": [f"{e1.pk}-{s1.pk}", f"{e2.pk}-{s2.pk}", "junk"]})
    assert response.status_code == 302
    assert Attendance.objects.filter(present=True).count() == 2
    html = client.get(url).content.decode()
    assert "37.5%" in html
    assert f'value="{e1.pk}-{s1.pk}" ' in html


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_readers_see_the_grid_auditor_cannot_save(filled, client_for, role):
    project, (s1, _s2, _s3), (e1, _e2, _e3) = filled
    client = client_for(role)
    url = reverse("training:attendance", args=[project.pk])
    assert client.get(url).status_code == 200
    status = client.post(url, {"present": [f"{e1.pk}-{s1.pk}"]}).status_code
    assert status == (403 if role == "auditor" else 302)
    assert Attendance.objects.exists() == (role == "admin")


def test_session_add_and_edit(project, client_for):
    client = client_for("training")
    data = {"date": "2026-03-02", "start_time": "09:00", "end_time": "11:30",
            "topic": "安全法规", "hours": "2.5"}  # fmt: skip
    assert client.post(reverse("training:session_add", args=[project.pk]), data).status_code == 302
    session = Session.objects.get()
    edit = reverse("training:session_edit", args=[project.pk, session.pk])
    response = client.post(edit, {**data, "end_time": "08:00"})
    assert response.status_code == 200
    assert 'class="fielderror"' in response.content.decode()
    assert client.post(edit, {**data, "topic": "应急救援"}).status_code == 302
    session.refresh_from_db()
    assert session.topic == "应急救援"
    html = client.get(reverse("training:session_list", args=[project.pk])).content.decode()
    assert "应急救援" in html
    assert client_for("auditor").post(edit, {**data, "topic": "x"}).status_code == 403
