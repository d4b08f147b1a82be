"""The student portal: the student's own record (masked), registrations, status, requests
and their progress, and the forms to ask for a suspension or withdrawal."""

import pytest
from django.urls import reverse

from cems.accounts.models import Role, User
from cems.core.masking import mask_id_number, mask_phone
from cems.students import registration, status
from cems.students.models import Registration, RequestState, StatusChangeKind, StatusChangeRequest
from cems.students.tests.status_support import approve, file, set_today
from cems.students.tests.test_registration import charge_tuition

K = StatusChangeKind
PORTAL = reverse("status_changes:portal")


@pytest.fixture
def client(world, users, client_for, monkeypatch):
    set_today(monkeypatch)
    client = client_for("student")
    client.cookies["django_language"] = "en"
    return client


def test_own_record_is_masked(world, client):
    html = client.get(PORTAL).content.decode()
    assert world.a1.student_number in html
    assert world.a1.id_number not in html
    assert mask_id_number(world.a1.id_number) in html
    assert world.a1.phone not in html
    assert mask_phone(world.a1.phone) in html
    assert "1995-**-**" in html
    assert world.a2.name not in html


def test_registrations(world, client, users):
    response = client.get(PORTAL)
    assert "You are not registered for 2026–2027 yet." in response.content.decode()
    Registration.objects.create(student=world.a1, academic_year=2025, tuition_paid=True)
    charge_tuition(world.a1, 2026)
    registration.registration_record(actor=users["station"], student=world.a1, academic_year=2026)
    html = client.get(PORTAL).content.decode()
    assert "You are registered for 2026–2027." in html
    assert "2025–2026" in html


def test_requests_and_their_progress(world, client, users):
    station = users["station"]
    rejected = approve(file(station, world.a1, K.WITHDRAW), station)
    status.status_request_decide(
        actor=users["academic"], request=rejected, approve=False, comment="请先结清学费"
    )
    file(station, world.a1, K.TRANSFER, target_school="湖南大学", target_level="jc_ba")
    response = client.get(PORTAL)
    html = response.content.decode()
    assert "请先结清学费" in html
    assert "→ 湖南大学" in html
    entries = response.context["records"][0]["requests"]
    assert [[s["state"] for s in e["progress"]] for e in entries] == [
        ["current", "waiting"],
        ["approved", "rejected"],
    ]
    assert not any(e["may_cancel"] for e in entries)  # filed by the station, not the student


def test_forms_for_suspension_and_withdrawal(world, client):
    response = client.get(PORTAL)
    assert [f["kind"] for f in response.context["records"][0]["forms"]] == ["suspend", "withdraw"]
    html = response.content.decode()
    assert 'id="id_suspend_start_date"' in html
    assert 'id="id_withdraw_reason"' in html


def test_file_a_suspension_from_the_portal(world, client):
    url = reverse("status_changes:file", args=[world.a1.pk]) + "?kind=suspend"
    response = client.post(
        url, {"reason": "生病住院", "start_date": "2026-12-01", "end_date": "2027-06-30"}
    )
    assert response["Location"] == PORTAL
    request = StatusChangeRequest.objects.get()
    assert (request.kind, request.filed_by.username) == ("suspend", "student-user")
    page = client.get(PORTAL)
    assert "Suspend studies (休学) filed for 张伟" in page.content.decode()
    # one pending suspension at a time: the form is gone, withdrawal remains
    assert [f["kind"] for f in page.context["records"][0]["forms"]] == ["withdraw"]
    assert page.context["records"][0]["requests"][0]["may_cancel"]


def test_cancel_own_request(world, client, users):
    request = file(users["student"], world.a1, K.WITHDRAW)
    response = client.post(reverse("status_changes:cancel", args=[request.pk]))
    assert response["Location"] == PORTAL
    request.refresh_from_db()
    assert request.state == RequestState.CANCELLED


def test_no_forms_once_withdrawn(world, client):
    world.a1.status = "withdrawn"
    world.a1.save()
    response = client.get(PORTAL)
    assert response.context["records"][0]["forms"] == []
    assert "Withdrawn" in response.content.decode()


def test_a_student_account_without_a_record(world, users, client_for):
    User.objects.create_user(username="newcomer", password="x", role=Role.STUDENT)
    client = client_for(None)
    client.force_login(User.objects.get(username="newcomer"))
    client.cookies["django_language"] = "en"
    response = client.get(PORTAL)
    assert response.status_code == 200
    assert "No student record is linked" in response.content.decode()


@pytest.mark.parametrize("role", ["station", "academic", "admin", "teacher"])
def test_other_roles_are_refused(world, client_for, role):
    assert client_for(role).get(PORTAL).status_code == 403


def test_the_dashboard_leads_students_to_the_portal(world, client):
    html = client.get(reverse("reports:dashboard")).content.decode()
    assert f'href="{PORTAL}"' in html
