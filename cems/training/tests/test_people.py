import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.urls import reverse

from cems.accounts.models import User
from cems.conftest import make_id_number
from cems.core import idcard
from cems.training import people as service
from cems.training.models import (
    Assessment,
    Attendance,
    Certificate,
    Enrollment,
    Session,
    Trainee,
)
from cems.training.tests.people_fixtures import (
    certify,
    make_employer,
    make_trainee,
    make_training_project,
)

pytestmark = pytest.mark.django_db
BIRTH = dt.date(1980, 5, 1)


def _actor() -> User:
    return User.objects.get(username="training-user")


def _trainee_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id_number": make_id_number(BIRTH, "M", 7), "name": "周明", "gender": "M",
        "birth_date": "1980-05-01", "phone": "13900001111", "employer": "",
        "position": "矿长", "education": "本科",
    }  # fmt: skip
    data.update(changes)
    return data


def test_list_searches_by_name_and_id_number_and_masks(users, client_for):
    trainee = make_trainee(1, name="周明")
    make_trainee(2, name="吴刚")
    client = client_for("training")
    url = reverse("training:trainee_list")
    for query in ("周", trainee.id_number, trainee.id_number[-4:]):
        names = [t.name for t in client.get(url, {"q": query}).context["page"]]
        assert names == ["周明"], query
    html = client.get(url).content.decode()
    assert trainee.id_number not in html
    assert trainee.id_number[:4] + "**********" + trainee.id_number[-4:] in html


def test_create_checks_id_number_against_birth_date_and_gender(users, client_for):
    client = client_for("training")
    url = reverse("training:trainee_create")
    response = client.post(url, _trainee_data(birth_date="1981-05-01"))
    assert response.status_code == 400
    assert "birth_date_mismatch" in {
        e.code for e in response.context["form"].errors.as_data()["id_number"]
    }
    response = client.post(url, _trainee_data(gender="F"))
    assert response.status_code == 400
    response = client.post(url, _trainee_data(id_number="43030219800501007"))  # 17 characters
    assert response.status_code == 400
    response = client.post(url, _trainee_data(id_number=make_id_number(BIRTH, "M", 7).lower()))
    assert response.status_code == 302
    assert Trainee.objects.get(name="周明").birth_date == BIRTH


def test_service_refuses_a_mismatched_record(users):
    with pytest.raises(ValidationError):
        service.trainee_create(
            actor=_actor(),
            data={
                "id_number": make_id_number(BIRTH, "M", 3),
                "name": "甲",
                "gender": "F",
                "birth_date": BIRTH,
            },
        )


def test_edit_keeps_the_id_number_when_left_empty(users, client_for):
    trainee = make_trainee(1, name="周明")
    employer = make_employer()
    url = reverse("training:trainee_edit", args=[trainee.pk])
    client = client_for("training")
    page = client.get(url).content.decode()
    assert trainee.id_number not in page  # not shown in full, even in the form
    response = client.post(url, _trainee_data(id_number="", employer=employer.pk))
    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.employer == employer
    assert trainee.id_number == make_id_number(BIRTH, "M", 1)


def test_file_shows_every_enrollment_with_hours_assessments_and_certificates(users, client_for):
    trainee = make_trainee(1, name="周明")
    first = make_training_project("矿长培训班", start=dt.date(2024, 3, 1))
    second = make_training_project("特种作业培训班", code="TZZY", start=dt.date(2026, 3, 1))
    certificate = certify(trainee, first, "KZ202400001")
    enrollment = Enrollment.objects.create(project=second, trainee=trainee)
    for day, present in ((1, True), (2, False)):
        session = Session.objects.create(
            project=second, date=dt.date(2026, 3, day), start_time=dt.time(8),
            end_time=dt.time(12), topic=f"第{day}讲", hours=Decimal("4"),
        )  # fmt: skip
        Attendance.objects.create(session=session, enrollment=enrollment, present=present)
    Assessment.objects.create(
        enrollment=enrollment, attempt=1, assessed_on=dt.date(2026, 3, 9), score=Decimal(55),
        passed=False,
    )  # fmt: skip
    response = client_for("auditor").get(reverse("training:trainee_detail", args=[trainee.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "矿长培训班",
        "特种作业培训班",
        "2024",
        certificate.number,
        "1/2",
        "55",
        'class="trainee-file"',
        "cems/app.css",
    ):
        assert text in html, text
    # Printed without the menus: the print rules are in the site's stylesheet.
    found = finders.find("cems/app.css")
    assert isinstance(found, str)
    stylesheet = Path(found).read_text(encoding="utf-8")
    assert re.search(
        r"@media print \{[^@]*\.trainee-file section \{ break-inside: avoid", stylesheet
    )
    rows = {e.project.title: e for e in response.context["enrollments"]}
    assert rows["特种作业培训班"].hours_present == Decimal(4)
    assert trainee.id_number not in html


def test_trainee_role_cannot_open_files(users, client_for):
    trainee = make_trainee(1, user=users["trainee"])
    url = reverse("training:trainee_detail", args=[trainee.pk])
    assert client_for("trainee").get(url).status_code == 403
    assert client_for("station").get(url).status_code == 403


def test_employers_create_and_edit(users, client_for):
    client = client_for("training")
    data = {"name": "某某中学", "kind": "school", "region": "长沙", "contact_person": "",
            "contact_phone": ""}  # fmt: skip
    assert client.post(reverse("training:employer_create"), data).status_code == 302
    assert client.post(reverse("training:employer_create"), data).status_code == 400  # unique
    employer = make_employer("一矿")
    response = client.post(
        reverse("training:employer_edit", args=[employer.pk]), {**data, "name": "一号矿"}
    )
    assert response.status_code == 302
    employer.refresh_from_db()
    assert employer.name == "一号矿"
    auditor = client_for("auditor")
    assert auditor.post(reverse("training:employer_create"), data).status_code == 403
    assert "一号矿" in auditor.get(reverse("training:employer_list")).content.decode()


# --- Duplicates and merge ---------------------------------------------------------------------


def _pair() -> tuple[Trainee, Trainee]:
    keep = make_trainee(1, name="周明", birth=BIRTH)
    # The same person recorded again with a typo in the sequence digits.
    other = make_trainee(2, name="周明", birth=BIRTH, phone="13800002222")
    return keep, other


def test_duplicates_are_listed(users, client_for):
    keep, other = _pair()
    make_trainee(3, name="周明", birth=dt.date(1985, 1, 1))  # another person of the same name
    groups = service.duplicate_groups(user=users["training"])
    assert len(groups) == 1
    assert {t.pk for t in groups[0].trainees} == {keep.pk, other.pk}
    html = client_for("auditor").get(reverse("training:duplicate_list")).content.decode()
    assert "周明" in html
    assert reverse("training:trainee_merge") not in html  # the auditor cannot merge


def test_merge_moves_everything_and_loses_nothing(users):
    keep, other = _pair()
    other.user = users["trainee"]
    other.save()
    earlier = make_trainee(4, name="周明", birth=BIRTH, merged_into=other)
    first = make_training_project("矿长培训班", start=dt.date(2024, 3, 1))
    second = make_training_project("特种作业培训班", code="TZZY", start=dt.date(2026, 3, 1))
    kept_certificate = certify(keep, first, "KZ202400001")
    moved_certificate = certify(other, second, "TZ202600001")
    Assessment.objects.create(
        enrollment=moved_certificate.enrollment, attempt=1, assessed_on=dt.date(2026, 3, 9),
        score=Decimal(80), passed=True,
    )  # fmt: skip

    result = service.merge(actor=_actor(), keep=keep, other=other)

    assert (result.enrollments, result.certificates, result.merged_files) == (1, 1, 1)
    assert set(Certificate.objects.filter(trainee=keep).values_list("number", flat=True)) == {
        kept_certificate.number,
        moved_certificate.number,
    }
    assert set(Enrollment.objects.filter(trainee=keep).values_list("project", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert Assessment.objects.get().enrollment.trainee == keep
    assert not Enrollment.objects.filter(trainee=other).exists()
    other.refresh_from_db()
    keep.refresh_from_db()
    earlier.refresh_from_db()
    assert other.merged_into == keep
    assert earlier.merged_into == keep
    assert keep.user == users["trainee"]
    assert other.user is None
    assert keep.phone == "13800002222"
    # the merged file is no longer listed nor a duplicate
    assert list(service.trainee_list(user=users["training"], query="周明")) == [keep]
    assert service.duplicate_groups(user=users["training"]) == []


def test_merge_refuses_two_files_on_the_same_project(users):
    keep, other = _pair()
    project = make_training_project("矿长培训班")
    Enrollment.objects.create(project=project, trainee=keep)
    Enrollment.objects.create(project=project, trainee=other)
    with pytest.raises(ValidationError) as error:
        service.merge(actor=_actor(), keep=keep, other=other)
    assert "矿长培训班（第1期）" in str(error.value)
    other.refresh_from_db()
    assert other.merged_into is None
    assert Enrollment.objects.filter(trainee=other).count() == 1


def test_merge_refuses_the_same_or_an_already_merged_file(users):
    keep, other = _pair()
    with pytest.raises(ValidationError):
        service.merge(actor=_actor(), keep=keep, other=keep)
    service.merge(actor=_actor(), keep=keep, other=other)
    with pytest.raises(ValidationError):
        service.merge(actor=_actor(), keep=other, other=keep)


def test_merge_view(users, client_for):
    keep, other = _pair()
    certify(other, make_training_project(), "KZ202600001")
    url = reverse("training:trainee_merge")
    data = {"keep": keep.pk, "other": other.pk}
    assert client_for("auditor").post(url, data).status_code == 403
    response = client_for("training").post(url, data)
    assert response.status_code == 302
    assert Certificate.objects.get().trainee == keep
    # merging again: the merged file is no longer offered
    assert client_for("training").post(url, data).status_code == 400


def test_fifteen_digit_number_is_refused_with_its_upgrade(users, client_for):
    eighteen = make_id_number(dt.date(1975, 6, 1), "M", 5)
    fifteen = eighteen[:6] + eighteen[8:17]
    assert idcard.upgrade_15_to_18(fifteen) == eighteen
    response = client_for("training").post(
        reverse("training:trainee_create"),
        _trainee_data(id_number=fifteen, birth_date="1975-06-01"),
    )
    assert response.status_code == 400
    assert eighteen in response.content.decode()
