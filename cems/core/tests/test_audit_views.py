"""The audit trail page (/audit/) and the denied-access middleware."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from cems.core import audit
from cems.core.models import AuditEvent

pytestmark = pytest.mark.django_db
URL = "/audit/"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # the pages too (the test client sends no language)
    with translation.override("en"):
        yield


@pytest.fixture
def trail(users, world):
    """Three events of different users, actions, targets and days."""
    audit.record(
        actor=users["teacher"], action="grade.save", target="teaching.CourseOffering:5",
        summary="offering 5: 3 grade cells saved",
    )  # fmt: skip
    audit.record(
        actor=users["finance"], action="fee.payment", target=f"students.Student:{world.a1.pk}",
        summary="payment of 1000 recorded",
    )  # fmt: skip
    audit.record(actor=None, action="certificate.issue", target="training.Certificate:9")
    AuditEvent.objects.create(
        at=timezone.make_aware(dt.datetime(2025, 1, 10, 9, 0)), action="certificate.revoke",
        target="training.Certificate:9", summary="certificate TZ1 revoked", reason="违规",
    )  # fmt: skip


def rows(response) -> list[str]:
    return [event.action for event in response.context["page"]]


def test_the_url_name():
    assert reverse("audit_trail:list") == URL


def test_the_auditor_sees_every_event(client_for, trail):
    response = client_for("auditor").get(URL)
    assert response.status_code == 200
    assert set(rows(response)) >= {"grade.save", "fee.payment", "certificate.revoke"}
    assert "Audit trail" in response.content.decode()


@pytest.mark.parametrize("role", ["academic", "finance", "station", "teacher", "student"])
def test_other_roles_are_refused(client_for, role):
    assert client_for(role).get(URL).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"actor": "finance"}, {"fee.payment"}),
        ({"action": "grade"}, {"grade.save"}),
        ({"action": "certificate."}, {"certificate.issue", "certificate.revoke"}),
        ({"target": "training.Certificate:9"}, {"certificate.issue", "certificate.revoke"}),
        ({"target": "teaching.CourseOffering"}, {"grade.save"}),
        ({"q": "payment of"}, {"fee.payment"}),
        ({"date_from": "2025-01-01", "date_to": "2025-01-31"}, {"certificate.revoke"}),
    ],
)
def test_filters(client_for, trail, query, expected):
    response = client_for("admin").get(URL, query)
    assert response.status_code == 200
    assert set(rows(response)) - {"role.grant"} == expected


@pytest.mark.parametrize(
    "query",
    [{"date_from": "bad"}, {"date_from": "2026-02-01", "date_to": "2026-01-01"},
     {"q": "\x00" * 200}],
)  # fmt: skip
def test_bad_filters_show_the_error_not_a_500(client_for, trail, query):
    response = client_for("auditor").get(URL, query)
    assert response.status_code == 200
    assert rows(response) == [] or "q" in query


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_download_is_itself_recorded(client_for, users, trail, fmt):
    response = client_for("auditor").get(URL, {"format": fmt, "action": "fee"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        text = content.decode("utf-8-sig")
        assert "fee.payment" in text
        assert "grade.save" not in text
    else:
        assert content[:2] == b"PK"
    export = AuditEvent.objects.filter(action="data.export").get()
    assert (export.actor, export.target) == (users["auditor"], "core.AuditEvent")
    assert export.details["row_count"] == 1
    assert export.details["filters"] == {"action": "fee"}


def test_the_page_has_a_fixed_number_of_queries(client_for, trail, django_assert_max_num_queries):
    client = client_for("auditor")
    with django_assert_max_num_queries(12):
        client.get(URL)


# --- Denied accesses --------------------------------------------------------------------------


@pytest.fixture
def with_middleware(settings):
    """The audit middleware is in settings.MIDDLEWARE; the tests say they rely on it."""
    assert "cems.core.audit_middleware.AuditMiddleware" in settings.MIDDLEWARE


def test_a_403_is_logged_without_the_query(with_middleware, client_for, users):
    response = client_for("teacher").get(URL, {"q": "身份证 430302199001011234"})
    assert response.status_code == 403
    event = AuditEvent.objects.get(action="access.denied")
    assert (event.actor, event.target) == (users["teacher"], "")
    assert event.details == {"path": URL, "method": "GET", "status": 403}
    assert event.summary == f"GET {URL} 403"
    assert "430302" not in event.summary + str(event.details)


def test_a_404_of_a_signed_in_user_is_logged(with_middleware, client_for, users, world):
    response = client_for("station").get(f"/students/{world.b1.pk}/")
    assert response.status_code == 404
    event = AuditEvent.objects.get(action="access.denied")
    assert event.actor == users["station"]
    assert event.details["status"] == 404
    assert world.b1.name not in event.summary


def test_anonymous_and_static_requests_are_not_logged(with_middleware, client_for, client):
    client.get(URL)
    client.get("/no-such-page/")
    client_for("teacher").get("/static/no-such-file.css")
    assert not AuditEvent.objects.filter(action="access.denied").exists()


def test_an_allowed_page_is_not_logged(with_middleware, client_for):
    assert client_for("auditor").get(URL).status_code == 200
    assert not AuditEvent.objects.filter(action="access.denied").exists()


def test_a_role_grant_made_through_the_admin_names_the_admin(with_middleware, client_for, users):
    teacher = users["teacher"]
    admin = client_for("admin")
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    page = admin.get(f"/admin/accounts/user/{teacher.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: value for name, value in form.initial.items()
        if value is not None and name not in ("password", "groups", "user_permissions", "stations")
    }  # fmt: skip
    data.update({
        "role": "auditor", "date_joined_0": teacher.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": teacher.date_joined.strftime("%H:%M:%S"),
    })  # fmt: skip
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = admin.post(f"/admin/accounts/user/{teacher.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.filter(action="role.grant", pk__gt=before)
    assert event.get().actor == users["admin"]
    assert event.get().details == {"field": "role", "from": "teacher", "to": "auditor"}
