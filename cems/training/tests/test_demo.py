"""The training demo: the seed's own figures (DOMAIN.md, "Non-degree training") through the
report, valid people, certificates in their categories' formats with expiries and reviews,
project statuses, and the demo trainee's file; the same for the same seed."""

import datetime as dt
import random
import re
import time

import pytest
from django.db.models import Count, F

from cems.accounts.demo import seed_users
from cems.accounts.models import User
from cems.core.idcard import validate_id_number
from cems.training import reports
from cems.training.demo import CITIES, seed_training
from cems.training.models import (
    Assessment,
    Attendance,
    Certificate,
    CertificateReview,
    Employer,
    Enrollment,
    Project,
    Session,
    Trainee,
    TrainingCategory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 28)
COAL = ("MKAQ", "KZ", "653", "TZZY")


@pytest.fixture
def seeded() -> float:
    seed_users()
    started = time.monotonic()
    seed_training(random.Random(11), today=TODAY)
    return time.monotonic() - started


def total(codes: tuple[str, ...]) -> reports.ReportRow:
    categories = list(TrainingCategory.objects.filter(code__in=codes))
    return reports.training_report({"categories": categories})[-1]


def test_the_seed_figures_through_the_report(seeded):
    assert seeded < 20, f"seeding took {seeded:.1f} s"
    assert TrainingCategory.objects.count() == 6
    gp = total(("GP",))
    assert (gp.projects, gp.trainees) == (20, 1331)
    assert gp.person_times > gp.trainees  # some teachers came back
    gp_years = [
        row.year
        for row in reports.training_report({})
        if row.category and row.category.code == "GP" and row.year
    ]
    assert gp_years == [2022, 2023, 2024, 2025]
    hnxz = total(("HNXZ",))
    assert hnxz.projects == 9
    assert hnxz.trainees > 2000
    coal = total(COAL)
    assert coal.projects > 50
    assert coal.trainees > 2000
    # The people of the three programmes together: teachers on both GP and HNXZ count once.
    everyone = reports.training_report({})[-1]
    assert (
        everyone.trainees == Trainee.objects.count() < gp.trainees + hnxz.trainees + coal.trainees
    )


def test_people_and_employers(seeded):
    for number in Trainee.objects.values_list("id_number", flat=True):
        validate_id_number(number)
    teachers = Trainee.objects.filter(enrollments__project__category__code__in=("GP", "HNXZ"))
    assert not teachers.exclude(employer__kind="school").exists()
    cities = tuple(city for city, _area in CITIES)
    assert all(
        name.startswith(cities) for name in teachers.values_list("employer__name", flat=True)
    )
    miners = Trainee.objects.filter(enrollments__project__category__code__in=COAL)
    assert not miners.exclude(employer__kind__in=("mine", "company")).exists()
    assert miners.filter(employer__name__startswith="湘煤集团").exists()
    assert not Enrollment.objects.exclude(employer=F("trainee__employer")).exists()


def test_statuses_sessions_and_assessments(seeded):
    statuses = dict(Project.objects.values_list("status").annotate(n=Count("id")))
    assert statuses["running"] == 1
    assert statuses["enrolling"] == 1
    assert set(statuses) == {"running", "enrolling", "finished", "archived"}
    assert not Project.objects.filter(
        status__in=("finished", "archived"), end_date__gte=TODAY
    ).exists()
    running = Project.objects.get(status="running")
    assert running.start_date <= TODAY <= running.end_date
    assert Session.objects.filter(project=running).exists()
    assert Attendance.objects.filter(session__project=running).exists()
    assert not Attendance.objects.filter(session__date__gte=TODAY).exists()
    assert 1000 < Attendance.objects.count() < 5000
    assert (
        not Enrollment.objects.filter(project__status__in=("running", "enrolling"))
        .exclude(status="enrolled")
        .exists()
    )
    assert Assessment.objects.filter(attempt=2, passed=True).exists()
    assert (
        not Enrollment.objects.filter(status="completed").exclude(assessments__passed=True).exists()
    )
    assert not Enrollment.objects.filter(status="failed", assessments__passed=True).exists()


def test_certificates(seeded):
    completed = Enrollment.objects.filter(status="completed")
    assert Certificate.objects.count() == completed.count()
    for category in TrainingCategory.objects.all():
        pattern = re.escape(category.certificate_number_format.split("{")[0]) + r"\d{4}\d{5}$"
        numbers = Certificate.objects.filter(category=category).values_list("number", flat=True)
        assert numbers, category.code
        assert all(re.match(pattern, n) for n in numbers), category.code
    certificates = Certificate.objects.select_related("category")
    for certificate in certificates.filter(category__validity_months__gt=0)[:200]:
        expires, issued = certificate.expires_on, certificate.issued_on
        assert expires is not None
        months = certificate.category.validity_months
        assert expires.year * 12 + expires.month == issued.year * 12 + issued.month + months
    assert not certificates.filter(category__validity_months=0, expires_on__isnull=False).exists()
    soon = certificates.filter(expires_on__gt=TODAY, expires_on__lte=TODAY + dt.timedelta(days=90))
    assert soon.exists()
    expired = certificates.filter(expires_on__lt=TODAY)
    assert 0 < expired.count() < certificates.count() // 10
    revoked = certificates.get(status="revoked")
    assert revoked.revocation_reason
    assert revoked.revoked_on
    reviews = CertificateReview.objects.all()
    assert reviews.exists()
    assert set(reviews.values_list("certificate__category__code", flat=True)) == {"TZZY"}
    assert not reviews.filter(refresher_hours__lt=8).exists()


def test_the_demo_trainee(seeded):
    trainee = Trainee.objects.get(user__username="trainee")
    assert trainee.certificates.count() >= 2
    assert {c.category.code for c in trainee.certificates.all()} >= {"GP", "HNXZ"}
    assert User.objects.get(username="trainee").full_name == trainee.name


def snapshot() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    return (
        list(
            Trainee.objects.order_by("id_number").values_list("id_number", "name", "employer__name")
        ),
        list(
            Certificate.objects.order_by("number").values_list(
                "number", "trainee__id_number", "expires_on", "status"
            )
        ),
    )


def test_same_seed_same_data(seeded):
    first = snapshot()
    for model in (
        CertificateReview,
        Certificate,
        Assessment,
        Attendance,
        Session,
        Enrollment,
        Project,
        Trainee,
    ):
        model.objects.all().delete()
    Employer.objects.all().delete()
    seed_training(random.Random(11), today=TODAY)
    assert snapshot() == first
