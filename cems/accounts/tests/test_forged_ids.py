"""Forged ids in POST data: every form that takes the id of a scoped object refuses one from
outside the poster's scope (a 404, or the form's error) and writes nothing. The forms' choices
are built from the scope functions of cems/accounts/access.py; these tests post what the
page never offers: station B's student, a colleague's roster entry, another run's result."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from cems.accounts.models import User
from cems.graduation.models import AuditResult, DegreeAward, Graduation
from cems.graduation.tests.matrix import run_pair as graduation_run_pair
from cems.graduation.tests.matrix_degree import run_pair as degree_run_pair
from cems.organization.models import Station
from cems.students.models import Registration, StatusChangeRequest
from cems.teaching.models import Grade, GradeChangeRequest, OfferingStudent
from cems.teaching.tests.matrix import teacher_offering_pair
from cems.training.models import Attendance, Enrollment, Project, ProjectStatus, Session, Trainee
from cems.training.tests.people_fixtures import make_trainee
from cems.training.tests.roster_fixtures import make_project


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _client(client_for: Any, role: str) -> Any:
    """The role's client, its pages in English (the messages compared are English)."""
    client = client_for(role)
    client.cookies["django_language"] = "en"
    return client


def _refused(response: Any) -> bool:
    """A 404 (outside the scope), a 403, or the page again with the form's error (200/400),
    or a redirect back with a message: never a success."""
    return response.status_code in (200, 302, 400, 403, 404)


# --- Station staff ----------------------------------------------------------------------------


def test_registration_refuses_another_stations_student(world, client_for):
    """The batch registration's ticked students come from students_for(user): station B's
    b1 is not a choice for station A's staff."""
    client = _client(client_for, "station")
    before = Registration.objects.count()
    response = client.post(
        reverse("status_changes:registration"),
        {"year": "2026", "students": [str(world.b1.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Registration.objects.count() == before
    assert not Registration.objects.filter(student=world.b1).exists()


def test_registration_mixing_inside_and_outside_writes_nothing(world, client_for):
    client = client_for("station")
    client.post(
        reverse("status_changes:registration"),
        {"year": "2026", "students": [str(world.a1.pk), str(world.b1.pk)]},
    )
    assert Registration.objects.count() == 0


def test_change_of_station_refuses_the_students_own_or_an_inactive_station(world, client_for):
    """The receiving station is any other active station: the student's own station, an
    inactive one or a made-up id is the form's error, and no request is filed."""
    closed = Station.objects.create(
        code="ZD4399", name="已撤销函授站", province=world.hunan, city="衡阳",
        host_institution="某学校", contact_person="陈老师", contact_phone="0734-5551234",
        agreement_start=dt.date(2020, 1, 1), is_active=False,
    )  # fmt: skip
    client = _client(client_for, "station")
    url = reverse("status_changes:file", args=[world.a1.pk])
    for forged in (world.station_a.pk, closed.pk, 999999, "x"):
        response = client.post(
            f"{url}?kind=change_station", {"reason": "forged", "new_station": str(forged)}
        )
        assert response.status_code == 200, forged
        assert "Select a valid choice" in response.content.decode(), forged
    assert StatusChangeRequest.objects.count() == 0


def test_filing_for_another_stations_student_is_404(world, client_for):
    response = client_for("station").post(
        reverse("status_changes:file", args=[world.b1.pk]) + "?kind=withdraw",
        {"reason": "forged"},
    )
    assert response.status_code == 404
    assert StatusChangeRequest.objects.count() == 0


def test_a_student_cannot_file_for_a_classmate(world, client_for):
    response = client_for("student").post(
        reverse("status_changes:file", args=[world.a2.pk]) + "?kind=withdraw",
        {"reason": "forged"},
    )
    assert response.status_code == 404
    assert StatusChangeRequest.objects.count() == 0


def test_assigning_a_user_who_is_not_a_teacher_is_refused(world, client_for):
    own, _colleague = teacher_offering_pair(world)
    not_a_teacher = User.objects.get(username="finance-user")
    for forged in (not_a_teacher.pk, 999999):
        response = client_for("station").post(
            reverse("teaching:offering_assign", args=[own.pk]), {"teacher": str(forged)}
        )
        assert response.status_code == 400
        own.refresh_from_db()
        assert own.teacher is not None
        assert own.teacher.username == "teacher-user"


# --- Teachers ---------------------------------------------------------------------------------


def _rosters(world: Any) -> tuple[Any, Any]:
    own, colleague = teacher_offering_pair(world)
    return (OfferingStudent.objects.create(offering=own, student=world.a1),
            OfferingStudent.objects.create(offering=colleague, student=world.a2))  # fmt: skip


def test_a_teacher_cannot_save_a_cell_of_a_colleagues_roster(world, client_for):
    """The cell's entry is looked up in the offering's own roster: a colleague's entry
    posted to the teacher's own offering is a 404, and no grade is written."""
    own_entry, colleague_entry = _rosters(world)
    response = client_for("teacher").post(
        reverse("teaching:grade_cell", args=[own_entry.offering_id]),
        {"entry": str(colleague_entry.pk), "field": "score", "value": "99", "expected": ""},
    )
    assert response.status_code == 404
    assert Grade.objects.count() == 0


def test_a_teacher_cannot_post_to_a_colleagues_offering(world, client_for):
    _own_entry, colleague_entry = _rosters(world)
    response = client_for("teacher").post(
        reverse("teaching:grade_cell", args=[colleague_entry.offering_id]),
        {"entry": str(colleague_entry.pk), "field": "score", "value": "99", "expected": ""},
    )
    assert response.status_code == 404
    assert Grade.objects.count() == 0


def test_a_change_request_for_a_colleagues_entry_is_404(world, client_for):
    own_entry, colleague_entry = _rosters(world)
    url = reverse("teaching:change_request_new", args=[own_entry.offering_id, colleague_entry.pk])
    assert client_for("teacher").get(url).status_code == 404
    response = client_for("teacher").post(url, {"score": "99", "reason": "forged"})
    assert response.status_code == 404
    assert GradeChangeRequest.objects.count() == 0


# --- Audits -----------------------------------------------------------------------------------


def test_graduation_approval_refuses_another_runs_result(world, client_for):
    """The results to approve are the run's own: run B's result posted to run A's
    approval is the form's error and nobody graduates."""
    run_a, run_b = graduation_run_pair(world)
    outside = AuditResult.objects.get(run=run_b)
    response = client_for("academic").post(
        reverse("graduation:audit_approve", args=[run_a.pk]),
        {"results": [str(outside.pk)], "graduated_on": "2028-07-01"},
    )
    assert _refused(response)
    assert Graduation.objects.count() == 0
    outside.refresh_from_db()
    assert not outside.approved


def test_degree_approval_refuses_another_runs_result(world, client_for):
    run_a, run_b = degree_run_pair(world)
    outside = AuditResult.objects.get(run=run_b)
    response = client_for("academic").post(
        reverse("graduation:degree_audit_approve", args=[run_a.pk]), {"result": [str(outside.pk)]}
    )
    assert _refused(response)
    assert DegreeAward.objects.count() == 0


# --- Training ---------------------------------------------------------------------------------


def _project_with(serial: int, title: str) -> tuple[Project, Enrollment, Session]:
    project = make_project(title=title)
    trainee = make_trainee(serial, name=f"学员{serial}")
    enrollment = Enrollment.objects.create(project=project, trainee=trainee)
    session = Session.objects.create(
        project=project, date=dt.date(2026, 3, 2), start_time=dt.time(9), end_time=dt.time(11),
        topic="安全", hours=Decimal(2),
    )  # fmt: skip
    return project, enrollment, session


def test_attendance_ignores_another_projects_enrollment_and_session(world, client_for):
    """The grid's (enrollment, session) pairs are the project's own: another project's
    enrollment or session ticked in this project's grid is not written anywhere."""
    project, enrollment, session = _project_with(801, "项目甲")
    _other, other_enrollment, other_session = _project_with(802, "项目乙")
    forged = [
        f"{other_enrollment.pk}-{session.pk}",
        f"{enrollment.pk}-{other_session.pk}",
        f"{other_enrollment.pk}-{other_session.pk}",
    ]
    response = client_for("training").post(
        reverse("training:attendance", args=[project.pk]), {"present": forged}
    )
    assert response.status_code == 302
    assert not Attendance.objects.filter(present=True).exists()
    assert not Attendance.objects.filter(enrollment=other_enrollment).exists()
    assert not Attendance.objects.filter(session=other_session).exists()


def test_merging_a_file_already_merged_away_is_refused(world, client_for):
    keep = make_trainee(811, name="保留")
    gone = make_trainee(812, name="已合并")
    other = make_trainee(813, name="另一个")
    Trainee.objects.filter(pk=gone.pk).update(merged_into=keep)
    for pair in ((keep.pk, gone.pk), (gone.pk, other.pk), (keep.pk, 999999)):
        response = client_for("training").post(
            reverse("training:trainee_merge"), {"keep": str(pair[0]), "other": str(pair[1])}
        )
        assert response.status_code == 400, pair
    other.refresh_from_db()
    assert other.merged_into_id is None
    assert Trainee.objects.filter(merged_into__isnull=False).count() == 1


def test_refresher_refuses_a_project_not_open_for_enrollment(world, client_for):
    closed = make_project(title="已结束项目")
    Project.objects.filter(pk=closed.pk).update(status=ProjectStatus.ARCHIVED)
    before = Enrollment.objects.count()
    response = client_for("training").post(
        reverse("training:refresher_enroll"), {"project": str(closed.pk)}
    )
    assert response.status_code == 302
    assert Enrollment.objects.count() == before


def test_refresher_projects_are_those_of_the_users_scope(world, users):
    """The refresher form's projects come from projects_for(user): none for a user who does
    not see training, however the POST is forged."""
    from cems.training.views_certificates import RefresherForm

    open_project = make_project(title="复训项目")
    field = RefresherForm(user=users["training"]).fields["project"]
    assert isinstance(field, forms.ModelChoiceField)
    assert field.queryset is not None
    assert list(field.queryset) == [open_project]
    form = RefresherForm({"project": str(open_project.pk)}, user=users["station"])
    assert not form.is_valid()
    assert "project" in form.errors
