"""Signing in and out, locking after repeated failures (django-axes), changing the password."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cems.conftest import PASSWORD

LOGIN = reverse("accounts:login")
LOGOUT = reverse("accounts:logout")
DASHBOARD = reverse("reports:dashboard")
PASSWORD_CHANGE = reverse("accounts:password_change")
WRONG = "not-the-password"


def sign_in(client: Client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def invalid_login_message(language: str) -> str:
    with translation.override(language):
        form = AuthenticationForm()
        return str(form.error_messages["invalid_login"]) % {
            "username": form.username_field.verbose_name
        }


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


# --- the page --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_login_page_in_both_languages(language):
    response = Client().get(LOGIN, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response.templates[0].name == "accounts/login.html"
    content = response.content.decode()
    assert f'<html lang="{language}">' in content
    assert 'name="username"' in content
    assert 'name="password"' in content
    assert 'autocomplete="current-password"' in content


def test_signed_in_user_is_sent_on_from_the_login_page(client_for):
    response = client_for("teacher").get(LOGIN)
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD


def test_anonymous_user_is_sent_to_the_login_page(world):
    response = Client().get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={DASHBOARD}"


# --- signing in ------------------------------------------------------------------------------


def test_right_password_signs_in(users):
    client = Client()
    response = sign_in(client, "teacher-user", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    assert signed_in_user_id(client) == str(users["teacher"].pk)


def test_next_parameter_is_followed_on_this_site_only(users):
    client = Client()
    response = client.post(
        LOGIN, {"username": "teacher-user", "password": PASSWORD, "next": "/students/"}
    )
    assert response["Location"] == "/students/"
    client = Client()
    response = client.post(
        LOGIN, {"username": "teacher-user", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == DASHBOARD


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_wrong_password_shows_a_clear_error(users, language):
    client = Client()
    response = sign_in(client, "teacher-user", WRONG, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["__all__"][0].code == "invalid_login"
    content = response.content.decode()
    assert 'role="alert"' in content
    assert invalid_login_message(language) in content
    assert 'value="teacher-user"' in content  # the user name is kept, the password is not
    assert WRONG not in content
    assert signed_in_user_id(client) is None


def test_unknown_user_gets_the_same_error(users):
    response = sign_in(Client(), "nobody", WRONG, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert invalid_login_message("en") in response.content.decode()


def test_inactive_user_cannot_sign_in(users):
    users["teacher"].is_active = False
    users["teacher"].save()
    client = Client()
    response = sign_in(client, "teacher-user", PASSWORD)
    assert response.status_code == 200
    assert signed_in_user_id(client) is None


def test_session_key_changes_at_login(users):
    client = Client()
    before = client.session  # a session that exists before signing in
    before["probe"] = "kept"
    before.save()
    old_key = before.session_key
    assert client.cookies[settings.SESSION_COOKIE_NAME].value == old_key

    sign_in(client, "teacher-user", PASSWORD)

    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key
    assert new_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    assert client.session["probe"] == "kept"
    assert signed_in_user_id(client) == str(users["teacher"].pk)


def test_session_cookie_is_http_only_and_same_site(users):
    client = Client()
    sign_in(client, "teacher-user", PASSWORD)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


# --- locking ---------------------------------------------------------------------------------


def fail_until_locked(client: Client, username: str) -> list[int]:
    return [
        sign_in(client, username, WRONG).status_code for _ in range(settings.AXES_FAILURE_LIMIT)
    ]


def test_repeated_wrong_passwords_lock_the_account(users):
    client = Client()
    statuses = fail_until_locked(client, "teacher-user")
    # Every attempt before the limit answers with the form again; the last one locks.
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]

    response = sign_in(client, "teacher-user", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert response.context["lockout_minutes"] == minutes
    content = response.content.decode()
    assert "Too many failed sign-ins for this account" in content
    assert f"locked for {minutes} minute" in content
    assert signed_in_user_id(client) is None


def test_lockout_holds_from_another_client_and_address(users):
    fail_until_locked(Client(), "teacher-user")
    other = Client(REMOTE_ADDR="10.0.0.9")
    response = sign_in(other, "teacher-user", PASSWORD)
    assert response.status_code == 429
    assert signed_in_user_id(other) is None


def test_lockout_is_per_account(users):
    client = Client()
    fail_until_locked(client, "teacher-user")
    response = sign_in(client, "auditor-user", PASSWORD)
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(users["auditor"].pk)


def test_fewer_failures_than_the_limit_do_not_lock(users):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "teacher-user", WRONG).status_code == 200
    assert sign_in(client, "teacher-user", PASSWORD).status_code == 302


def test_success_resets_the_failure_count(users):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "teacher-user", WRONG)
    assert sign_in(client, "teacher-user", PASSWORD).status_code == 302
    client.post(LOGOUT)
    assert not AccessAttempt.objects.filter(username="teacher-user").exists()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "teacher-user", WRONG).status_code == 200
    assert sign_in(client, "teacher-user", PASSWORD).status_code == 302


# --- signing out -----------------------------------------------------------------------------


def test_logout_is_a_post_and_ends_the_session(users):
    client = Client()
    sign_in(client, "teacher-user", PASSWORD)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(DASHBOARD).status_code == 200

    # A link (GET) cannot sign anybody out.
    assert client.get(LOGOUT).status_code == 405
    assert client.get(DASHBOARD).status_code == 200

    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not Session.objects.filter(session_key=key).exists()
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_stolen_session_cookie_is_useless_after_logout(users):
    client = Client()
    sign_in(client, "teacher-user", PASSWORD)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(LOGOUT)
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = key
    assert thief.get(DASHBOARD).status_code == 302


# --- changing the password -------------------------------------------------------------------

NEW_PASSWORD = "a-new-long-passphrase-42"


def test_password_change_needs_sign_in(world):
    response = Client().get(PASSWORD_CHANGE)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_password_change_works(users, client_for):
    client = client_for("teacher")
    assert client.get(PASSWORD_CHANGE).status_code == 200
    response = client.post(
        PASSWORD_CHANGE,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    assert client.get(response["Location"]).status_code == 200

    users["teacher"].refresh_from_db()
    assert users["teacher"].check_password(NEW_PASSWORD)
    assert not users["teacher"].check_password(PASSWORD)
    # The user stays signed in on this client...
    assert client.get(DASHBOARD).status_code == 200
    # ...and signs in elsewhere with the new password only.
    assert sign_in(Client(), "teacher-user", PASSWORD).status_code == 200
    assert sign_in(Client(), "teacher-user", NEW_PASSWORD).status_code == 302


def test_password_change_needs_the_old_password(users, client_for):
    client = client_for("teacher")
    response = client.post(
        PASSWORD_CHANGE,
        {"old_password": WRONG, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    users["teacher"].refresh_from_db()
    assert users["teacher"].check_password(PASSWORD)


def test_password_change_refuses_a_weak_password(users, client_for):
    client = client_for("teacher")
    response = client.post(
        PASSWORD_CHANGE,
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    users["teacher"].refresh_from_db()
    assert users["teacher"].check_password(PASSWORD)
