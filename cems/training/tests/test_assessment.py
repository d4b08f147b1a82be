"""Assessment attempts, the retake rule and completion (issue 6 item 6)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cems.training import assessment
from cems.training.models import Attendance, Enrollment, Session
from cems.training.tests.people_fixtures import make_trainee, make_training_project

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 10)


@pytest.fixture
def enrollment() -> Enrollment:
    project = make_training_project(code="MKAQ")  # one retake, then a 12-month wait
    return Enrollment.objects.create(project=project, trainee=make_trainee(1))


def _sessions(enrollment: Enrollment, present: list[bool]) -> None:
    for index, here in enumerate(present):
        session = Session.objects.create(
            project=enrollment.project, date=DAY, start_time=dt.time(8 + index),
            end_time=dt.time(9 + index), topic=f"课{index}", hours=Decimal(4),
        )  # fmt: skip
        Attendance.objects.create(session=session, enrollment=enrollment, present=here)


def test_pass_with_enough_attendance_completes(enrollment):
    _sessions(enrollment, [True] * 4 + [False])  # 80%
    attempt = assessment.record_attempt(enrollment=enrollment, score=Decimal(75), assessed_on=DAY)
    assert attempt.attempt == 1
    assert attempt.passed
    enrollment.refresh_from_db()
    assert enrollment.status == "completed"


def test_pass_without_enough_attendance_does_not_complete(enrollment):
    _sessions(enrollment, [True, True, True, False, False])  # 60% < 80%
    assessment.record_attempt(enrollment=enrollment, score=Decimal(90), assessed_on=DAY)
    enrollment.refresh_from_db()
    assert enrollment.status == "enrolled"
    assert assessment.attendance_rate(enrollment) == Decimal("60.0")


def test_no_sessions_counts_as_full_attendance(enrollment):
    assert assessment.attendance_rate(enrollment) == 100


def test_a_fail_does_not_complete(enrollment):
    attempt = assessment.record_attempt(enrollment=enrollment, score=Decimal(59), assessed_on=DAY)
    assert not attempt.passed
    enrollment.refresh_from_db()
    assert enrollment.status == "enrolled"


def test_retake_rule_two_attempts_then_a_year(enrollment):
    assessment.record_attempt(enrollment=enrollment, score=Decimal(40), assessed_on=DAY)
    second = DAY + dt.timedelta(days=7)
    assessment.record_attempt(enrollment=enrollment, score=Decimal(50), assessed_on=second)
    with pytest.raises(ValidationError) as error:
        assessment.record_attempt(
            enrollment=enrollment, score=Decimal(90), assessed_on=second + dt.timedelta(days=30)
        )
    assert "2027-03-17" in " ".join(error.value.messages)
    third = assessment.record_attempt(
        enrollment=enrollment, score=Decimal(90), assessed_on=dt.date(2027, 3, 17)
    )
    assert third.attempt == 3
    assert third.passed


def test_no_attempt_after_a_pass_nor_after_withdrawal(enrollment):
    assessment.record_attempt(enrollment=enrollment, score=Decimal(90), assessed_on=DAY)
    with pytest.raises(ValidationError):
        assessment.record_attempt(enrollment=enrollment, score=Decimal(95), assessed_on=DAY)
    other = Enrollment.objects.create(
        project=enrollment.project, trainee=make_trainee(2), status="withdrawn"
    )
    with pytest.raises(ValidationError):
        assessment.record_attempt(enrollment=other, score=Decimal(95), assessed_on=DAY)


def test_category_without_wait_allows_any_number_of_attempts():
    project = make_training_project(code="GP", title="国培")
    enrollment = Enrollment.objects.create(project=project, trainee=make_trainee(3))
    for _ in range(5):
        assessment.record_attempt(enrollment=enrollment, score=Decimal(10), assessed_on=DAY)
    assert enrollment.assessments.count() == 5


def test_entry_page_names_the_date_of_the_next_attempt(enrollment, client_for):
    client = client_for("training")
    url = reverse("training:assessment_entry", args=[enrollment.pk])
    for day in ("2026-03-10", "2026-03-11"):
        response = client.post(url, {"score": "30", "assessed_on": day})
        assert response.status_code == 302
    response = client.post(url, {"score": "90", "assessed_on": "2026-04-01"})
    assert response.status_code == 200
    assert re.search(r"2027-03-11", response.content.decode())
    assert enrollment.assessments.count() == 2


def test_entry_refused_to_other_roles(enrollment, client_for):
    url = reverse("training:assessment_entry", args=[enrollment.pk])
    for role in ("auditor", "trainee", "academic"):
        response = client_for(role).post(url, {"score": "90", "assessed_on": "2026-03-10"})
        assert response.status_code == 403
    assert not enrollment.assessments.exists()


def test_complete_project(enrollment):
    assessment.record_attempt(enrollment=enrollment, score=Decimal(90), assessed_on=DAY)
    Enrollment.objects.filter(pk=enrollment.pk).update(status="enrolled")
    assert assessment.complete_project(enrollment.project) == 1
