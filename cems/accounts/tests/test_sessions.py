"""How long a sign-in lasts (cems/accounts/sessions.py): the idle timeout, the absolute
limit, signing out, and disabling a user. Locking after failed sign-ins and signing out are
tested in test_login.py."""

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cems.accounts import sessions
from cems.accounts.models import User
from cems.conftest import PASSWORD

LOGIN = reverse("accounts:login")
LOGOUT = reverse("accounts:logout")
DASHBOARD = reverse("reports:dashboard")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # the pages too (the test client sends no language)
    with translation.override("en"):
        yield


def sign_in(username: str = "teacher-user") -> Client:
    client = Client()
    response = client.post(LOGIN, {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def key_of(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def age_session(client: Client, *, idle: int = 0, signed_in: int = 0) -> None:
    """Move the session's clock back: last request `idle` seconds ago, signed in
    `signed_in` seconds ago."""
    session = client.session
    now = sessions._now()
    session[sessions.LAST_SEEN] = now - idle
    session[sessions.SIGNED_IN_AT] = now - max(signed_in, idle)
    session.save()


def sessions_of(user: User) -> list[str]:
    return [
        s.session_key
        for s in Session.objects.all()
        if s.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]


# --- Idle timeout ----------------------------------------------------------------------------


def test_signing_in_starts_the_clock(users):
    client = sign_in()
    session = client.session
    assert isinstance(session[sessions.SIGNED_IN_AT], int)
    assert session[sessions.LAST_SEEN] == session[sessions.SIGNED_IN_AT]


def test_a_request_within_the_idle_timeout_keeps_the_session(users):
    client = sign_in()
    age_session(client, idle=settings.CEMS_IDLE_TIMEOUT_MINUTES * 60 - 120)
    assert client.get(DASHBOARD).status_code == 200
    # The request counts as activity: the clock starts again.
    assert sessions._now() - client.session[sessions.LAST_SEEN] < 5
    assert client.get(DASHBOARD).status_code == 200


def test_the_session_ends_after_the_idle_timeout(users):
    client = sign_in()
    key = key_of(client)
    age_session(client, idle=settings.CEMS_IDLE_TIMEOUT_MINUTES * 60 + 1)
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert not Session.objects.filter(session_key=key).exists()
    page = client.get(response["Location"])
    assert "signed out after 30 minutes without activity" in page.content.decode()
    # The old cookie is useless too.
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = key
    assert thief.get(DASHBOARD).status_code == 302


def test_the_idle_timeout_is_a_setting(users, settings):
    settings.CEMS_IDLE_TIMEOUT_MINUTES = 5
    client = sign_in()
    age_session(client, idle=6 * 60)
    assert client.get(DASHBOARD).status_code == 302


def test_the_session_ends_at_the_absolute_limit_however_busy(users):
    client = sign_in()
    age_session(client, idle=10, signed_in=settings.SESSION_COOKIE_AGE + 1)
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    page = client.get(response["Location"])
    assert "signed out 8 hours after signing in" in page.content.decode()


def test_a_session_from_before_the_limits_gets_its_clock(users, client_for):
    client = client_for("teacher")
    session = client.session
    del session[sessions.SIGNED_IN_AT]
    del session[sessions.LAST_SEEN]
    session.save()
    assert client.get(DASHBOARD).status_code == 200
    assert isinstance(client.session[sessions.SIGNED_IN_AT], int)
    assert isinstance(client.session[sessions.LAST_SEEN], int)


def test_the_last_seen_time_is_not_rewritten_on_every_request(users):
    client = sign_in()
    age_session(client, idle=10)
    before = client.session[sessions.LAST_SEEN]
    assert client.get(DASHBOARD).status_code == 200
    assert client.session[sessions.LAST_SEEN] == before


def test_public_pages_go_on_for_an_expired_session(users, world):
    client = sign_in()
    age_session(client, idle=settings.CEMS_IDLE_TIMEOUT_MINUTES * 60 + 1)
    assert client.get(reverse("public:home")).status_code == 200
    assert client.session.get(SESSION_KEY) is None


# --- Signing out -----------------------------------------------------------------------------


def test_logout_ends_the_session_for_good(users):
    client = sign_in()
    key = key_of(client)
    client.post(LOGOUT)
    assert not Session.objects.filter(session_key=key).exists()
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = key
    response = thief.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


# --- Disabling a user ------------------------------------------------------------------------


def test_disabling_a_user_ends_all_their_sessions_at_once(users):
    teacher = users["teacher"]
    first, second = sign_in(), sign_in()
    other = sign_in("auditor-user")
    assert len(sessions_of(teacher)) == 2

    teacher.is_active = False
    teacher.save()

    assert sessions_of(teacher) == []
    for client in (first, second):
        assert not Session.objects.filter(session_key=key_of(client)).exists()
        assert client.get(DASHBOARD).status_code == 302
    # Other users' sessions are untouched.
    assert Session.objects.filter(session_key=key_of(other)).exists()
    assert other.get(DASHBOARD).status_code == 200


def test_disabling_in_the_admin_ends_the_sessions(users, client_for):
    teacher = users["teacher"]
    victim = sign_in()
    admin = client_for("admin")
    url = reverse("admin:accounts_user_change", args=[teacher.pk])
    form = admin.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "username": teacher.username,
            "role": teacher.role,
            "is_active": "",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "08:00:00",
        }
    )
    data = {k: v for k, v in data.items() if not isinstance(v, list | tuple | set)}
    data.pop("password", None)
    response = admin.post(url, data)
    teacher.refresh_from_db()
    if teacher.is_active:  # the form's fields differ: show what the admin answered
        errors = response.context["adminform"].form.errors if response.context else response
        pytest.fail(f"the admin did not save: {errors}")
    # The rows are gone (Django alone would only refuse the inactive user on each request).
    assert not Session.objects.filter(session_key=key_of(victim)).exists()
    assert victim.get(DASHBOARD).status_code == 302


def test_saving_an_active_user_keeps_their_sessions(users):
    client = sign_in()
    users["teacher"].full_name = "新名字"
    users["teacher"].save()
    assert client.get(DASHBOARD).status_code == 200


def test_end_sessions_counts_what_it_ended(users):
    sign_in()
    sign_in()
    assert sessions.end_sessions(users["teacher"]) == 2
    assert sessions.end_sessions(users["teacher"]) == 0
