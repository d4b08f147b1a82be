"""Renewal in one step (issue 6, item 8): the holders of expiring certificates enrolled into
a refresher project from the certificate list."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cems.training.enrollment import enroll_holders
from cems.training.models import CertificateStatus, Enrollment, EnrollmentStatus, ProjectStatus
from cems.training.tests.people_fixtures import certify, make_trainee, make_training_project

pytestmark = pytest.mark.django_db


def holders(count: int, *, expires_in: int = 30):
    """`count` holders of TZZY certificates expiring in `expires_in` days."""
    old = make_training_project("电工作业", code="TZZY", start=dt.date(2020, 3, 1))
    today = timezone.localdate()
    made = []
    for serial in range(1, count + 1):
        trainee = make_trainee(serial, name=f"学员{serial:02d}")
        certificate = certify(trainee, old, f"TZ2020{serial:05d}")
        certificate.expires_on = today + dt.timedelta(days=expires_in)
        certificate.save(update_fields=["expires_on"])
        made.append(certificate)
    return made


def refresher(capacity: int = 40, status: str = ProjectStatus.ENROLLING):
    project = make_training_project("电工作业复训", code="TZZY", start=dt.date(2026, 12, 1))
    project.capacity = capacity
    project.status = status
    project.save(update_fields=["capacity", "status"])
    return project


def test_holders_are_enrolled_once_and_within_the_places():
    certificates = holders(3)
    project = refresher(capacity=2)
    Enrollment.objects.create(project=project, trainee=certificates[0].trainee)
    result = enroll_holders(project_id=project.pk, trainee_ids=[c.trainee_id for c in certificates])
    assert (result.enrolled, result.already, result.over_capacity) == (1, 1, 1)
    assert project.enrollments.exclude(status=EnrollmentStatus.WITHDRAWN).count() == 2
    again = enroll_holders(project_id=project.pk, trainee_ids=[c.trainee_id for c in certificates])
    assert (again.enrolled, again.already) == (0, 2)


def test_only_a_planned_or_enrolling_project_takes_them():
    certificates = holders(1)
    project = refresher(status=ProjectStatus.FINISHED)
    with pytest.raises(ValidationError):
        enroll_holders(project_id=project.pk, trainee_ids=[certificates[0].trainee_id])
    assert not project.enrollments.exists()


def test_the_list_enrolls_the_holders_it_shows(world, client_for):
    soon = holders(2, expires_in=20)
    later = make_trainee(50, name="学员50")
    far = certify(later, soon[0].enrollment.project, "TZ202000050")
    far.expires_on = timezone.localdate() + dt.timedelta(days=400)
    far.save(update_fields=["expires_on"])
    revoked = soon[1]
    revoked.status = CertificateStatus.REVOKED
    revoked.revocation_reason = "伪造材料"
    revoked.save(update_fields=["status", "revocation_reason"])
    project = refresher()
    client = client_for("training")
    page = client.get(reverse("training:certificate_list"), {"expiring_days": "90"})
    assert reverse("training:refresher_enroll") in page.content.decode()
    response = client.post(
        reverse("training:refresher_enroll"), {"expiring_days": "90", "project": project.pk}
    )
    assert response.status_code == 302
    enrolled = set(project.enrollments.values_list("trainee", flat=True))
    assert enrolled == {soon[0].trainee_id}  # not the revoked one, not the one valid for long


def test_only_the_training_office_enrolls_holders(world, client_for):
    holders(1)
    project = refresher()
    url = reverse("training:refresher_enroll")
    for role in ("auditor", "academic", "trainee"):
        response = client_for(role).post(url, {"expiring_days": "90", "project": project.pk})
        assert response.status_code == 403
    assert not project.enrollments.exists()
    page = client_for("auditor").get(reverse("training:certificate_list"), {"expiring_days": "90"})
    assert url not in page.content.decode()
