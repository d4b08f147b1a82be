"""Enrollment on the web: one person by ID number, capacity, withdrawal, roles."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from cems.conftest import make_id_number
from cems.training.enrollment import PersonDetails, enrollment_add, enrollment_withdraw
from cems.training.models import Enrollment, EnrollmentStatus, Trainee
from cems.training.tests.roster_fixtures import make_project, project

__all__ = ["project"]

MAN = make_id_number(dt.date(1985, 5, 5), "M", 7)
WOMAN = make_id_number(dt.date(1986, 6, 6), "F", 8)


@pytest.fixture(autouse=True)
def _english():
    """The service messages matched below are the English ones."""
    with translation.override("en"):
        yield


def _details(
    number: str = MAN, gender: str = "M", name: str = "李四", **extra: str
) -> PersonDetails:
    return PersonDetails(id_number=number, name=name, gender=gender, **extra)


def test_add_creates_the_file_and_the_employer(project):
    enrollment = enrollment_add(project_id=project.pk, details=_details(employer="某某煤矿"))
    trainee = enrollment.trainee
    assert trainee.birth_date == dt.date(1985, 5, 5)
    assert trainee.employer is not None
    assert trainee.employer.name == "某某煤矿"
    assert enrollment.employer == trainee.employer


def test_add_finds_an_existing_file(project):
    enrollment_add(project_id=project.pk, details=_details())
    other = make_project(title="复训")
    enrollment_add(project_id=other.pk, details=_details(name="", gender=""))
    assert Trainee.objects.count() == 1


@pytest.mark.parametrize(
    ("details", "code_or_field"),
    [
        (_details(number="123"), "length"),
        (_details(number=MAN[:17] + ("0" if MAN[17] != "0" else "1")), "check_character"),
        (_details(number=WOMAN, gender="M"), "gender"),
        (_details(name=""), "name"),
    ],
)
def test_add_refuses_bad_input(project, details, code_or_field):
    with pytest.raises(ValidationError) as raised:
        enrollment_add(project_id=project.pk, details=details)
    error = raised.value
    assert code_or_field in (error.error_dict if hasattr(error, "error_dict") else {error.code})
    assert not Enrollment.objects.exists()


def test_add_refuses_someone_already_enrolled(project):
    enrollment_add(project_id=project.pk, details=_details())
    with pytest.raises(ValidationError, match="already"):
        enrollment_add(project_id=project.pk, details=_details())


def test_capacity_is_enforced_and_withdrawal_frees_a_place(db):
    small = make_project(capacity=1)
    first = enrollment_add(project_id=small.pk, details=_details())
    with pytest.raises(ValidationError, match="full"):
        enrollment_add(project_id=small.pk, details=_details(number=WOMAN, gender="F"))
    enrollment_withdraw(enrollment=first)
    enrollment_add(project_id=small.pk, details=_details(number=WOMAN, gender="F"))
    with pytest.raises(ValidationError, match="full"):  # the withdrawn cannot come back now
        enrollment_add(project_id=small.pk, details=_details())
    with pytest.raises(ValidationError):
        enrollment_withdraw(enrollment=first)


def test_withdrawn_person_can_enroll_again(project):
    first = enrollment_add(project_id=project.pk, details=_details())
    enrollment_withdraw(enrollment=first)
    again = enrollment_add(project_id=project.pk, details=_details())
    assert again.pk == first.pk
    assert again.status == EnrollmentStatus.ENROLLED


def test_web_add_and_withdraw(project, client_for):
    client = client_for("training")
    url = reverse("training:roster_add", args=[project.pk])
    response = client.post(url, {"id_number": MAN, "name": "李四", "gender": "M"})
    assert response.status_code == 302
    enrollment = Enrollment.objects.get()
    page = client.get(reverse("training:roster", args=[project.pk])).content.decode()
    assert "李四" in page
    assert MAN not in page
    response = client.post(url, {"id_number": MAN})
    assert response.status_code == 200
    assert "李四" in response.content.decode()
    response = client.post(url, {"id_number": "123", "name": "王五", "gender": "M"})
    assert response.status_code == 200
    assert 'class="fielderror"' in response.content.decode()
    withdraw = reverse("training:roster_withdraw", args=[project.pk, enrollment.pk])
    assert client.post(withdraw).status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.WITHDRAWN


@pytest.mark.parametrize("role", ["auditor", "academic", "trainee", "station"])
def test_other_roles_cannot_enroll_or_withdraw(project, client_for, role):
    enrollment = enrollment_add(project_id=project.pk, details=_details())
    client = client_for(role)
    url = reverse("training:roster_add", args=[project.pk])
    assert client.post(url, {"id_number": WOMAN, "name": "x", "gender": "F"}).status_code == 403
    withdraw = reverse("training:roster_withdraw", args=[project.pk, enrollment.pk])
    assert client.post(withdraw).status_code == 403
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ENROLLED
    assert Enrollment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_enrollments_at_once_cannot_both_take_the_last_place():
    import threading

    from django.db import connection

    small = make_project(capacity=1)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def enroll(details: PersonDetails) -> None:
        try:
            barrier.wait()
            enrollment_add(project_id=small.pk, details=details)
            outcomes.append("enrolled")
        except ValidationError:
            outcomes.append("full")
        except Exception as error:  # reported by the assertion below, not lost in the thread
            outcomes.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=enroll, args=(_details(),)),
        threading.Thread(target=enroll, args=(_details(number=WOMAN, gender="F"),)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["enrolled", "full"]
    assert Enrollment.objects.filter(project=small).count() == 1
