"""Certificates: numbers, expiry and review dates, reviews, revocation, PDFs, the list, the
detail and the trainee portal (issue 6 items 7 and 9)."""

import datetime as dt
import re
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cems.accounts.models import User
from cems.core.models import Job
from cems.training import certificates
from cems.training.models import Certificate, Enrollment
from cems.training.tests.certificate_fixtures import certified
from cems.training.tests.people_fixtures import make_employer, make_trainee, make_training_project

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 10)


def _actor() -> User:
    return User.objects.create_user(username="office", password="x", role="training")


def test_numbers_follow_the_format_and_the_dates_the_category():
    first = certified(1, issued_on=DAY)
    second = certified(2, issued_on=DAY)
    assert (first.number, second.number) == ("TZ202600001", "TZ202600002")
    assert first.expires_on == dt.date(2032, 3, 10)  # 72 months
    assert first.next_review_on == dt.date(2029, 3, 10)  # every 36 months
    kz = certified(3, code="KZ", issued_on=DAY)
    assert kz.number == "KZ202600001"
    assert kz.next_review_on is None
    gp = certified(4, code="GP", issued_on=DAY)
    assert gp.expires_on is None


def test_only_completed_enrollments_get_one_certificate_each():
    project = make_training_project(code="KZ")
    enrollment = Enrollment.objects.create(project=project, trainee=make_trainee(9))
    with pytest.raises(ValidationError):
        certificates.issue(enrollment)
    done = certified(1, code="KZ")
    assert certificates.issue(done.enrollment) == done
    assert certificates.issue_for([done.enrollment]) == []


def test_batch_issue_for_a_project():
    project = make_training_project(code="TZZY")
    for serial in range(5):
        Enrollment.objects.create(
            project=project, trainee=make_trainee(serial + 10), status="completed"
        )
    Enrollment.objects.create(project=project, trainee=make_trainee(30))  # not completed
    issued = certificates.issue_for_project(project, issued_on=DAY)
    assert len(issued) == 5
    assert sorted(c.number for c in issued) == [f"TZ2026{n:05d}" for n in range(1, 6)]
    assert certificates.issue_for_project(project, issued_on=DAY) == []


def test_review_needs_the_refresher_hours_and_extends_validity():
    certificate = certified(1, issued_on=DAY)
    actor = _actor()
    with pytest.raises(ValidationError, match="8"):
        certificates.review(certificate, reviewed_on=dt.date(2029, 3, 1),
                            refresher_hours=Decimal(7), actor=actor)  # fmt: skip
    done = certificates.review(certificate, reviewed_on=dt.date(2029, 3, 1),
                               refresher_hours=Decimal(8), actor=actor)  # fmt: skip
    certificate.refresh_from_db()
    assert done.expires_on_before == dt.date(2032, 3, 10)
    assert certificate.expires_on == dt.date(2035, 3, 1)
    assert certificate.next_review_on == dt.date(2032, 3, 1)


def test_revocation_needs_a_reason_and_blocks_reviews():
    certificate = certified(1, issued_on=DAY)
    actor = _actor()
    with pytest.raises(ValidationError):
        certificates.revoke(certificate, reason="  ", actor=actor)
    certificates.revoke(certificate, reason="违规操作", actor=actor)
    certificate.refresh_from_db()
    assert certificate.status == "revoked"
    assert certificate.revocation_reason == "违规操作"
    assert certificates.status_of(certificate) == "revoked"
    with pytest.raises(ValidationError):
        certificates.review(certificate, reviewed_on=DAY, refresher_hours=Decimal(8), actor=actor)
    with pytest.raises(ValidationError):
        certificates.revoke(certificate, reason="again", actor=actor)


def test_revoke_and_review_pages(client_for):
    certificate = certified(1, issued_on=DAY)
    client = client_for("training")
    revoke = reverse("training:certificate_revoke", args=[certificate.pk])
    review = reverse("training:certificate_review", args=[certificate.pk])
    response = client.post(review, {"reviewed_on": "2029-03-01", "refresher_hours": "4"})
    assert response.status_code == 200
    assert not certificate.reviews.exists()
    response = client.post(review, {"reviewed_on": "2029-03-01", "refresher_hours": "8"})
    assert response.status_code == 302
    assert certificate.reviews.count() == 1
    assert client.post(revoke, {"reason": ""}).status_code == 200
    certificate.refresh_from_db()
    assert certificate.status == "valid"
    for role in ("auditor", "trainee"):
        assert client_for(role).post(revoke, {"reason": "x"}).status_code == 403
    assert client.post(revoke, {"reason": "证书作废"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == "revoked"
    page = client.get(reverse("training:certificate_detail", args=[certificate.pk]))
    assert "证书作废" in page.content.decode()


def test_list_filters_and_downloads(client_for):
    today = certificates.today()
    mine = make_employer("东山煤矿")
    soon = certified(1, code="KZ", issued_on=today.replace(day=1) - dt.timedelta(days=1000),
                     employer=mine)  # fmt: skip
    Certificate.objects.filter(pk=soon.pk).update(expires_on=today + dt.timedelta(days=20))
    later = certified(2, name="李娜", code="TZZY", issued_on=today)
    url = reverse("training:certificate_list")
    client = client_for("auditor")
    html = client.get(url, {"expiring_days": "30"}).content.decode()
    assert soon.number in html
    assert later.number not in html
    html = client.get(url, {"employer": mine.pk}).content.decode()
    assert soon.number in html
    assert later.number not in html
    html = client.get(url, {"category": later.category_id}).content.decode()
    assert later.number in html
    assert soon.number not in html
    html = client.get(url, {"status": "expired"}).content.decode()
    assert later.number not in html
    csv = b"".join(client.get(url, {"format": "csv"}).streaming_content).decode()
    assert soon.number in csv
    assert later.number in csv
    # The PDF of what the list shows is made in the background, with the list's filters.
    started = client.post(reverse("training:certificate_list_pdf") + "?expiring_days=30&page=2")
    job = Job.objects.get(owner__username="auditor-user")
    assert started.url == reverse("jobs:detail", args=[job.pk])
    assert job.params["filters"] == {"expiring_days": "30"}
    assert (job.status, job.total, job.result_name) == ("done", 2, "certificates.pdf")
    pdf = b"".join(client.get(reverse("jobs:download", args=[job.pk])).streaming_content)
    assert len(pdfium.PdfDocument(pdf)) == 1
    assert client_for("trainee").get(url).status_code == 403
    # Filters that do not validate start nothing.
    refused = client.post(reverse("training:certificate_list_pdf") + "?expiring_days=x")
    assert refused.status_code == 302
    assert Job.objects.count() == 1


def test_pdf_embeds_the_cjk_font_and_the_verify_address(client_for):
    certificate = certified(1, issued_on=DAY)
    response = client_for("training").get(
        reverse("training:certificate_pdf", args=[certificate.pk])
    )
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    data = response.content
    assert re.search(rb"/BaseFont /[A-Z]{6}\+DroidSansFallback", data)
    assert b"/Subtype /Type1" not in data
    assert b"/Helvetica" not in data
    text = pdfium.PdfDocument(data)[0].get_textpage().get_text_range()
    assert "培 训 合 格 证 书" in text
    assert certificate.number in text
    assert f"/verify/?number={certificate.number}" in text


def test_project_completion_issues_in_batch(client_for):
    project = make_training_project(code="KZ")
    enrollment = Enrollment.objects.create(project=project, trainee=make_trainee(5))
    enrollment.assessments.create(attempt=1, assessed_on=DAY, score=Decimal(90), passed=True)
    url = reverse("training:project_certificates", args=[project.pk])
    assert client_for("auditor").post(url).status_code == 403
    assert client_for("auditor").get(url).status_code == 200
    assert client_for("training").post(url).status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == "completed"
    assert enrollment.certificate.number == "KZ" + str(certificates.today().year) + "00001"
    auditor = client_for("auditor")
    started = auditor.post(reverse("training:project_certificates_pdf", args=[project.pk]))
    job = Job.objects.get(owner__username="auditor-user")
    assert started.url == reverse("jobs:detail", args=[job.pk])
    assert (job.status, job.done, job.total) == ("done", 2, 2)  # laid out, drawn
    pdf = auditor.get(reverse("jobs:download", args=[job.pk]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert pdf["Content-Type"] == "application/pdf"


def test_portal_shows_own_projects_and_certificates_only(client_for, users):
    own = certified(1, name="孙强", issued_on=DAY, user=users["trainee"])
    other = certified(2, name="周敏", issued_on=DAY)
    client = client_for("trainee")
    html = client.get(reverse("training:portal")).content.decode()
    assert own.number in html
    assert other.number not in html
    assert "48" in html
    assert client.get(reverse("training:portal_certificate_pdf", args=[own.pk])).status_code == 200
    assert (
        client.get(reverse("training:portal_certificate_pdf", args=[other.pk])).status_code == 404
    )
    assert client_for("training").get(reverse("training:portal")).status_code == 403


def test_portal_without_a_file(client_for):
    response = client_for("trainee").get(reverse("training:portal"))
    assert response.status_code == 200
